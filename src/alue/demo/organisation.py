"""The area's organisation: staff and teams (R-C1, R-C3, R-C4), delegations (R-C5), partners (R-E1) and
the service catalogue (R-D1).

Staff: about 180 people — about 110 transferred from the state (the former TE office) and about 70 from
the municipalities (R-C1, from the area file's ``staffing``). Person-customer work is split 40 / 20 / 40
between job brokerage, skills development and multi-sector services (R-C3, ``person_customer_split``);
youth, immigrant, employer-services, entrepreneurship and administration staff come on top. Staff are
placed at the area's offices in proportion to the labour force each office serves (its nearest
municipalities); area-wide lines (youth, immigrants, employer services, administration) serve every
municipality. The employer-services contacts named in the area file (R-D3) are staff members.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from faker import Faker

from alue.area.config import Area
from alue.demo import truth
from alue.staff.models import DelegatedTask, ServiceLine

#: staff by line besides the person-customer split (counts for an area of ~180 staff)
OTHER_LINES = {
    ServiceLine.YOUTH: 14,
    ServiceLine.IMMIGRANTS: 10,
    ServiceLine.EMPLOYER_SERVICES: 16,
    ServiceLine.ENTREPRENEURSHIP: 4,
    ServiceLine.ADMINISTRATION: 12,
}
AREA_WIDE = (
    ServiceLine.YOUTH,
    ServiceLine.IMMIGRANTS,
    ServiceLine.EMPLOYER_SERVICES,
    ServiceLine.ADMINISTRATION,
    ServiceLine.ENTREPRENEURSHIP,
)
TITLES = {
    ServiceLine.JOB_BROKERAGE: "työnvälityksen asiantuntija",
    ServiceLine.SKILLS: "osaamisen kehittämisen asiantuntija",
    ServiceLine.MULTISECTOR: "monialaisen palvelun asiantuntija (TYP)",
    ServiceLine.YOUTH: "nuorten palveluiden ohjaaja",
    ServiceLine.IMMIGRANTS: "maahanmuuttajapalveluiden asiantuntija",
    ServiceLine.EMPLOYER_SERVICES: "yrityspalveluiden asiantuntija",
    ServiceLine.ENTREPRENEURSHIP: "yrittäjyysneuvoja",
    ServiceLine.ADMINISTRATION: "hallinnon asiantuntija",
}
TEAM_NAMES = {
    ServiceLine.JOB_BROKERAGE: "Työnvälitys",
    ServiceLine.SKILLS: "Osaamisen kehittäminen",
    ServiceLine.MULTISECTOR: "Monialainen palvelu (TYP)",
    ServiceLine.YOUTH: "Nuorten palvelut (Ohjaamo)",
    ServiceLine.IMMIGRANTS: "Maahanmuuttajapalvelut",
    ServiceLine.EMPLOYER_SERVICES: "Yrityspalvelut",
    ServiceLine.ENTREPRENEURSHIP: "Yrittäjyyspalvelut",
    ServiceLine.ADMINISTRATION: "Hallinto",
}
DELEGATED = {
    ServiceLine.JOB_BROKERAGE: [
        DelegatedTask.LABOUR_POLICY_STATEMENT,
        DelegatedTask.OBLIGATION_DECISION,
        DelegatedTask.SANCTION_NOTICE,
    ],
    ServiceLine.SKILLS: [DelegatedTask.LABOUR_POLICY_STATEMENT, DelegatedTask.TRAINING_SELECTION],
    ServiceLine.MULTISECTOR: [
        DelegatedTask.LABOUR_POLICY_STATEMENT,
        DelegatedTask.OBLIGATION_DECISION,
        DelegatedTask.WAGE_SUBSIDY_DECISION,
    ],
    ServiceLine.YOUTH: [
        DelegatedTask.LABOUR_POLICY_STATEMENT,
        DelegatedTask.OBLIGATION_DECISION,
        DelegatedTask.TRAINING_SELECTION,
    ],
    ServiceLine.IMMIGRANTS: [DelegatedTask.LABOUR_POLICY_STATEMENT, DelegatedTask.OBLIGATION_DECISION],
    ServiceLine.EMPLOYER_SERVICES: [DelegatedTask.WAGE_SUBSIDY_DECISION],
    ServiceLine.ENTREPRENEURSHIP: [DelegatedTask.STARTUP_GRANT_DECISION],
}
#: the municipal employment pilots (työllisyyden kuntakokeilut) ran 1.3.2021–31.12.2024
PILOT = (dt.date(2021, 3, 1), dt.date(2024, 12, 31))

#: partner register (R-E1): key, name, kind, municipality (None = area-wide), agreement, description
PARTNERS: tuple[tuple[str, str, str, str | None, bool, str], ...] = (
    (
        "hyvinvointialue",
        "Satakunnan hyvinvointialue",
        "wellbeing_services_county",
        "609",
        True,
        "Sosiaali- ja terveyspalvelut, monialainen yhteispalvelu (TYP), kuntouttava työtoiminta.",
    ),
    (
        "kela",
        "Kela, Satakunnan vakuutuspiiri",
        "state_agency",
        "609",
        True,
        "Työttömyysetuudet, ammatillinen kuntoutus; TYP-kumppani.",
    ),
    ("keha", "KEHA-keskus", "state_agency", None, False, "Valtakunnalliset tietojärjestelmät ja tilastot."),
    ("ely", "Satakunnan ELY-keskus", "state_agency", "609", True, "Kotoutumisen ja koulutuksen rahoitus."),
    (
        "sataedu",
        "Satakunnan koulutuskuntayhtymä Sataedu",
        "educational_institution",
        "079",
        True,
        "Ammatillinen koulutus, työvoimakoulutus.",
    ),
    (
        "winnova",
        "Länsirannikon Koulutus Oy WinNova",
        "educational_institution",
        "609",
        True,
        "Ammatillinen koulutus, työvoimakoulutus.",
    ),
    (
        "samk",
        "Satakunnan ammattikorkeakoulu",
        "educational_institution",
        "609",
        True,
        "Korkeakoulutus, täydennyskoulutus.",
    ),
    (
        "kansanopisto",
        "Länsi-Suomen kansanopisto",
        "educational_institution",
        "214",
        False,
        "Kotoutumiskoulutus ja suomen kielen opetus.",
    ),
    ("valmennus", "Uraveturi Oy", "service_provider", "609", True, "Ostopalveluna hankittavat valmennukset."),
    ("kuntoutus", "Työkyky Länsi Oy", "service_provider", "609", False, "Työkyvyn arvioinnit ja kuntoutus."),
    ("rekry1", "Rekrytalli Oy", "private_recruitment", "609", False, "Yksityinen henkilöstöpalvelu."),
    (
        "rekry2",
        "Henkilöstöpalvelu Satama Oy",
        "private_recruitment",
        "886",
        False,
        "Vuokratyö ja rekrytointi.",
    ),
    ("yrittajat", "Satakunnan Yrittäjät ry", "ngo", "609", True, "Yrittäjien edunvalvonta ja neuvonta."),
    (
        "tyottomat",
        "Porin Työttömien Yhdistys ry",
        "ngo",
        "609",
        False,
        "Vertaistuki ja kuntouttava toiminta.",
    ),
    (
        "monikulttuuri",
        "Satakunnan Monikulttuurinen Yhdistys ry",
        "ngo",
        "609",
        False,
        "Maahanmuuttajien tuki.",
    ),
    ("ohjaamo", "Ohjaamo Pori", "project", "609", True, "Alle 30-vuotiaiden matalan kynnyksen ohjauspiste."),
    (
        "hanke",
        "ESR+-hanke Työkykyä Satakuntaan",
        "project",
        None,
        True,
        "Osatyökykyisten työllistymisen hanke.",
    ),
    (
        "talentboost",
        "Talent Boost Satakunta",
        "project",
        "609",
        False,
        "Kansainvälisen rekrytoinnin verkosto.",
    ),
)


@dataclass
class Organisation:
    staff: list[dict[str, object]]
    staff_municipalities: list[tuple[int, str]]
    teams: list[dict[str, object]]
    memberships: list[dict[str, object]]
    delegations: list[dict[str, object]]
    partners: list[dict[str, object]]
    partner_id: dict[str, int]
    services: list[dict[str, object]]
    #: lookup arrays for casework: staff id, line index, municipality index served
    serve_staff: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    serve_line: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    serve_muni: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _offices(area: Area) -> list[str]:
    offices = [sp.municipality for sp in area.file.service_points if sp.kind == "office"]
    return list(dict.fromkeys(offices)) or [area.file.responsible_municipality]


def build_organisation(area: Area, seed: int, labour_force: dict[str, float]) -> Organisation:
    rng = np.random.default_rng(seed + 1001)
    fake = Faker("fi_FI")
    fake.seed_instance(seed + 1002)
    codes = list(area.municipalities)
    offices = _offices(area)

    def nearest_office(code: str) -> str:
        try:
            return min(offices, key=lambda o: area.distance_km(code, o))
        except ValueError:
            return area.file.responsible_municipality

    office_of = {c: nearest_office(c) for c in codes}
    office_lf = {o: sum(labour_force.get(c, 0) for c in codes if office_of[c] == o) for o in offices}
    staffing = area.file.staffing
    split = (
        staffing.person_customer_split
        if staffing
        else {"job_brokerage": 0.4, "skills": 0.2, "multisector": 0.4}
    )
    state_fte = staffing.transferred_state_fte if staffing and staffing.transferred_state_fte else 110
    municipal_fte = staffing.municipal_fte if staffing and staffing.municipal_fte else 70
    total = round(state_fte + municipal_fte)
    person_customer = total - sum(OTHER_LINES.values())
    counts = {ServiceLine(k): round(v * person_customer) for k, v in split.items()}
    counts[ServiceLine.JOB_BROKERAGE] += person_customer - sum(counts.values())
    counts.update(OTHER_LINES)

    staff: list[dict[str, object]] = []
    served: list[tuple[int, str]] = []
    emails: set[str] = set()
    contacts: dict[str, list[str]] = {}
    for code, contact in area.file.employer_contacts.items():
        contacts.setdefault(contact.name, []).append(code)
    contact_names = list(contacts)

    def email_for(first: str, last: str) -> str:
        base = f"{ascii_fold(first)}.{ascii_fold(last)}".replace(" ", "")
        candidate, n = f"{base}@{area.key}.alue.example", 2
        while candidate in emails:
            candidate, n = f"{base}{n}@{area.key}.alue.example", n + 1
        emails.add(candidate)
        return candidate

    lf_total = sum(office_lf.values()) or 1.0
    for line, count in counts.items():
        for k in range(count):
            sid = len(staff) + 1
            if line == ServiceLine.EMPLOYER_SERVICES and k < len(contact_names):
                first, last = contact_names[k].split(" ", 1)
                their = contacts[contact_names[k]]
                base = office_of.get(their[0], their[0])
            else:
                female = rng.random() < 0.72
                first = fake.first_name_female() if female else fake.first_name_male()
                last = fake.last_name()
                their = None
                weights = np.array([office_lf[o] / lf_total for o in offices])
                base = offices[int(rng.choice(len(offices), p=weights / weights.sum()))]
            languages = ["fi"]
            if rng.random() < 0.65:
                languages.append("en")
            if rng.random() < 0.1:
                languages.append("sv")
            if line == ServiceLine.IMMIGRANTS and rng.random() < 0.4:
                languages.append(str(rng.choice(["ru", "ar", "uk"])))
            staff.append(
                {
                    "id": sid,
                    "employee_number": f"T{sid:05d}",
                    "first_name": first,
                    "last_name": last,
                    "email": email_for(first, last),
                    "phone": f"+358 40 000 {sid:04d}",
                    "title": "palvelupäällikkö"
                    if k == 0 and line != ServiceLine.EMPLOYER_SERVICES
                    else TITLES[line],
                    "service_line": line.value,
                    "base_municipality_code": base,
                    "fte": 1.0 if rng.random() > 0.08 else 0.8,
                    "municipal_official": False,
                    "languages": languages,
                    "active": True,
                }
            )
            if their:
                muni_list = their
            elif line in AREA_WIDE:
                muni_list = codes
            else:
                muni_list = [c for c in codes if office_of[c] == base]
            served.extend((sid, c) for c in muni_list)
    # R-C1: about 70 came from the municipalities (pilot staff: multisector and youth first), the rest
    # from the state
    order = sorted(
        range(len(staff)),
        key=lambda i: (
            staff[i]["service_line"] not in ("multisector", "youth", "administration"),
            rng.random(),
        ),
    )
    for i in order[: round(municipal_fte)]:
        staff[i]["municipal_official"] = True

    teams: list[dict[str, object]] = []
    memberships: list[dict[str, object]] = []
    started = area.file.started_on
    for line in counts:
        members = [s for s in staff if s["service_line"] == line.value]
        if line == ServiceLine.JOB_BROKERAGE:
            groups: dict[str, list[dict[str, object]]] = {}
            for s in members:
                groups.setdefault(str(s["base_municipality_code"]), []).append(s)
            named = [(f"{TEAM_NAMES[line]}, {area.municipalities[o].name_fi}", g) for o, g in groups.items()]
        else:
            named = [(TEAM_NAMES[line], members)]
        for name, group in named:
            if not group:
                continue
            tid = len(teams) + 1
            teams.append(
                {"id": tid, "name": name, "service_line": line.value, "lead_staff_id": group[0]["id"]}
            )
            memberships.extend(
                {"team_id": tid, "staff_id": s["id"], "start_date": started, "end_date": None} for s in group
            )

    delegations: list[dict[str, object]] = []
    for s in staff:
        line = ServiceLine(str(s["service_line"]))
        tasks = DELEGATED.get(line)
        if not tasks or rng.random() < 0.08:  # a few have no delegation (yet)
            continue
        values = [t.value for t in tasks]
        delegations.append(
            {
                "staff_id": s["id"],
                "agreement_reference": "Yhteistoimintasopimus, delegointipäätös 12/2024 §4",
                "tasks": values,
                "valid_from": started,
                "valid_to": None,
                "granted_by": "Työllisyysalueen johtaja",
            }
        )
        if s["municipal_official"] and line != ServiceLine.EMPLOYER_SERVICES:
            delegations.append(
                {
                    "staff_id": s["id"],
                    "agreement_reference": "Työllisyyden kuntakokeilu, toimivaltapäätös 2021",
                    "tasks": [t for t in values if t != DelegatedTask.SANCTION_NOTICE.value],
                    "valid_from": PILOT[0],
                    "valid_to": PILOT[1],
                    "granted_by": "ELY-keskus / kuntakokeilun ohjausryhmä",
                }
            )
    for i, d in enumerate(delegations, start=1):
        d["id"] = i

    partners: list[dict[str, object]] = []
    partner_id: dict[str, int] = {}
    for key, name, kind, muni, agreement, desc in PARTNERS:
        pid = len(partners) + 1
        partner_id[key] = pid
        partners.append(
            {
                "id": pid,
                "name": name,
                "kind": kind,
                "business_id": None,
                "municipality_code": muni if muni in area.municipalities else None,
                "contact_email": f"{key}@kumppani.example",
                "description": desc,
                "partnership_agreement": agreement,
                "active": True,
            }
        )
    for code in codes:  # municipal actors: integration coordinators (R-D8)
        info = area.municipalities[code]
        pid = len(partners) + 1
        partners.append(
            {
                "id": pid,
                "name": f"{info.name_fi}, kotoutumisen koordinaattori",
                "kind": "municipal",
                "business_id": None,
                "municipality_code": code,
                "contact_email": f"kotoutuminen.{code}@kunta.example",
                "description": "Kunnan kotoutumisohjelma ja kotoutumisen koordinointi.",
                "partnership_agreement": bool(rng.random() < 0.6),
                "active": True,
            }
        )
        partner_id[f"municipal:{code}"] = pid

    services = []
    for i, spec in enumerate(truth.CATALOGUE, start=1):
        services.append(
            {
                "id": i,
                "code": spec.code,
                "name_fi": spec.name_fi,
                "name_sv": spec.name_sv,
                "name_en": spec.name_en,
                "kind": spec.kind,
                "production": spec.production,
                "provider_id": partner_id.get(spec.provider) if spec.provider else None,
                "service_line": spec.service_line,
                "unit_cost": spec.unit_cost,
                "typical_duration_days": spec.duration_days,
                "target_isco": list(spec.target_isco),
                "active": True,
            }
        )

    lines = list(ServiceLine)
    return Organisation(
        staff=staff,
        staff_municipalities=sorted(set(served)),
        teams=teams,
        memberships=memberships,
        delegations=delegations,
        partners=partners,
        partner_id=partner_id,
        services=services,
        serve_staff=np.array([s for s, _ in served], dtype=np.int64),
        serve_line=np.array(
            [lines.index(ServiceLine(str(staff[s - 1]["service_line"]))) for s, _ in served], dtype=np.int64
        ),
        serve_muni=np.array([codes.index(c) for _, c in served], dtype=np.int64),
    )
