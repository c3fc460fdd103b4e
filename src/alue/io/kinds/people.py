"""Import kinds for people: persons, jobseeking spells with their status periods, employment episodes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from alue.employers.models import Employer, Vacancy
from alue.io.fields import (
    Boolean,
    Choice,
    Column,
    Date,
    Email,
    Hetu,
    Integer,
    Isco4,
    Language,
    LanguageLevels,
    MunicipalityCode,
    Postcode,
    Text,
)
from alue.io.kinds.base import (
    PERSON_ID,
    ImportContext,
    Kind,
    ParsedRow,
    assign,
    chunks,
    employer_column,
    person_columns,
    upsert,
    vacancy_key,
)
from alue.io.labels import (
    EDUCATION_LABELS,
    EMPLOYMENT_KIND_LABELS,
    SPELL_END_LABELS,
    STATUS_LABELS,
    WORKING_TIME_LABELS,
)
from alue.io.messages import Message, quote
from alue.people.models import (
    EducationLevel,
    EmploymentEpisode,
    EmploymentKind,
    Gender,
    JobseekingSpell,
    Person,
    Residence,
    SpellEndReason,
    Status,
    StatusPeriod,
    WorkingTime,
)
from alue.shared.identifiers import CENTURY_OF_SIGN
from alue.shared.time import DateRange, today

NAME = r"[^\x00-\x1f\x7f]*"  # no control characters
NO_CONTROL = Message("without control characters")
ISO = "ISO 8601 date"


def _birth_date(hetu: str) -> dt.date:
    """Birth date of a HETU already validated by the parser (``hetu_birth_date`` would validate it again)."""
    return dt.date(CENTURY_OF_SIGN[hetu[6]] + int(hetu[4:6]), int(hetu[2:4]), int(hetu[0:2]))


class PersonsKind(Kind):
    name = "persons"
    title = "Persons (henkilöasiakkaat)"
    summary = (
        "One row per person customer. Birth date and gender come from the HETU. A column left out of "
        "the file is not touched on existing persons; a blank cell sets the column's default. "
        "The home municipality is also kept over time (`person_residence`: figures are attributed to the "
        "municipality on the count day). A new person, or a person without residence history, gets a "
        "residence from `home_municipality_since`, or from the import date when that is blank or absent "
        "(the file has no registration date of its own, and the import date is the first day the area "
        "knows the municipality). When a row changes a person's home municipality, the open residence "
        "ends the day before the new one starts (`home_municipality_since`, else the import date); a "
        "start before the open residence's start is a row error. The same municipality with another "
        "`home_municipality_since` corrects the start of the open residence."
    )
    natural_key = "`hetu`"
    columns = (
        Column(
            "hetu",
            Hetu(),
            "henkilötunnus (personal identity code)",
            "010190-901R",
            required=True,
            aliases=("henkilotunnus", "sotu", "personbeteckning"),
            rules="unique in the file",
        ),
        Column(
            "customer_number",
            Text(12, r"[0-9A-Za-z-]+", Message("letters, digits and -")),
            "customer number (asiakasnumero)",
            "1002003004",
            aliases=("asiakasnumero", "asiakasnro", "kundnummer"),
            rules="unique; blank: an existing person keeps theirs, a new person gets a generated one",
        ),
        Column(
            "first_name",
            Text(80, NAME, NO_CONTROL),
            "first name(s)",
            "Aino",
            required=True,
            aliases=("etunimi", "etunimet", "fornamn"),
        ),
        Column(
            "last_name",
            Text(80, NAME, NO_CONTROL),
            "last name",
            "Virtanen",
            required=True,
            aliases=("sukunimi", "efternamn"),
        ),
        Column(
            "home_municipality",
            MunicipalityCode(),
            "home municipality (kotikunta)",
            "609",
            required=True,
            aliases=("kotikunta", "kunta", "hemkommun", "municipality"),
        ),
        Column(
            "home_municipality_since",
            Date(),
            "first day in the home municipality (kotikunta alkaen)",
            "2024-06-01",
            aliases=("kotikunta_alkaen", "kotikunta_alkupvm", "hemkommun_fran"),
            rules="blank: the import date, for a new residence; see above",
        ),
        Column(
            "street_address",
            Text(200, NAME, NO_CONTROL),
            "street address",
            "Itsenäisyydenkatu 1",
            aliases=("lahiosoite", "katuosoite", "osoite", "address"),
            default="",
        ),
        Column(
            "postcode", Postcode(), "postal code", "28100", aliases=("postinumero", "postnummer"), default=""
        ),
        Column(
            "phone",
            Text(40, r"[0-9 +()-]*", Message("a phone number (digits, spaces, + ( ) -)")),
            "phone number",
            "+358 40 123 4567",
            aliases=("puhelin", "puhelinnumero", "matkapuhelin", "telefon"),
            default="",
        ),
        Column(
            "email",
            Email(),
            "e-mail address",
            "aino.virtanen@example.fi",
            aliases=("sahkoposti", "email", "epost"),
            default="",
        ),
        Column(
            "mother_tongue",
            Language(),
            "mother tongue (äidinkieli)",
            "fi",
            required=True,
            aliases=("aidinkieli", "modersmal"),
        ),
        Column(
            "service_language",
            Language(("fi", "sv", "en")),
            "language of service (asiointikieli)",
            "fi",
            required=True,
            aliases=("asiointikieli", "kieli", "sprak"),
        ),
        Column(
            "citizenship",
            Text(3, r"[A-Z]{3}", Message("an ISO 3166 alpha-3 country code such as FIN"), upper=True),
            "citizenship (kansalaisuus)",
            "FIN",
            aliases=("kansalaisuus", "medborgarskap"),
            default="FIN",
        ),
        Column(
            "education_level",
            Choice(EducationLevel, EDUCATION_LABELS),
            "highest education (koulutusaste)",
            "vocational",
            aliases=("koulutusaste", "koulutus", "utbildningsniva"),
            default=EducationLevel.UNKNOWN,
        ),
        Column(
            "languages",
            LanguageLevels(),
            "working languages with level (kielitaito)",
            "fi:native,en:good",
            aliases=("kielitaito", "kielet", "sprakkunskaper"),
            default={},
        ),
        Column(
            "driving_licence",
            Boolean(),
            "has a driving licence (ajokortti)",
            "true",
            aliases=("ajokortti", "korkort"),
            default=False,
        ),
        Column(
            "commute_reach_km",
            Integer(0, 1000),
            "how far the person is ready to commute, km",
            "30",
            aliases=("tyomatka_km", "tyomatka", "liikkumisalue_km", "liikkumisalue"),
            default=30,
        ),
        Column(
            "working_time_preference",
            Choice(WorkingTime, WORKING_TIME_LABELS),
            "working time sought",
            "full_time",
            aliases=("tyoaikatoive", "tyoaika", "arbetstid"),
            default=WorkingTime.ANY,
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "first_name": "first_name",
        "last_name": "last_name",
        "home_municipality": "home_municipality_code",
        "street_address": "street_address",
        "postcode": "postcode",
        "phone": "phone",
        "email": "email",
        "mother_tongue": "mother_tongue",
        "service_language": "service_language",
        "citizenship": "citizenship",
        "education_level": "education_level",
        "languages": "languages",
        "driving_licence": "driving_licence",
        "commute_reach_km": "commute_reach_km",
        "working_time_preference": "working_time_preference",
    }

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        hetus = sorted({r.values["hetu"] for r in good})
        numbers = sorted({r.values["customer_number"] for r in good if r.values.get("customer_number")})
        existing: dict[str, Person] = {}
        for part in chunks(hetus):
            existing.update((p.hetu, p) for p in session.scalars(select(Person).where(Person.hetu.in_(part))))
        history: dict[int, list[Residence]] = defaultdict(list)
        for part in chunks(sorted(p.id for p in existing.values())):
            query = select(Residence).where(Residence.person_id.in_(part)).order_by(Residence.start_date)
            for residence in session.scalars(query):
                history[residence.person_id].append(residence)
        day = today()
        opened: list[tuple[str, str, dt.date]] = []  # hetu, municipality, start
        owner_of_number: dict[str, str] = {}
        for part in chunks(numbers):
            number_query = select(Person.customer_number, Person.hetu).where(Person.customer_number.in_(part))
            owner_of_number.update(dict(session.execute(number_query).all()))
        needs_number: list[dict[str, Any]] = []
        for row in good:
            hetu = row.values["hetu"]
            if not ctx.claim(row, ("hetu", hetu), "hetu", Message("HETU")):
                continue
            number = row.values.get("customer_number")
            if number:
                what = Message("customer number")
                if not ctx.claim(row, ("customer_number", number), "customer_number", what):
                    continue
                owner = owner_of_number.get(number)
                if owner is not None and owner != hetu:
                    row.error(
                        "customer_number",
                        Message("customer number %(number)s belongs to another person", number=number),
                    )
                    continue
            person = existing.get(hetu)
            move = self._residence_change(row, history.get(person.id, []) if person is not None else [], day)
            if move is False:
                continue
            insert = self.insert_values(row.values, self.MAPPING)
            insert.update(
                hetu=hetu,
                birth_date=_birth_date(hetu),
                gender=Gender.FEMALE if int(hetu[7:10]) % 2 == 0 else Gender.MALE,
                customer_number=number or "",
                pseudo_key=secrets.token_hex(16),
            )
            if person is None and not number:
                needs_number.append(insert)
            update = self.update_values(row.values, self.MAPPING)
            if number:
                update["customer_number"] = number
            existing[hetu] = upsert(session, row, person, Person, insert, update)
            if move is not None:
                opened.extend(move)
                if row.outcome == "unchanged":
                    row.outcome = "updated"
        with session.no_autoflush:  # the new persons have no number yet
            numbers = self._new_numbers(ctx, len(needs_number))
        for insert, number in zip(needs_number, numbers, strict=True):
            existing[insert["hetu"]].customer_number = number
        session.flush()
        for row in rows:
            if row.ok and row.values.get("hetu") in existing:
                row.person_id = existing[row.values["hetu"]].id
        if opened:
            session.add_all(
                Residence(person_id=existing[hetu].id, municipality_code=code, start_date=start)
                for hetu, code, start in opened
            )
            session.flush()

    @staticmethod
    def _residence_change(
        row: ParsedRow, history: list[Residence], day: dt.date
    ) -> list[tuple[str, str, dt.date]] | Literal[False] | None:
        """Bring the residence history in line with the row: residences to open, None, or False (error).

        Changes to existing residence rows are made here; new ones are returned to be added once the person
        has an id. Nothing is changed when the row is refused.
        """
        hetu, code = row.values["hetu"], row.values["home_municipality"]
        since: dt.date | None = row.values.get("home_municipality_since")
        start = since or day
        current = next((r for r in reversed(history) if r.end_date is None), None)
        earlier = [r.end_date for r in history if r is not current and r.end_date is not None]
        last_end = max(earlier, default=None)
        if current is None:
            if last_end is not None and start <= last_end:
                row.error("home_municipality_since", _not_after(start, last_end))
                return False
            return [(hetu, code, start)]
        if current.municipality_code != code:
            if start < current.start_date:
                row.error(
                    "home_municipality_since",
                    Message(
                        "the move to %(code)s on %(date)s is before the current home municipality "
                        "%(current)s started (%(started)s)",
                        code=code,
                        date=start,
                        current=current.municipality_code,
                        started=current.start_date,
                    ),
                )
                return False
            if start == current.start_date:  # corrected on the day it started
                current.municipality_code = code
                return []
            current.end_date = start - dt.timedelta(days=1)
            return [(hetu, code, start)]
        if since is not None and since != current.start_date:
            if last_end is not None and since <= last_end:
                row.error("home_municipality_since", _not_after(since, last_end))
                return False
            current.start_date = since
            return []
        return None

    @staticmethod
    def _new_numbers(ctx: ImportContext, count: int) -> list[str]:
        """Random 10-digit customer numbers not used in the database or anywhere in the file so far."""
        numbers: list[str] = []
        while len(numbers) < count:
            candidates = {f"{secrets.randbelow(9 * 10**9) + 10**9}" for _ in range(count - len(numbers))}
            candidates -= {n for n in candidates if ("customer_number", n) in ctx.seen}
            for part in chunks(sorted(candidates)):
                taken = ctx.session.scalars(
                    select(Person.customer_number).where(Person.customer_number.in_(part))
                )
                candidates -= set(taken)
            for number in candidates:
                ctx.seen[("customer_number", number)] = 0
            numbers.extend(sorted(candidates))
        return numbers

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        current = aliased(Residence)
        query = (
            select(Person, current.start_date)
            .outerjoin(current, (current.person_id == Person.id) & current.end_date.is_(None))
            .order_by(Person.hetu)
        )
        for p, since in session.execute(query).yield_per(1000):
            yield {
                PERSON_ID: p.id,
                "hetu": p.hetu,
                "customer_number": p.customer_number,
                "home_municipality_since": since,
                **{column: getattr(p, attr) for column, attr in self.MAPPING.items()},
            }


class SpellsKind(Kind):
    name = "spells"
    title = "Jobseeking spells and status periods (työnhakujaksot ja työmarkkinatilanteet)"
    summary = (
        "One row per status period. The spell columns (`spell_start_date`, `spell_end_date`, "
        "`municipality`, `end_reason`) repeat on every row of the same spell and must agree. A spell is "
        "identified by the person and its start date; a status period by its spell and its start date. "
        "A spell without status periods is one row with `status`, `start_date` and `end_date` blank. "
        "Periods of a spell in the database that the file does not mention are kept, and they take part "
        "in the overlap checks. The rows of one spell may be anywhere in the file; when one of them is "
        "bad the whole spell is rejected."
    )
    natural_key = "spell: person + `spell_start_date`; status period: spell + `start_date`"
    whole_file = True
    one_of = (("hetu", "customer_number"),)
    columns = (
        *person_columns(),
        Column(
            "spell_start_date",
            Date(),
            "start of the jobseeking spell (registration date)",
            "2025-01-02",
            required=True,
            aliases=(
                "tyonhakujakso_alkupvm",
                "jakso_alkupvm",
                "jakson_alkupvm",
                "rekisteroitymispvm",
                "spell_start",
            ),
        ),
        Column(
            "spell_end_date",
            Date(),
            "end of the spell (inclusive); blank while registered",
            "2025-06-30",
            aliases=("tyonhakujakso_loppupvm", "jakso_loppupvm", "jakson_loppupvm", "spell_end"),
            rules="not before `spell_start_date`; an ended spell needs every status period ended",
        ),
        Column(
            "municipality",
            MunicipalityCode(),
            "home municipality at registration",
            "609",
            required=True,
            aliases=("kunta", "kotikunta", "kommun"),
        ),
        Column(
            "end_reason",
            Choice(SpellEndReason, SPELL_END_LABELS),
            "why the spell ended",
            "education",
            aliases=("paattymissyy", "lopetussyy", "slutorsak"),
            rules="only for an ended spell",
        ),
        Column(
            "status",
            Choice(Status, STATUS_LABELS),
            "labour-market status (työmarkkinatilanne)",
            "unemployed",
            aliases=("tila", "tyomarkkinatilanne", "tilanne"),
            rules="required when `start_date` is given",
        ),
        Column(
            "start_date",
            Date(),
            "first day of the status period",
            "2025-01-02",
            aliases=("alkupvm", "alkaa", "tila_alkupvm", "startdatum"),
            rules="inside the spell; required when `status` is given",
        ),
        Column(
            "end_date",
            Date(),
            "last day of the status period (inclusive); blank while it lasts",
            "2025-03-31",
            aliases=("loppupvm", "paattyy", "tila_loppupvm", "slutdatum"),
            rules="not before `start_date`; periods of a spell do not overlap",
        ),
    )

    def check(self, row: ParsedRow) -> None:
        v = row.values
        spell_start, spell_end = v.get("spell_start_date"), v.get("spell_end_date")
        if spell_start and spell_end and spell_end < spell_start:
            row.error(
                "spell_end_date",
                Message(
                    "the spell ends (%(end)s) before it starts (%(start)s)", end=spell_end, start=spell_start
                ),
            )
        if v.get("end_reason") and not spell_end:
            row.error("end_reason", Message("an end reason is given but the spell has no end date"))
        start, end = v.get("start_date"), v.get("end_date")
        if not row.given("status") and not row.given("start_date"):
            if end is not None:
                row.error("end_date", Message("an end date without a status period start date"))
            return
        if not row.given("status"):
            row.error("status", Message("a status period needs a status"))
        if not row.given("start_date"):
            row.error("start_date", Message("a status period needs a start date"))
        if start is None:
            return
        if end is not None and end < start:
            row.error(
                "end_date",
                Message(
                    "the status period ends (%(end)s) before it starts (%(start)s)", end=end, start=start
                ),
            )
        if spell_start and start < spell_start:
            row.error(
                "start_date",
                Message("the status period starts before its spell (%(start)s)", start=spell_start),
            )
        if spell_end:
            if end is None:
                row.error(
                    "end_date",
                    Message("the spell ended on %(end)s but this status period is open", end=spell_end),
                )
            elif end > spell_end:
                row.error(
                    "end_date", Message("the status period ends after its spell (%(end)s)", end=spell_end)
                )

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        for part in chunks(rows, 2000):
            ctx.persons.prefetch(part)
        # every row that names a person and a spell is grouped, also a bad one: it rejects its spell
        person_of: dict[int, int] = {}
        for row in rows:
            named = row.values.get("hetu") or row.values.get("customer_number")
            if named and row.values.get("spell_start_date"):
                pid = ctx.persons.resolve(row)
                if pid is not None:
                    person_of[row.row] = pid
            elif row.ok:
                ctx.persons.resolve(row)

        # group the rows into spells; rows of a spell must agree on the spell columns
        spells: dict[tuple[int, dt.date], list[ParsedRow]] = defaultdict(list)
        for row in rows:
            if row.row in person_of:
                spells[(person_of[row.row], row.values["spell_start_date"])].append(row)
        for members in spells.values():
            first = members[0]
            for row in members[1:]:
                for column in ("spell_end_date", "municipality", "end_reason"):
                    if row.values.get(column) != first.values.get(column):
                        row.error(
                            column,
                            Message("differs from row %(row)s, which has the same spell", row=first.row),
                        )
            for row in members:
                if row.values.get("start_date") is not None:
                    claim_key = (
                        "period",
                        person_of[row.row],
                        row.values["spell_start_date"],
                        row.values["start_date"],
                    )
                    what = Message("status period (person, spell and start date)")
                    ctx.claim(row, claim_key, "start_date", what)

        by_person: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
        for spell_key in spells:
            by_person[spell_key[0]].append(spell_key)
        for person_ids in chunks(sorted(by_person)):
            query = (
                select(JobseekingSpell)
                .where(JobseekingSpell.person_id.in_(person_ids))
                .options(selectinload(JobseekingSpell.periods))
            )
            in_db: dict[int, dict[dt.date, JobseekingSpell]] = defaultdict(dict)
            for spell in session.scalars(query):
                in_db[spell.person_id][spell.start_date] = spell
            for pid in person_ids:
                self._check_person(pid, [spells[k] for k in by_person[pid]], in_db[pid])
                for spell_key in sorted(by_person[pid], key=lambda k: k[1]):
                    self._write_spell(ctx, pid, spells[spell_key], in_db[pid].get(spell_key[1]))
            session.flush()

    def _check_person(
        self, pid: int, groups: list[list[ParsedRow]], in_db: dict[dt.date, JobseekingSpell]
    ) -> None:
        """Spells of a person do not overlap; status periods of a spell do not overlap."""
        ranges: list[tuple[DateRange, list[ParsedRow] | None]] = []  # None: a spell in the database
        in_file = {g[0].values["spell_start_date"] for g in groups}
        for db_start, db_spell in in_db.items():
            if db_start not in in_file:
                ranges.append((DateRange(db_start, db_spell.end_date), None))
        for g in groups:
            v = g[0].values
            end = v.get("spell_end_date")
            if end is not None and end < v["spell_start_date"]:
                continue
            ranges.append((DateRange(v["spell_start_date"], end), g))
        ranges.sort(key=lambda t: t[0].start)
        for i, (a, group_a) in enumerate(ranges):
            for b, group_b in ranges[i + 1 :]:
                if not a.overlaps(b):
                    continue
                if group_b is not None:
                    group_b[0].error("spell_start_date", _spell_overlap(a, group_a))
                elif group_a is not None:
                    group_a[0].error("spell_start_date", _spell_overlap(b, group_b))

        for g in groups:
            spell = in_db.get(g[0].values["spell_start_date"])
            periods: dict[dt.date, tuple[DateRange, ParsedRow | None]] = {}
            if spell is not None:
                for p in spell.periods:
                    periods[p.start_date] = (DateRange(p.start_date, p.end_date), None)
            for row in g:
                start, end = row.values.get("start_date"), row.values.get("end_date")
                if start is not None and (end is None or end >= start):
                    periods[start] = (DateRange(start, end), row)
            spell_range_start = g[0].values["spell_start_date"]
            spell_end = g[0].values.get("spell_end_date")
            ordered = sorted(periods.values(), key=lambda t: t[0].start)
            for i, (a, row_a) in enumerate(ordered):
                for b, row_b in ordered[i + 1 :]:
                    if not a.overlaps(b):
                        continue
                    if row_b is not None:
                        row_b.error("start_date", _period_overlap(b, a, row_a))
                    elif row_a is not None:
                        row_a.error("start_date", _period_overlap(a, b, None))
            for r, period_row in ordered:
                if period_row is None and (
                    r.start < spell_range_start or (spell_end and (r.end is None or r.end > spell_end))
                ):
                    g[0].error(
                        "spell_end_date",
                        Message(
                            "the status period %(period)s in the database would lie outside the spell",
                            period=r,
                        ),
                    )
            # one bad row rejects the whole spell
            bad = next((row for row in g if not row.ok), None)
            if bad is not None:
                for row in g:
                    if row.ok:
                        row.error(
                            "spell_start_date",
                            Message("row %(row)s of the same spell is invalid", row=bad.row),
                        )

    def _write_spell(
        self, ctx: ImportContext, pid: int, rows: list[ParsedRow], spell: JobseekingSpell | None
    ) -> None:
        if not all(r.ok for r in rows):
            return
        v = rows[0].values
        spell_values = {
            "end_date": v.get("spell_end_date"),
            "municipality_code": v["municipality"],
            "end_reason": v.get("end_reason"),
        }
        spell_changed = False
        if spell is None:
            spell = JobseekingSpell(person_id=pid, start_date=v["spell_start_date"], **spell_values)
            ctx.session.add(spell)
            spell_new = True
        else:
            spell_new = False
            spell_changed = assign(spell, spell_values)
        existing = {p.start_date: p for p in spell.periods} if not spell_new else {}
        for index, row in enumerate(rows):
            start = row.values.get("start_date")
            if start is None:
                row.outcome = (
                    "inserted" if spell_new else ("updated" if spell_changed and index == 0 else "unchanged")
                )
                continue
            values = {"status": row.values["status"], "end_date": row.values.get("end_date")}
            period = existing.get(start)
            if period is None:
                spell.periods.append(StatusPeriod(person_id=pid, start_date=start, **values))
                row.outcome = "inserted"
            elif assign(period, values) or (spell_changed and index == 0):
                row.outcome = "updated"
            else:
                row.outcome = "unchanged"

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(JobseekingSpell, Person.hetu, Person.customer_number)
            .join(Person, Person.id == JobseekingSpell.person_id)
            .order_by(Person.hetu, JobseekingSpell.start_date)
            .options(selectinload(JobseekingSpell.periods))
        )
        for spell, hetu, number in session.execute(query).yield_per(500):
            base = {
                PERSON_ID: spell.person_id,
                "hetu": hetu,
                "customer_number": number,
                "spell_start_date": spell.start_date,
                "spell_end_date": spell.end_date,
                "municipality": spell.municipality_code,
                "end_reason": spell.end_reason,
            }
            periods = sorted(spell.periods, key=lambda p: p.start_date)
            if not periods:
                yield {**base, "status": None, "start_date": None, "end_date": None}
            for p in periods:
                yield {**base, "status": p.status, "start_date": p.start_date, "end_date": p.end_date}


def _not_after(start: dt.date, last_end: dt.date) -> Message:
    return Message(
        "%(start)s is not after the end %(end)s of the previous home municipality", start=start, end=last_end
    )


def _spell_overlap(other: DateRange, group: list[ParsedRow] | None) -> Message:
    """The spell overlaps ``other``, a spell in the database (``group`` None) or on a row of the file."""
    if group is None:
        return Message("the spell overlaps the spell %(other)s in the database", other=other)
    return Message("the spell overlaps the spell %(other)s on row %(row)s", other=other, row=group[0].row)


def _period_overlap(period: DateRange, other: DateRange, other_row: ParsedRow | None) -> Message:
    """A status period overlaps ``other``, one in the database (``other_row`` None) or on a row."""
    if other_row is None:
        return Message(
            "the status period %(period)s overlaps the status period %(other)s in the database",
            period=period,
            other=other,
        )
    return Message(
        "the status period %(period)s overlaps the status period %(other)s on row %(row)s",
        period=period,
        other=other,
        row=other_row.row,
    )


class EpisodesKind(Kind):
    name = "employment-episodes"
    title = "Employment episodes (työsuhteet)"
    summary = "One row per job a person held: the outcome data of the effectiveness figures."
    natural_key = "person + `business_id` (blank for none) + `start_date`"
    one_of = (("hetu", "customer_number"),)
    columns = (
        *person_columns(),
        employer_column(required=False, description="the employer's Y-tunnus; blank when not known"),
        Column(
            "vacancy_external_id",
            Text(80),
            "the vacancy the job was found through",
            "TMT-123456",
            aliases=("tyopaikka", "ilmoitus", "ilmoitusnumero", "vacancy"),
            rules="the vacancy must exist; its employer must be `business_id` when both are given",
        ),
        Column(
            "esco_uri",
            Text(120, r"https?://\S+", Message("a URI")),
            "ESCO occupation URI",
            "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1",
            aliases=("esco", "esco_ammatti"),
        ),
        Column(
            "isco4",
            Isco4(),
            "occupation, ISCO-08 unit group",
            "2512",
            required=True,
            aliases=("isco", "ammatti", "ammattiluokka", "isco08", "yrke"),
        ),
        Column(
            "kind",
            Choice(EmploymentKind, EMPLOYMENT_KIND_LABELS),
            "kind of employment",
            "open_market",
            required=True,
            aliases=("laji", "tyosuhteen_laji", "tyon_laji", "typ"),
        ),
        Column(
            "working_time",
            Choice(WorkingTime, WORKING_TIME_LABELS),
            "working time",
            "full_time",
            required=True,
            aliases=("tyoaika", "arbetstid"),
        ),
        Column(
            "municipality",
            MunicipalityCode(),
            "municipality of the workplace",
            "609",
            aliases=("kunta", "tyopaikkakunta", "tyokunta", "kommun"),
        ),
        Column(
            "start_date",
            Date(),
            "first day of the job",
            "2025-04-01",
            required=True,
            aliases=("alkupvm", "alkaa", "startdatum"),
        ),
        Column(
            "end_date",
            Date(),
            "last day (inclusive); blank while it lasts",
            "2025-12-31",
            aliases=("loppupvm", "paattyy", "slutdatum"),
            rules="not before `start_date`",
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "esco_uri": "esco_uri",
        "isco4": "isco4",
        "kind": "kind",
        "working_time": "working_time",
        "municipality": "municipality_code",
        "end_date": "end_date",
    }

    def check(self, row: ParsedRow) -> None:
        start, end = row.values.get("start_date"), row.values.get("end_date")
        if start and end and end < start:
            row.error(
                "end_date",
                Message("the job ends (%(end)s) before it starts (%(start)s)", end=end, start=start),
            )

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        ctx.persons.prefetch(good)
        ctx.employers.prefetch(r.values.get("business_id") for r in good)
        ctx.vacancies.prefetch(r.values.get("vacancy_external_id") for r in good)
        resolved: list[tuple[ParsedRow, int, Employer | None, Vacancy | None]] = []
        for row in good:
            pid = ctx.persons.resolve(row)
            employer = vacancy = None
            if row.values.get("business_id"):
                employer = ctx.employers.get(row.values["business_id"])
                if employer is None:
                    row.error(
                        "business_id",
                        Message(
                            "no employer with Y-tunnus %(business_id)s", business_id=row.values["business_id"]
                        ),
                    )
            if row.values.get("vacancy_external_id"):
                vacancy = ctx.vacancies.get(row.values["vacancy_external_id"])
                if vacancy is None:
                    row.error(
                        "vacancy_external_id",
                        Message("no vacancy %(vacancy)s", vacancy=quote(row.values["vacancy_external_id"])),
                    )
                elif employer is not None and vacancy.employer_id != employer.id:
                    row.error("vacancy_external_id", Message("the vacancy belongs to another employer"))
            if pid is None or not row.ok:
                continue
            claim_key = ("episode", pid, employer.id if employer else None, row.values["start_date"])
            if ctx.claim(row, claim_key, "start_date", Message("job (person, employer and start date)")):
                resolved.append((row, pid, employer, vacancy))
        existing: dict[tuple[int, int | None, dt.date], EmploymentEpisode] = {}
        for part in chunks(sorted({pid for _, pid, _, _ in resolved})):
            query = (
                select(EmploymentEpisode)
                .where(EmploymentEpisode.person_id.in_(part))
                .order_by(EmploymentEpisode.id)
            )
            for e in session.scalars(query):
                existing.setdefault((e.person_id, e.employer_id, e.start_date), e)
        for row, pid, employer, vacancy in resolved:
            employer_id = employer.id if employer else None
            key = (pid, employer_id, row.values["start_date"])
            insert = self.insert_values(row.values, self.MAPPING)
            insert.update(
                person_id=pid,
                employer_id=employer_id,
                start_date=row.values["start_date"],
                vacancy_id=vacancy.id if vacancy else None,
            )
            update = self.update_values(row.values, self.MAPPING)
            if "vacancy_external_id" in row.values:
                update["vacancy_id"] = vacancy.id if vacancy else None
            existing[key] = upsert(session, row, existing.get(key), EmploymentEpisode, insert, update)
        session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        vacancy = aliased(Vacancy)
        query = (
            select(EmploymentEpisode, Person.hetu, Person.customer_number, Employer.business_id, vacancy)
            .join(Person, Person.id == EmploymentEpisode.person_id)
            .outerjoin(Employer, Employer.id == EmploymentEpisode.employer_id)
            .outerjoin(vacancy, vacancy.id == EmploymentEpisode.vacancy_id)
            .order_by(Person.hetu, EmploymentEpisode.start_date, Employer.business_id, EmploymentEpisode.id)
        )
        for e, hetu, number, business_id, vac in session.execute(query).yield_per(1000):
            yield {
                PERSON_ID: e.person_id,
                "hetu": hetu,
                "customer_number": number,
                "business_id": business_id,
                "vacancy_external_id": vacancy_key(vac) if vac is not None else None,
                "start_date": e.start_date,
                **{column: getattr(e, attr) for column, attr in self.MAPPING.items()},
            }
