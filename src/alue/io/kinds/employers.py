"""Import kinds for employers and their vacancies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from alue.employers.models import Employer, EmploymentType, OccupationSource, SizeClass, Vacancy
from alue.io.fields import (
    Boolean,
    BusinessId,
    Choice,
    Column,
    Date,
    Industry,
    Integer,
    Isco4,
    LanguageList,
    MunicipalityCode,
    Text,
)
from alue.io.kinds.base import (
    PERSON_ID,
    ImportContext,
    Kind,
    ParsedRow,
    chunks,
    employer_column,
    upsert,
    vacancy_key,
)
from alue.io.kinds.occupations import code_titles, coded_fields, named_fields, occupation_label, taxonomy
from alue.io.labels import EDUCATION_LABELS, EMPLOYMENT_TYPE_LABELS, SIZE_CLASS_LABELS, WORKING_TIME_LABELS
from alue.io.messages import Message, quote
from alue.people.models import EducationLevel, Person, WorkingTime
from alue.shared.identifiers import validate_hetu

PLAIN = r"[^\x00-\x1f\x7f]*"
NO_CONTROL = Message("without control characters")


class EmployersKind(Kind):
    name = "employers"
    title = "Employers (työnantaja-asiakkaat)"
    summary = "One row per employer customer."
    natural_key = "`business_id`"
    personal = True  # founded_by names a person
    columns = (
        Column(
            "business_id",
            BusinessId(),
            "Y-tunnus (business id)",
            "0112038-9",
            required=True,
            aliases=("ytunnus", "y-tunnus", "y_tunnus", "fo-nummer"),
            rules="unique in the file",
        ),
        Column(
            "name",
            Text(200, PLAIN, NO_CONTROL),
            "name",
            "Porin Konepaja Oy",
            required=True,
            aliases=("nimi", "yritys", "toiminimi", "namn"),
        ),
        Column(
            "municipality",
            MunicipalityCode(),
            "municipality of the workplace",
            "609",
            required=True,
            aliases=("kunta", "sijaintikunta", "kotikunta", "kommun"),
        ),
        Column(
            "industry",
            Industry(),
            "industry, TOL 2008 section (toimiala)",
            "C",
            required=True,
            aliases=("toimiala", "tol", "bransch"),
        ),
        Column(
            "size_class",
            Choice(SizeClass, SIZE_CLASS_LABELS),
            "size by personnel (kokoluokka)",
            "small",
            required=True,
            aliases=("kokoluokka", "koko", "henkilostoluokka", "storleksklass"),
        ),
        Column(
            "founded_on",
            Date(),
            "date the firm was founded",
            "2019-05-01",
            aliases=("perustamispvm", "perustettu", "grundad"),
        ),
        Column(
            "founded_by",
            Text(12),
            "the registered jobseeker who founded the firm: customer number or HETU",
            "1002003004",
            aliases=("perustaja", "grundare"),
            rules="the person must exist; exports write the customer number",
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "name": "name",
        "municipality": "municipality_code",
        "industry": "industry",
        "size_class": "size_class",
        "founded_on": "founded_on",
    }

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        ctx.employers.prefetch(r.values["business_id"] for r in good)
        founders = self._founders(
            session, {r.values["founded_by"] for r in good if r.values.get("founded_by")}
        )
        for row in good:
            business_id = row.values["business_id"]
            if not ctx.claim(row, ("employer", business_id), "business_id", Message("Y-tunnus")):
                continue
            insert = self.insert_values(row.values, self.MAPPING)
            update = self.update_values(row.values, self.MAPPING)
            if "founded_by" in row.values:
                ref = row.values["founded_by"]
                founder = founders.get(ref) if ref else None
                if ref and founder is None:
                    row.error(
                        "founded_by", Message("no person with customer number or HETU %(ref)s", ref=ref)
                    )
                    continue
                insert["founded_by_person_id"] = update["founded_by_person_id"] = founder
                row.person_id = founder
            insert["business_id"] = business_id
            ctx.employers.cache[business_id] = upsert(
                session, row, ctx.employers.cache.get(business_id), Employer, insert, update
            )
        session.flush()

    @staticmethod
    def _founders(session: Session, refs: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in chunks(sorted(refs)):
            hetus = {}
            for ref in part:
                try:
                    hetus[validate_hetu(ref)] = ref
                except ValueError:
                    continue
            query = select(Person.id, Person.hetu, Person.customer_number).where(
                or_(Person.customer_number.in_(part), Person.hetu.in_(list(hetus)))
            )
            for pid, hetu, number in session.execute(query):
                if number in refs:
                    found[number] = pid
                if hetu in hetus:
                    found[hetus[hetu]] = pid
        return found

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(Employer, Person.customer_number)
            .outerjoin(Person, Person.id == Employer.founded_by_person_id)
            .order_by(Employer.business_id)
        )
        for e, founder in session.execute(query).yield_per(1000):
            yield {
                PERSON_ID: e.founded_by_person_id,
                "business_id": e.business_id,
                "founded_by": founder,
                **{column: getattr(e, attr) for column, attr in self.MAPPING.items()},
            }


class VacanciesKind(Kind):
    name = "vacancies"
    title = "Vacancies (avoimet työpaikat)"
    summary = (
        "One row per vacancy. A vacancy made in alue without an external id is exported as "
        "`alue-<number>`; importing that key updates the same vacancy, or in another database creates one "
        "with that external id."
    )
    natural_key = "`external_id`"
    personal = False
    columns = (
        Column(
            "external_id",
            Text(80, r"\S+", Message("without spaces")),
            "the vacancy's id in its source system",
            "TMT-123456",
            required=True,
            aliases=("tunniste", "ilmoitusnumero", "ilmoitus_id", "id"),
            rules="unique in the file",
        ),
        employer_column(),
        Column(
            "source",
            Text(20, r"[a-z0-9_-]+", Message("lower-case letters, digits, _ and -"), lower=True),
            "source system: alue, tmt (Työmarkkinatori), import …",
            "tmt",
            aliases=("lahde", "kalla"),
            default="import",
        ),
        Column(
            "title",
            Text(200, PLAIN, NO_CONTROL),
            "job title",
            "Hitsaaja",
            required=True,
            aliases=("otsikko", "nimike", "tehtavanimike", "titel"),
        ),
        Column(
            "description",
            Text(20000),
            "description",
            "Kolmivuorotyö, MIG/MAG-hitsaus.",
            aliases=("kuvaus", "tyon_kuvaus", "beskrivning"),
            default="",
        ),
        Column(
            "esco_uri",
            Text(120, r"https?://\S+", Message("a URI")),
            "ESCO occupation URI",
            "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b",
            aliases=("esco", "esco_ammatti"),
            rules="an occupation of the loaded ESCO",
        ),
        Column(
            "esco_version",
            Text(10),
            "ESCO version of the URI",
            "v1.2.0",
            aliases=("esco_versio",),
            rules="give it with `esco_uri`",
        ),
        Column(
            "isco4",
            Isco4(),
            "occupation, ISCO-08 unit group",
            "7212",
            aliases=("isco", "ammatti", "ammattiluokka", "isco08", "yrke"),
            rules=(
                "the group of `esco_uri` when both are given; blank: the group of `esco_uri`, or without "
                "either, the occupation coder codes the title (shown to staff as the coder's, to review)"
            ),
        ),
        Column(
            "municipality",
            MunicipalityCode(),
            "municipality of the workplace",
            "Pori",
            required=True,
            aliases=("kunta", "sijaintikunta", "tyopaikkakunta", "kommun"),
        ),
        Column(
            "positions",
            Integer(1, 10000),
            "number of positions",
            "2",
            aliases=("paikkoja", "lukumaara", "maara", "antal"),
            default=1,
        ),
        Column(
            "published_on",
            Date(),
            "date published",
            "2025-03-01",
            required=True,
            aliases=("julkaistu", "julkaisupvm", "ilmoitettu", "publicerad"),
        ),
        Column(
            "closes_on",
            Date(),
            "last day to apply; blank: open until filled",
            "2025-03-31",
            aliases=("hakuaika_paattyy", "paattyy", "haku_paattyy", "sista_ansokningsdag"),
            rules="not before `published_on`",
        ),
        Column(
            "filled_on",
            Date(),
            "date the vacancy was filled",
            "2025-04-15",
            aliases=("taytetty", "tayttopvm", "tillsatt"),
            rules="not before `published_on`",
        ),
        Column(
            "working_time",
            Choice(WorkingTime, WORKING_TIME_LABELS),
            "working time",
            "full_time",
            aliases=("tyoaika", "arbetstid"),
            default=WorkingTime.ANY,
        ),
        Column(
            "employment_type",
            Choice(EmploymentType, EMPLOYMENT_TYPE_LABELS),
            "type of employment",
            "permanent",
            required=True,
            aliases=("tyosuhde", "tyosuhteen_tyyppi", "anstallningsform"),
        ),
        Column(
            "languages",
            LanguageList(),
            "required working languages",
            "fi,en",
            aliases=("kielet", "kielitaito", "kielitaitovaatimus", "sprak"),
            default=[],
        ),
        Column(
            "driving_licence_required",
            Boolean(),
            "driving licence required",
            "false",
            aliases=("ajokortti", "korkort"),
            default=False,
        ),
        Column(
            "remote_possible",
            Boolean(),
            "remote work possible",
            "false",
            aliases=("etatyo", "etatyomahdollisuus", "distansarbete"),
            default=False,
        ),
        Column(
            "min_education",
            Choice(EducationLevel, EDUCATION_LABELS),
            "minimum education",
            "vocational",
            aliases=("koulutusvaatimus", "vahimmaiskoulutus", "utbildningskrav"),
        ),
    )
    MAPPING: ClassVar[dict[str, str]] = {
        "source": "source",
        "title": "title",
        "description": "description",
        "municipality": "municipality_code",
        "positions": "positions",
        "published_on": "published_on",
        "closes_on": "closes_on",
        "filled_on": "filled_on",
        "working_time": "working_time",
        "employment_type": "employment_type",
        "languages": "languages",
        "driving_licence_required": "driving_licence_required",
        "remote_possible": "remote_possible",
        "min_education": "min_education",
    }

    def check(self, row: ParsedRow) -> None:
        v = row.values
        published = v.get("published_on")
        if published and v.get("closes_on") and v["closes_on"] < published:
            row.error(
                "closes_on",
                Message(
                    "the vacancy closes (%(date)s) before it is published (%(published)s)",
                    date=v["closes_on"],
                    published=published,
                ),
            )
        if published and v.get("filled_on") and v["filled_on"] < published:
            row.error(
                "filled_on",
                Message(
                    "the vacancy is filled (%(date)s) before it is published (%(published)s)",
                    date=v["filled_on"],
                    published=published,
                ),
            )
        if v.get("min_education") is not None:
            v["min_education"] = str(v["min_education"].value)

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        good = [r for r in rows if r.ok]
        ctx.employers.prefetch(r.values["business_id"] for r in good)
        ctx.vacancies.prefetch(r.values["external_id"] for r in good)
        claimed: list[tuple[ParsedRow, Employer, Vacancy | None]] = []
        for row in good:
            key = row.values["external_id"]
            if not ctx.claim(row, ("vacancy", key), "external_id", Message("external id")):
                continue
            employer = ctx.employers.get(row.values["business_id"])
            if employer is None:
                row.error(
                    "business_id",
                    Message(
                        "no employer with Y-tunnus %(business_id)s", business_id=row.values["business_id"]
                    ),
                )
                continue
            claimed.append((row, employer, ctx.vacancies.cache.get(key)))
        occupations = self._occupations(session, [(row, existing) for row, _e, existing in claimed])
        for row, employer, existing in claimed:
            if not row.ok:
                continue
            key = row.values["external_id"]
            insert = self.insert_values(row.values, self.MAPPING)
            insert.update(external_id=key, employer_id=employer.id, **occupations[row.row])
            update = self.update_values(row.values, self.MAPPING)
            update.update(employer_id=employer.id, **occupations[row.row])
            ctx.vacancies.cache[key] = upsert(session, row, existing, Vacancy, insert, update)
        session.flush()

    @staticmethod
    def _occupations(
        session: Session, rows: list[tuple[ParsedRow, Vacancy | None]]
    ) -> dict[int, dict[str, Any]]:
        """The occupation fields to set, per row number (empty: leave the vacancy's as they are).

        An occupation named in the file (``esco_uri`` and/or ``isco4``) is checked against the loaded
        ESCO and marked as the employer's. A row that names none is coded from its title by the
        occupation coder, unless the vacancy already has an occupation for the same title. An
        occupation that staff have corrected is never changed by an import, and a row that repeats
        the vacancy's occupation keeps who chose it (an exported file imported again changes nothing).
        """
        out: dict[int, dict[str, Any]] = {}
        todo: list[tuple[ParsedRow, str]] = []
        needs_taxonomy = any(r.values.get("esco_uri") or not r.values.get("isco4") for r, _ in rows)
        tax = taxonomy() if needs_taxonomy else None
        for row, existing in rows:
            v = row.values
            uri, isco4 = v.get("esco_uri"), v.get("isco4")
            out[row.row] = {}
            if existing is not None and existing.occupation_source == OccupationSource.STAFF:
                continue  # staff corrected it; an import does not undo that
            if uri or isco4:
                if (
                    existing is not None
                    and (not uri or uri == existing.esco_uri)
                    and (not isco4 or isco4 == existing.isco4)
                ):
                    continue  # the occupation the vacancy has: keep who chose it
                if uri and tax is not None:
                    occupation = tax.occupations.get(uri)
                    if occupation is not None and isco4 and isco4 != occupation.isco4:
                        row.error(
                            "isco4",
                            Message(
                                "%(isco4)s is not the ISCO group of the ESCO occupation %(occupation)s "
                                "(%(group)s)",
                                isco4=isco4,
                                occupation=quote(occupation_label(occupation)),
                                group=occupation.isco4,
                            ),
                        )
                        continue
                    if occupation is not None:
                        isco4 = occupation.isco4
                    elif not (isco4 and _other_version(v.get("esco_version"), tax.version)):
                        # an occupation of another ESCO version is taken with the group the file gives
                        row.error(
                            "esco_uri",
                            Message(
                                "ESCO occupation %(uri)s is not in the loaded ESCO %(version)s",
                                uri=uri,
                                version=tax.version,
                            )
                            if isco4
                            else Message(
                                "ESCO occupation %(uri)s is not in the loaded ESCO %(version)s; give its "
                                "ISCO group in isco4 and its ESCO version",
                                uri=uri,
                                version=tax.version,
                            ),
                        )
                        continue
                version = v.get("esco_version") or (tax.version if tax is not None else None)
                out[row.row] = named_fields(uri, version, str(isco4))
                continue
            title = v.get("title") or (existing.title if existing is not None else "")
            if existing is not None and existing.isco4 and title == existing.title:
                continue  # already coded for this title
            todo.append((row, title))
        if todo:
            assert tax is not None
            for (row, title), best in zip(todo, code_titles(session, [t for _r, t in todo]), strict=True):
                if best is None:
                    row.error(
                        "isco4",
                        Message(
                            "no occupation given and the title %(title)s could not be coded",
                            title=quote(title),
                        ),
                    )
                else:
                    out[row.row] = coded_fields(best, tax.version)
                    row.coded_score = best.score
        return out

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        employer = aliased(Employer)
        query = select(Vacancy, employer.business_id).join(employer, employer.id == Vacancy.employer_id)
        rows = [(vacancy_key(v), v, bid) for v, bid in session.execute(query).yield_per(1000)]
        rows.sort(key=lambda t: t[0])  # the key may be computed, so sort here
        for key, v, business_id in rows:
            yield {
                "external_id": key,
                "business_id": business_id,
                **{column: getattr(v, attr) for column, attr in self.MAPPING.items()},
                **{column: getattr(v, column) for column in ("esco_uri", "esco_version", "isco4")},
            }


def _other_version(given: str | None, loaded: str) -> bool:
    """Whether the file names an ESCO version other than the loaded one (``v1.2.0`` vs ``1.1.1``)."""

    def plain(version: str) -> str:
        return version.strip().lower().removeprefix("v")

    return bool(given) and plain(str(given)) != plain(loaded)
