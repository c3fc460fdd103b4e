"""``build_demo``: generate the demo area and write it into the database in bulk."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.models import ServicePoint
from alue.area.service import sync_area
from alue.demo import params
from alue.demo.casework import build_casework
from alue.demo.columns import iso_dates, nullable_ids, timestamps
from alue.demo.generate import Generated, Progress, generate
from alue.demo.organisation import ascii_fold, build_organisation
from alue.demo.population import EDUCATION, GROUP_BITS, TONGUES, NamePools, assign_hetu, load_postcodes
from alue.demo.simulate import REASONS, STATUSES
from alue.demo.targets import month_text, official_series
from alue.demo.vacancies import INDUSTRIES, SIZES
from alue.demo.writer import BulkWriter, clear_demo_data
from alue.employers.models import EmploymentType
from alue.people.models import EmploymentKind, WorkingTime
from alue.services.models import ParticipationOutcome
from alue.shared import migrate
from alue.shared.identifiers import make_business_id
from alue.shared.time import today as helsinki_today

KINDS = [k.value for k in EmploymentKind]
WORKING_TIMES = [w.value for w in WorkingTime]
EMPLOYMENT_TYPES = [e.value for e in EmploymentType]
OUTCOMES = [o.value for o in ParticipationOutcome]
VACANCY_LANGUAGES = [["fi"], ["fi", "en"], ["en"], ["fi", "sv"]]
STATISTICS = ("unemployed_month_end", "labour_force", "open_vacancies")
CITIZENSHIP = {t: (c, share) for t, _, c, share in params.FOREIGN_TONGUES}


@dataclass
class DemoSummary:
    """What a build produced and how long it took."""

    seed: int
    scale: str
    start: str
    until: str
    municipalities: int
    rows: dict[str, int]
    seconds: dict[str, float]
    calibration_misses: int
    vacancy_misses: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / max(self.seconds.get("total", 0.0), 1e-9)


def build_demo(
    *,
    engine: Engine,
    area: Area,
    seed: int,
    scale: str = "area",
    start: str | None = None,
    until: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Build the demo area into ``engine``'s database, replacing an earlier demo.

    The database is migrated and the area synchronised first.

    Deterministic: the same seed, scale, window and ``today`` give identical database contents.
    """
    clock = time.perf_counter()
    today = today or helsinki_today()
    migrate.upgrade(engine)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        session.commit()
        points: dict[str, list[int]] = {}
        for sp in session.scalars(select(ServicePoint).order_by(ServicePoint.id)):
            points.setdefault(sp.municipality_code, []).append(sp.id)
    g = generate(area=area, seed=seed, scale=scale, start=start, until=until, today=today, progress=progress)
    seconds = dict(g.seconds)
    t = time.perf_counter()
    lf_by_code = {c: float(g.targets.labour_force[i, -1]) for i, c in enumerate(g.codes)}
    org = build_organisation(area, seed, lf_by_code)
    # meetings at the nearest service point of the municipality (offices for those without one)
    for code in g.codes:
        if code not in points and code in area.municipalities:
            nearest = min(
                (c for c in points),
                key=lambda c: area.distance_km(code, c) if c in area.municipalities else 1e9,
                default=None,
            )
            if nearest:
                points[code] = points[nearest]
    sqlite = engine.dialect.name == "sqlite"
    casework = build_casework(g, org, area, points, seed, timestamp_suffix=".000000" if sqlite else "")
    seconds["casework"] = time.perf_counter() - t

    t = time.perf_counter()
    clear_demo_data(engine, [f"KU{c}" for c in g.codes])
    seconds["clear"] = time.perf_counter() - t
    t = time.perf_counter()
    written: dict[str, int] = {}

    def on_rows(table: str, n: int) -> None:
        written[table] = written.get(table, 0) + n
        if progress:
            progress(f"writing {table}", sum(written.values()), 0)

    with BulkWriter(engine, on_rows=on_rows) as writer:
        _write_organisation(writer, org)
        _write_people(writer, g, seed)
        _write_employers_and_jobs(writer, g, seed)
        _write_statistics(writer, g, area)
        writer.write("service_need_assessment", casework.assessments)
        writer.write("meeting", casework.meetings)
        writer.write("employment_plan", casework.plans)
        writer.write("case_assignment", casework.assignments)
        writer.write("consent", casework.consents)
        writer.write("referral", casework.referrals)
        writer.write("employer_service_event", casework.employer_events)
    seconds["write"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - clock
    return DemoSummary(
        seed=seed,
        scale=scale,
        start=g.start,
        until=g.until,
        municipalities=len(g.codes),
        rows=dict(writer.rows),
        seconds=seconds,
        calibration_misses=len(g.world.misses),
        vacancy_misses=len(g.vacancies.misses),
        extra={"final_day": iso_dates([g.final_day])[0], "write_seconds": dict(writer.table_seconds)},
    )


def _write_organisation(writer: BulkWriter, org: Any) -> None:
    def cols(rows: list[dict[str, Any]], json_cols: tuple[str, ...] = ()) -> dict[str, Sequence[Any]]:
        if not rows:
            return {}
        out: dict[str, Sequence[Any]] = {k: [r[k] for r in rows] for k in rows[0]}
        for k in json_cols:
            out[k] = [json.dumps(v, ensure_ascii=False) for v in out[k]]
        for k, values in out.items():
            out[k] = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
        return out

    writer.write("partner", cols(org.partners))
    writer.write("service", cols(org.services, ("target_isco",)))
    writer.write("staff_member", cols(org.staff, ("languages",)))
    writer.write(
        "staff_municipality",
        {
            "staff_id": [s for s, _ in org.staff_municipalities],
            "municipality_code": [c for _, c in org.staff_municipalities],
        },
    )
    writer.write("team", cols(org.teams))
    writer.write("team_membership", cols(org.memberships))
    writer.write("delegation", cols(org.delegations, ("tasks",)))


def _pseudo_keys(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng([seed, 77])
    a = rng.integers(0, 2**63, n, dtype=np.int64)
    b = rng.integers(0, 2**63, n, dtype=np.int64)
    keys = [f"{x:016x}{y:016x}" for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    if len(set(keys)) != n:  # practically impossible; fall back to a hash of the row number
        keys = [hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=16).hexdigest() for i in range(n)]
    return keys


def _write_people(writer: BulkWriter, g: Generated, seed: int) -> None:
    rng = np.random.default_rng([seed, 3003])
    w = g.world
    P, R, S, SP, PA = w.P, w.R, w.S, w.SP, w.PA
    n = P.n
    birth, hetu = assign_hetu(rng, P["birth"].astype(np.int64), P["female"])
    P["birth"][:] = birth
    pools = NamePools(seed)
    tongue = P["tongue"].astype(np.int64)
    first, last = pools.names(rng, tongue, P["female"])
    home = R["muni"][P["res"]].astype(np.int64)
    all_codes = np.array(w.all_codes, dtype=object)
    home_codes = all_codes[home]
    postcodes = load_postcodes(g.data_dir, w.all_codes)
    pc_len = np.array([len(p) for p in postcodes])
    pc_pick = np.floor(rng.random(n) * pc_len[home]).astype(np.int64)
    postcode = np.array(
        [postcodes[m][k] for m, k in zip(home.tolist(), pc_pick.tolist(), strict=True)], dtype=object
    )
    streets = pools.streets(rng, tongue == 1)
    emails = []
    phones = []
    has_email = rng.random(n) < 0.85
    has_phone = rng.random(n) < 0.9
    numbers = rng.integers(0, 10000, n)
    for i, (f, la) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
        emails.append(
            f"{ascii_fold(f)}.{ascii_fold(la)}{i % 1000}@example.com".replace(" ", "") if has_email[i] else ""
        )
        phones.append(f"+358 40 000 {numbers[i]:04d}" if has_phone[i] else "")
    tongues = np.array(TONGUES, dtype=object)[tongue]
    service_language = np.where(
        tongue == 1, "sv", np.where((tongue >= 2) & (rng.random(n) < 0.35), "en", "fi")
    )
    citizenship = np.full(n, "FIN", dtype=object)
    for t_index, t in enumerate(TONGUES):
        if t in CITIZENSHIP:
            sel = np.flatnonzero((tongue == t_index) & (rng.random(n) < CITIZENSHIP[t][1]))
            citizenship[sel] = CITIZENSHIP[t][0]
    levels = ["basic", "fair", "good", "excellent"]
    fi_level = rng.integers(0, 4, n)
    en_level = rng.integers(0, 4, n)
    has_en = rng.random(n) < np.where(P["edu"] >= 3, 0.9, 0.55)
    lang_cache: dict[tuple[int, int, int], str] = {}
    languages = []
    for t_i, fl, el in zip(
        tongue.tolist(), fi_level.tolist(), np.where(has_en, en_level, -1).tolist(), strict=True
    ):
        key = (t_i, fl, el)
        text = lang_cache.get(key)
        if text is None:
            mother = TONGUES[t_i]
            lang = {mother: "native"}
            if mother != "fi" and (mother != "en" or fl > 1):
                lang["fi"] = levels[fl]
            if el >= 0 and mother != "en":
                lang["en"] = levels[el]
            text = lang_cache[key] = json.dumps(lang, ensure_ascii=False)
        languages.append(text)
    writer.write(
        "person",
        {
            "id": np.arange(1, n + 1),
            "customer_number": [f"A{i:09d}" for i in range(1, n + 1)],
            "hetu": hetu.tolist(),
            "pseudo_key": _pseudo_keys(seed, n),
            "first_name": first,
            "last_name": last,
            "birth_date": iso_dates(birth),
            "gender": np.where(P["female"], "female", "male").astype(object),
            "home_municipality_code": home_codes,
            "street_address": streets,
            "postcode": postcode,
            "phone": phones,
            "email": emails,
            "mother_tongue": tongues,
            "service_language": service_language.astype(object),
            "citizenship": citizenship,
            "education_level": np.array([e.value for e in EDUCATION], dtype=object)[
                P["edu"].astype(np.int64)
            ],
            "languages": languages,
            "driving_licence": P["licence"],
            "commute_reach_km": P["reach"],
            "working_time_preference": np.array(WORKING_TIMES, dtype=object)[P["wtpref"].astype(np.int64)],
            # Helsinki wall-clock time: text on SQLite, read in the session's time zone on PostgreSQL
            "created_at": timestamps(
                P["first_reg"], np.full(n, 8 * 60), ".000000" if writer.dialect == "sqlite" else ""
            ),
        },
    )
    writer.write(
        "person_residence",
        {
            "id": np.arange(1, R.n + 1),
            "person_id": R["person"] + 1,
            "municipality_code": all_codes[R["muni"].astype(np.int64)],
            "start_date": iso_dates(R["start"]),
            "end_date": iso_dates(R["end"]),
        },
    )

    # occupations: the sought occupation, sometimes a second one and an earlier one
    occ = g.occ
    esco_uri = np.array([o.uri for o in occ.occupations], dtype=object)
    esco_isco = np.array([o.isco4 for o in occ.occupations], dtype=object)
    esco_label = np.array([o.label_fi for o in occ.occupations], dtype=object)
    age_first = (P["first_reg"] - birth) / 365.25
    second = np.flatnonzero(rng.random(n) < 0.35)
    earlier = np.flatnonzero((rng.random(n) < 0.45) & (age_first > 22))
    g2 = occ.nearby_group(rng, P["isco"][second].astype(np.int64), (0.0, 0.8, 0.2, 0.0))
    g3 = occ.nearby_group(rng, P["isco"][earlier].astype(np.int64), (0.0, 0.5, 0.3, 0.2))
    o_person = np.r_[np.arange(n), second, earlier]
    o_occ = np.r_[P["occ"].astype(np.int64), occ.pick_occupation(rng, g2), occ.pick_occupation(rng, g3)]
    o_target = np.r_[np.ones(n + len(second), dtype=bool), np.zeros(len(earlier), dtype=bool)]
    max_exp = np.maximum((age_first[o_person] - 18) * 12, 0)
    experience = np.floor(rng.random(len(o_person)) * max_exp).astype(np.int64)
    experience[n : n + len(second)] //= 4
    reg_year = (
        P["first_reg"][o_person].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    last_year = reg_year - rng.integers(0, 4, len(o_person))
    last_year = np.where(experience > 0, last_year, -1)
    order = np.argsort(o_person, kind="stable")
    writer.write(
        "person_occupation",
        {
            "id": np.arange(1, len(o_person) + 1),
            "person_id": o_person[order] + 1,
            "esco_uri": esco_uri[o_occ][order],
            "esco_version": [occ.version] * len(o_person),
            "isco4": esco_isco[o_occ][order],
            "label": esco_label[o_occ][order],
            "is_target": o_target[order],
            "experience_months": experience[order],
            "last_worked_year": nullable_ids(last_year[order]),
        },
    )

    # recorded customer groups (the derived ones are never stored)
    gm_person, gm_group = [], []
    for name, bit in GROUP_BITS.items():
        sel = np.flatnonzero(P["groups"] & bit)
        gm_person.append(sel)
        gm_group.append(np.full(len(sel), name, dtype=object))
    gp = np.concatenate(gm_person)
    gg = np.concatenate(gm_group)
    order = np.argsort(gp, kind="stable")
    gp, gg = gp[order], gg[order]
    writer.write(
        "customer_group_membership",
        {
            "id": np.arange(1, len(gp) + 1),
            "person_id": gp + 1,
            "group": gg,
            "start_date": iso_dates(P["first_reg"][gp]),
            "end_date": [None] * len(gp),
            "source": np.where(gg == "immigrant", "registration", "assessment").astype(object),
        },
    )

    reasons = np.array([r.value for r in REASONS] + [None], dtype=object)
    writer.write(
        "jobseeking_spell",
        {
            "id": np.arange(1, S.n + 1),
            "person_id": S["person"] + 1,
            "start_date": iso_dates(S["start"]),
            "end_date": iso_dates(S["end"]),
            "municipality_code": np.array(g.codes, dtype=object)[S["muni"].astype(np.int64)],
            "end_reason": reasons[np.where(S["reason"] >= 0, S["reason"], len(REASONS))],
        },
    )
    order = np.lexsort((SP["start"], SP["spell"]))
    statuses = np.array([s.value for s in STATUSES], dtype=object)
    writer.write(
        "status_period",
        {
            "id": np.arange(1, SP.n + 1),
            "spell_id": SP["spell"][order] + 1,
            "person_id": SP["person"][order] + 1,
            "status": statuses[SP["status"][order].astype(np.int64)],
            "start_date": iso_dates(SP["start"][order]),
            "end_date": iso_dates(SP["end"][order]),
        },
    )
    order = np.lexsort((PA["start"], PA["person"]))
    writer.write(
        "participation",
        {
            "id": np.arange(1, PA.n + 1),
            "person_id": PA["person"][order] + 1,
            "service_id": PA["service"][order].astype(np.int64) + 1,
            "spell_id": PA["spell"][order] + 1,
            "referred_on": iso_dates(PA["referred"][order]),
            "start_date": iso_dates(PA["start"][order]),
            "end_date": iso_dates(PA["end"][order]),
            "cost": np.round(PA["cost"][order], 2),
            "outcome": np.array(OUTCOMES, dtype=object)[PA["outcome"][order].astype(np.int64)],
        },
    )


def _write_employers_and_jobs(writer: BulkWriter, g: Generated, seed: int) -> None:
    rng = np.random.default_rng([seed, 4004])
    E = g.employers.table
    n = E.n
    serials: list[str] = []
    serial = 2_900_000 + (seed % 1000) * 1000
    while len(serials) < n:
        serial += 1
        try:
            serials.append(make_business_id(serial))
        except ValueError:
            continue
    pools = NamePools(seed + 5, pool_size=300)
    surnames = pools.last["fi"]
    words = {
        "A": "Maatila",
        "B": "Kaivos",
        "C": "Konepaja",
        "D": "Energia",
        "E": "Ympäristöhuolto",
        "F": "Rakennus",
        "G": "Kauppa",
        "H": "Kuljetus",
        "I": "Ravintola",
        "J": "Digi",
        "K": "Talous",
        "L": "Kiinteistöt",
        "M": "Suunnittelu",
        "N": "Palvelut",
        "O": "Hallintopalvelut",
        "P": "Koulutus",
        "Q": "Hoiva",
        "R": "Liikunta",
        "S": "Palvelu",
    }
    suffixes = np.array(["Oy", "Oy", "Oy", "Ky", "Tmi", "Oy Ab"], dtype=object)
    industry = np.array(INDUSTRIES, dtype=object)[E["industry"].astype(np.int64)]
    base = surnames[rng.integers(0, len(surnames), n)]
    suffix = suffixes[rng.integers(0, len(suffixes), n)]
    names = [
        f"{b} {words[i]} {s}" if rng_v < 0.7 else f"{b} {s}"
        for b, i, s, rng_v in zip(
            base.tolist(), industry.tolist(), suffix.tolist(), rng.random(n).tolist(), strict=True
        )
    ]
    founder = E["founder"].astype(np.int64)
    names = [
        f"{nm.rsplit(' ', 1)[0]} Tmi" if f >= 0 else nm for nm, f in zip(names, founder.tolist(), strict=True)
    ]
    codes = np.array(g.codes, dtype=object)
    writer.write(
        "employer",
        {
            "id": np.arange(1, n + 1),
            "business_id": serials,
            "name": names,
            "municipality_code": codes[E["muni"].astype(np.int64)],
            "industry": industry,
            "size_class": np.array(SIZES, dtype=object)[E["size"].astype(np.int64)],
            "founded_on": iso_dates(E["founded"]),
            "founded_by_person_id": nullable_ids(founder, offset=1),
        },
    )

    V = g.vacancies.V
    occ = g.occ
    esco_uri = np.array([o.uri for o in occ.occupations], dtype=object)
    labels = [o.label_fi for o in occ.occupations]
    isco = np.array(occ.groups, dtype=object)
    nv = V.n
    order = np.argsort(V["published"], kind="stable")
    vac_id = np.empty(nv, dtype=np.int64)
    vac_id[order] = np.arange(1, nv + 1)
    muni_names = {c: g.infos[c].name_fi for c in g.codes}
    wt_text = {0: "kokoaikainen", 1: "osa-aikainen", 2: "sopimuksen mukaan"}
    et_text = {0: "vakituinen", 1: "määräaikainen", 2: "kausityö"}
    lang_text = {0: "suomi", 1: "suomi ja englanti", 2: "englanti", 3: "suomi ja ruotsi"}
    tmt = rng.random(nv) < params.TMT_SHARE
    titles, descriptions = [], []
    for i in order.tolist():
        label = labels[int(V["occ"][i])]
        title = label[:1].upper() + label[1:]
        titles.append(title[:200])
        muni = muni_names[g.codes[int(V["muni"][i])]]
        text = (
            f"{title}, {muni}. Työaika: {wt_text[int(V['wt'][i])]}. Työsuhde: {et_text[int(V['etype'][i])]}. "
            f"Työkieli: {lang_text[int(V['lang'][i])]}."
        )
        if V["licence"][i]:
            text += " B-ajokortti vaaditaan."
        if V["remote"][i]:
            text += " Osittainen etätyö mahdollista."
        descriptions.append(text)
    min_edu = np.array([e.value for e in EDUCATION] + [None], dtype=object)
    me = V["min_edu"].astype(np.int64)
    writer.write(
        "vacancy",
        {
            "id": np.arange(1, nv + 1),
            "employer_id": V["employer"][order] + 1,
            "source": np.where(tmt[order], "tmt", "alue").astype(object),
            "external_id": [
                f"TMT-{seed % 1000:03d}-{k:08d}" if t else None
                for k, t in zip(range(1, nv + 1), tmt[order].tolist(), strict=True)
            ],
            "title": titles,
            "description": descriptions,
            "esco_uri": esco_uri[V["occ"][order].astype(np.int64)],
            "esco_version": [occ.version] * nv,
            "isco4": isco[V["isco"][order].astype(np.int64)],
            "municipality_code": codes[V["muni"][order].astype(np.int64)],
            "positions": V["positions"][order],
            "published_on": iso_dates(V["published"][order]),
            "closes_on": iso_dates(V["closes"][order]),
            "filled_on": iso_dates(V["filled"][order]),
            "working_time": np.array(WORKING_TIMES, dtype=object)[V["wt"][order].astype(np.int64)],
            "employment_type": np.array(EMPLOYMENT_TYPES, dtype=object)[V["etype"][order].astype(np.int64)],
            "languages": np.array([json.dumps(v) for v in VACANCY_LANGUAGES], dtype=object)[
                V["lang"][order].astype(np.int64)
            ],
            "driving_licence_required": V["licence"][order],
            "remote_possible": V["remote"][order],
            "min_education": min_edu[np.where(me[order] >= 0, me[order], len(EDUCATION))],
        },
    )

    EE = g.world.EE
    ne = EE.n
    vacancy_of_ee = np.full(ne, -1, dtype=np.int64)
    taken = np.flatnonzero(V["taken"])
    vacancy_of_ee[V["ee"][taken].astype(np.int64)] = vac_id[taken]
    order = np.lexsort((EE["start"], EE["person"]))
    writer.write(
        "employment_episode",
        {
            "id": np.arange(1, ne + 1),
            "person_id": EE["person"][order] + 1,
            "employer_id": EE["employer"][order] + 1,
            "vacancy_id": nullable_ids(vacancy_of_ee[order]),
            "esco_uri": esco_uri[EE["occ"][order].astype(np.int64)],
            "isco4": isco[EE["isco"][order].astype(np.int64)],
            "kind": np.array(KINDS, dtype=object)[EE["kind"][order].astype(np.int64)],
            "working_time": np.array(WORKING_TIMES, dtype=object)[EE["wt"][order].astype(np.int64)],
            "municipality_code": codes[EE["muni"][order].astype(np.int64)],
            "start_date": iso_dates(EE["start"][order]),
            "end_date": iso_dates(EE["end"][order]),
        },
    )


def _write_statistics(writer: BulkWriter, g: Generated, area: Area) -> None:
    """Official series (all published months), the projection, and the demo's own count-day tallies."""
    codes = [f"KU{c}" for c in g.codes]
    rows: dict[str, list[Any]] = {
        k: [] for k in ("statistic", "area_code", "month", "value", "source", "note")
    }

    def add(stat: str, code: str, month: str, value: float, source: str, note: str) -> None:
        rows["statistic"].append(stat)
        rows["area_code"].append(code)
        rows["month"].append(month)
        rows["value"].append(float(value))
        rows["source"].append(source)
        rows["note"].append(note)

    for stat in STATISTICS:
        series = official_series(area.data_dir, codes, stat)
        first = series.first_month
        values = series.values
        for i, code in enumerate(codes):
            ok = np.flatnonzero(~np.isnan(values[i]))
            for t in ok.tolist():
                add(
                    stat,
                    code,
                    month_text(first + t),
                    values[i, t],
                    "official",
                    "Tilastokeskus, työnvälitystilasto",
                )
    targets = g.targets
    months = targets.months
    for t, month in enumerate(months):
        if targets.official[t]:
            continue
        for i, code in enumerate(codes):
            add(
                "unemployed_month_end",
                code,
                month,
                targets.unemployed[i, t],
                "projected",
                "bridged to the January 2026 rate, official seasonal pattern",
            )
            add(
                "labour_force",
                code,
                month,
                targets.labour_force[i, t],
                "projected",
                "last official figure carried",
            )
            add(
                "open_vacancies",
                code,
                month,
                targets.vacancies[i, t],
                "projected",
                "last official level against unemployment, official seasonal pattern",
            )
    tally_u = g.world.tally
    tally_v = g.vacancies.tally
    full_months = len(tally_u) if g.final_day >= int(g.count_days[-1]) else len(tally_u) - 1
    note = f"demo build (seed {g.seed}), count on the last working day"
    for t in range(full_months):
        for i, code in enumerate(codes):
            add("unemployed_month_end", code, months[t], tally_u[t][i], "demo", note)
            add("labour_force", code, months[t], targets.labour_force[i, t], "demo", note)
            add("open_vacancies", code, months[t], tally_v[t][i], "demo", note)
    writer.write("area_statistic", rows)
