"""Import kinds for partners, the service catalogue and participations in services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.io.fields import (
    Boolean,
    BusinessId,
    Choice,
    Column,
    Date,
    Email,
    Integer,
    IscoList,
    Money,
    MunicipalityCode,
    Text,
)
from alue.io.kinds.base import PERSON_ID, ImportContext, Kind, ParsedRow, chunks, person_columns, upsert
from alue.io.labels import OUTCOME_LABELS, PRODUCTION_LABELS, SERVICE_KIND_LABELS, SERVICE_LINE_LABELS
from alue.io.messages import Message, quote
from alue.people.models import JobseekingSpell, Person
from alue.services.models import (
    Participation,
    ParticipationOutcome,
    Partner,
    PartnerKind,
    Production,
    Service,
    ServiceKind,
)
from alue.staff.models import ServiceLine

PLAIN = r"[^\x00-\x1f\x7f]*"
NO_CONTROL = Message("without control characters")
PARTNER_KIND_LABELS = {
    "employer": ("työnantaja",),
    "private_recruitment": ("yksityinen rekrytointipalvelu", "henkilöstöpalveluyritys"),
    "wellbeing_services_county": ("hyvinvointialue",),
    "service_provider": ("palveluntuottaja",),
    "state_agency": ("valtion viranomainen", "viranomainen"),
    "municipal": ("kunta", "kunnan toimija"),
    "educational_institution": ("oppilaitos",),
    "ngo": ("järjestö", "yhdistys"),
    "project": ("hanke", "projekti"),
}


class PartnersKind(Kind):
    name = "partners"
    title = "Partners (kumppanit)"
    summary = "One row per partner organisation; services name their provider by the partner's name."
    natural_key = "`name`"
    personal = False
    columns = (
        Column(
            "name",
            Text(200, r"[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*", NO_CONTROL),
            "name",
            "Satakunnan hyvinvointialue",
            required=True,
            aliases=("nimi", "kumppani", "namn"),
            rules="unique in the file",
        ),
        Column(
            "kind",
            Choice(PartnerKind, PARTNER_KIND_LABELS),
            "kind of partner",
            "wellbeing_services_county",
            required=True,
            aliases=("laji", "tyyppi", "typ"),
        ),
        Column(
            "business_id", BusinessId(), "Y-tunnus", "0112038-9", aliases=("ytunnus", "y-tunnus", "fo-nummer")
        ),
        Column("municipality", MunicipalityCode(), "municipality", "609", aliases=("kunta", "kommun")),
        Column(
            "contact_email",
            Email(),
            "contact e-mail",
            "info@example.fi",
            aliases=("sahkoposti", "yhteystieto", "epost"),
            default="",
        ),
        Column(
            "description",
            Text(5000),
            "description",
            "Sote-palvelut",
            aliases=("kuvaus", "beskrivning"),
            default="",
        ),
        Column(
            "partnership_agreement",
            Boolean(),
            "signed partnership agreement",
            "true",
            aliases=("kumppanuussopimus", "sopimus", "avtal"),
            default=False,
        ),
        Column(
            "active", Boolean(), "active", "true", aliases=("aktiivinen", "voimassa", "aktiv"), default=True
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "kind": "kind",
        "business_id": "business_id",
        "municipality": "municipality_code",
        "contact_email": "contact_email",
        "description": "description",
        "partnership_agreement": "partnership_agreement",
        "active": "active",
    }

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        names = sorted({r.values["name"] for r in good})
        existing: dict[str, Partner] = {}
        for part in chunks(names):
            existing.update(
                (p.name, p) for p in session.scalars(select(Partner).where(Partner.name.in_(part)))
            )
        for row in good:
            name = row.values["name"]
            if not ctx.claim(row, ("partner", name), "name", Message("partner name")):
                continue
            insert = {**self.insert_values(row.values, self.MAPPING), "name": name}
            existing[name] = upsert(
                session,
                row,
                existing.get(name),
                Partner,
                insert,
                self.update_values(row.values, self.MAPPING),
            )
        session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        for p in session.scalars(select(Partner).order_by(Partner.name)).yield_per(1000):
            yield {"name": p.name, **{column: getattr(p, attr) for column, attr in self.MAPPING.items()}}


class ServicesKind(Kind):
    name = "services"
    title = "Service catalogue (palveluvalikoima)"
    summary = (
        "One row per service in the area's catalogue. Import `partners` first when services name a provider."
    )
    natural_key = "`code`"
    personal = False
    columns = (
        Column(
            "code",
            Text(30, r"[A-Za-z0-9_.-]+", Message("letters, digits, _ . and -")),
            "service code",
            "TYK-2025-01",
            required=True,
            aliases=("koodi", "palvelukoodi", "tunnus", "kod"),
            rules="unique in the file",
        ),
        Column(
            "name_fi",
            Text(200, PLAIN + r"\S" + PLAIN, NO_CONTROL),
            "name in Finnish",
            "Hitsaajien työvoimakoulutus",
            required=True,
            aliases=("nimi", "nimi_fi", "palvelu", "namn_fi"),
        ),
        Column(
            "name_sv",
            Text(200, PLAIN, NO_CONTROL),
            "name in Swedish; blank: the Finnish name",
            "Arbetskraftsutbildning för svetsare",
            aliases=("nimi_sv", "ruotsiksi", "namn_sv", "namn"),
        ),
        Column(
            "name_en",
            Text(200, PLAIN, NO_CONTROL),
            "name in English; blank: the Finnish name",
            "Labour-market training for welders",
            aliases=("nimi_en", "englanniksi", "namn_en"),
        ),
        Column(
            "kind",
            Choice(ServiceKind, SERVICE_KIND_LABELS),
            "kind of service",
            "labour_market_training",
            required=True,
            aliases=("laji", "palvelulaji", "palvelutyyppi", "typ"),
        ),
        Column(
            "production",
            Choice(Production, PRODUCTION_LABELS),
            "own or purchased",
            "purchased",
            required=True,
            aliases=("tuotanto", "tuotantotapa", "produktion"),
        ),
        Column(
            "provider",
            Text(200),
            "provider: the name of a partner",
            "Satakunnan koulutuskuntayhtymä Sataedu",
            aliases=("palveluntuottaja", "tuottaja", "jarjestaja", "anordnare"),
            rules="the partner must exist (import partners first)",
        ),
        Column(
            "service_line",
            Choice(ServiceLine, SERVICE_LINE_LABELS),
            "service line (palvelulinja)",
            "skills",
            required=True,
            aliases=("palvelulinja", "linja", "servicelinje"),
        ),
        Column(
            "unit_cost",
            Money(),
            "cost per participant, €",
            "4500.00",
            required=True,
            aliases=("yksikkohinta", "hinta", "kustannus", "pris"),
        ),
        Column(
            "typical_duration_days",
            Integer(1, 3650),
            "typical duration in days",
            "90",
            required=True,
            aliases=("kesto_pv", "kesto", "kesto_paivaa", "langd"),
        ),
        Column(
            "target_isco",
            IscoList(),
            "target occupations (short trainings into shortage occupations)",
            "7212,7214",
            aliases=("kohde_isco", "kohdeammatit", "isco"),
            default=[],
        ),
        Column(
            "active",
            Boolean(),
            "in the catalogue now",
            "true",
            aliases=("aktiivinen", "voimassa", "aktiv"),
            default=True,
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "name_fi": "name_fi",
        "name_sv": "name_sv",
        "name_en": "name_en",
        "kind": "kind",
        "production": "production",
        "service_line": "service_line",
        "unit_cost": "unit_cost",
        "typical_duration_days": "typical_duration_days",
        "target_isco": "target_isco",
        "active": "active",
    }

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        ctx.services.prefetch(r.values["code"] for r in good)
        providers = {r.values["provider"] for r in good if r.values.get("provider")}
        partner_ids: dict[str, int] = {}
        for part in chunks(sorted(providers)):
            query = select(Partner.name, Partner.id).where(Partner.name.in_(part))
            partner_ids.update(dict(session.execute(query).all()))
        for row in good:
            code = row.values["code"]
            if not ctx.claim(row, ("service", code), "code", Message("service code")):
                continue
            insert = self.insert_values(row.values, self.MAPPING)
            update = self.update_values(row.values, self.MAPPING)
            for values in (insert, update):
                for lang in ("name_sv", "name_en"):
                    if lang in values and not values[lang]:
                        values[lang] = row.values["name_fi"]
            if "provider" in row.values:
                provider = row.values["provider"]
                if provider and provider not in partner_ids:
                    row.error("provider", Message("no partner named %(name)s", name=quote(provider)))
                    continue
                insert["provider_id"] = update["provider_id"] = (
                    partner_ids.get(provider) if provider else None
                )
            insert["code"] = code
            ctx.services.cache[code] = upsert(
                session, row, ctx.services.cache.get(code), Service, insert, update
            )
        session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(Service, Partner.name)
            .outerjoin(Partner, Partner.id == Service.provider_id)
            .order_by(Service.code)
        )
        for s, provider in session.execute(query).yield_per(1000):
            yield {
                "code": s.code,
                "provider": provider,
                **{column: getattr(s, attr) for column, attr in self.MAPPING.items()},
            }


class ParticipationsKind(Kind):
    name = "participations"
    title = "Participations in services (palveluun osallistumiset)"
    summary = "One row per participation of a person in a service of the catalogue."
    natural_key = "person + `service_code` + `start_date`"
    one_of = (("hetu", "customer_number"),)
    columns = (
        *person_columns(),
        Column(
            "service_code",
            Text(30),
            "the service's code",
            "TYK-2025-01",
            required=True,
            aliases=("palvelukoodi", "palvelu", "koodi", "service", "tjanst"),
            rules="the service must exist (import services first)",
        ),
        Column(
            "spell_start_date",
            Date(),
            "start date of the jobseeking spell the participation belongs to",
            "2025-01-02",
            aliases=("tyonhakujakso_alkupvm", "jakso_alkupvm", "jakson_alkupvm"),
            rules="the person must have a spell that starts on this date",
        ),
        Column(
            "referred_on",
            Date(),
            "date of the referral",
            "2025-02-10",
            required=True,
            aliases=("ohjattu", "ohjauspvm", "ohjaus_pvm", "hanvisad"),
        ),
        Column(
            "start_date",
            Date(),
            "first day in the service",
            "2025-03-03",
            required=True,
            aliases=("alkupvm", "alkaa", "startdatum"),
        ),
        Column(
            "end_date",
            Date(),
            "last day (inclusive); blank while it lasts",
            "2025-05-30",
            aliases=("loppupvm", "paattyy", "slutdatum"),
            rules="not before `start_date`",
        ),
        Column(
            "cost",
            Money(),
            "cost of this participation, €; blank: the service's unit cost",
            "4500.00",
            aliases=("kustannus", "hinta", "kostnad"),
        ),
        Column(
            "outcome",
            Choice(ParticipationOutcome, OUTCOME_LABELS),
            "outcome",
            "completed",
            required=True,
            aliases=("tulos", "lopputulos", "tila", "resultat"),
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "referred_on": "referred_on",
        "end_date": "end_date",
        "cost": "cost",
        "outcome": "outcome",
    }

    def check(self, row: ParsedRow) -> None:
        start, end = row.values.get("start_date"), row.values.get("end_date")
        if start and end and end < start:
            row.error(
                "end_date",
                Message(
                    "the participation ends (%(end)s) before it starts (%(start)s)", end=end, start=start
                ),
            )

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        ctx.persons.prefetch(good)
        ctx.services.prefetch(r.values["service_code"] for r in good)
        resolved: list[tuple[ParsedRow, int, Service]] = []
        for row in good:
            pid = ctx.persons.resolve(row)
            service = ctx.services.get(row.values["service_code"])
            if service is None:
                code = quote(row.values["service_code"])
                row.error("service_code", Message("no service with code %(code)s", code=code))
            if pid is None or service is None:
                continue
            claim_key = ("participation", pid, service.id, row.values["start_date"])
            what = Message("participation (person, service and start date)")
            if ctx.claim(row, claim_key, "start_date", what):
                resolved.append((row, pid, service))
        person_ids = sorted({pid for _, pid, _ in resolved})
        spells: dict[tuple[int, dt.date], int] = {}
        existing: dict[tuple[int, int, dt.date], Participation] = {}
        for part in chunks(person_ids):
            query = select(JobseekingSpell.person_id, JobseekingSpell.start_date, JobseekingSpell.id)
            for pid, start, sid in session.execute(query.where(JobseekingSpell.person_id.in_(part))):
                spells[(pid, start)] = sid
            found = session.scalars(
                select(Participation).where(Participation.person_id.in_(part)).order_by(Participation.id)
            )
            for p in found:
                existing.setdefault((p.person_id, p.service_id, p.start_date), p)
        for row, pid, service in resolved:
            spell_id = None
            if row.values.get("spell_start_date"):
                spell_id = spells.get((pid, row.values["spell_start_date"]))
                if spell_id is None:
                    row.error(
                        "spell_start_date",
                        Message(
                            "the person has no spell starting %(date)s", date=row.values["spell_start_date"]
                        ),
                    )
                    continue
            insert = self.insert_values(row.values, self.MAPPING)
            update = self.update_values(row.values, self.MAPPING)
            for values in (insert, update):
                if "cost" in values and values["cost"] is None:
                    values["cost"] = service.unit_cost
            insert.update(
                person_id=pid, service_id=service.id, start_date=row.values["start_date"], spell_id=spell_id
            )
            if "spell_start_date" in row.values:
                update["spell_id"] = spell_id
            key = (pid, service.id, row.values["start_date"])
            existing[key] = upsert(session, row, existing.get(key), Participation, insert, update)
        session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(
                Participation, Person.hetu, Person.customer_number, Service.code, JobseekingSpell.start_date
            )
            .join(Person, Person.id == Participation.person_id)
            .join(Service, Service.id == Participation.service_id)
            .outerjoin(JobseekingSpell, JobseekingSpell.id == Participation.spell_id)
            .order_by(Person.hetu, Service.code, Participation.start_date, Participation.id)
        )
        for p, hetu, number, code, spell_start in session.execute(query).yield_per(1000):
            yield {
                PERSON_ID: p.person_id,
                "hetu": hetu,
                "customer_number": number,
                "service_code": code,
                "spell_start_date": spell_start,
                "start_date": p.start_date,
                **{column: getattr(p, attr) for column, attr in self.MAPPING.items()},
            }
