"""Import kinds for the national job-market platform's (Työmarkkinatori, TMT) JSON formats.

``tmt-job-ads`` reads job ads in the platform's job-ad format (``Tyopaikkailmoitus``: a search result
``{"ilmoitukset": [...]}``, a list of ads, or one ad) into ``Vacancy`` rows with ``source = "tmt"``;
``tmt-profiles`` reads jobseeker profiles (a list, ``{"profiles": [...]}``, or one profile) into the
person's occupations, languages, education, driving licence and commuting reach. The mapping is in
``docs/import-formats.md``.

Both run through ``alue.io.service.import_file`` like every other kind: each record of the file is one
"row" (numbered from 1), every problem names the record and the field (``kunta[0]``,
``ilmoittajanYTunnus``), and a file with any bad record writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import great_circle_km
from alue.area.models import Municipality
from alue.employers.models import Employer, EmploymentType, OccupationSource, SizeClass, Vacancy
from alue.io.fields import Column, FieldType, Lookups, business_id_problem, hetu_problem, problem
from alue.io.kinds.base import ImportContext, Kind, ParsedRow, assign
from alue.io.kinds.occupations import OCCUPATION_FIELDS, code_titles, coded_fields, named_fields
from alue.io.kinds.occupations import taxonomy as _taxonomy
from alue.io.messages import Message, Plural, either, quote
from alue.io.tables import FileFormatError, Table
from alue.people.models import EducationLevel, Person, PersonOccupation, WorkingTime
from alue.shared.identifiers import validate_business_id, validate_hetu
from alue.shared.time import today

HELSINKI = ZoneInfo("Europe/Helsinki")
#: the platform's working-time codes (``tyoAika``)
WORKING_TIME = {"01": WorkingTime.FULL_TIME, "02": WorkingTime.PART_TIME}
#: the platform's contract codes (``tyonJatkuvuus``)
CONTRACT = {
    "01": EmploymentType.PERMANENT,
    "02": EmploymentType.FIXED_TERM,
    "0201": EmploymentType.SEASONAL,
    "0202": EmploymentType.SEASONAL,
}
#: language levels: the platform's CEFR levels and L1 (mother tongue) → the levels ``Person.languages`` uses
LANGUAGE_LEVEL = {
    "L1": "native",
    "C2": "excellent",
    "C1": "excellent",
    "B2": "good",
    "B1": "fair",
    "A2": "basic",
    "A1": "basic",
}
LEVEL_RANK = {"basic": 1, "fair": 2, "good": 3, "excellent": 4, "native": 5}
#: the first digit of Statistics Finland's education code (koulutusluokitus) → the education level
EDUCATION_BY_DIGIT = {
    "0": EducationLevel.BASIC,
    "1": EducationLevel.BASIC,
    "2": EducationLevel.BASIC,
    "3": EducationLevel.VOCATIONAL,
    "4": EducationLevel.VOCATIONAL,
    "5": EducationLevel.SHORT_TERTIARY,
    "6": EducationLevel.BACHELOR,
    "7": EducationLevel.MASTER,
    "8": EducationLevel.DOCTORAL,
}
EDUCATION_RANK = [
    EducationLevel.UNKNOWN,
    EducationLevel.BASIC,
    EducationLevel.GENERAL_UPPER_SECONDARY,
    EducationLevel.VOCATIONAL,
    EducationLevel.SHORT_TERTIARY,
    EducationLevel.BACHELOR,
    EducationLevel.MASTER,
    EducationLevel.DOCTORAL,
]
#: coder confidence below which a free-text title is not coded into an occupation
MIN_CODER_SCORE = 0.3
#: industry of an employer created from an ad (the ad has none): households for a household's ad
UNKNOWN_INDUSTRY, HOUSEHOLD_INDUSTRY = "X", "T"


class RecordError(ValueError):
    """A problem in one field of a record: ``field`` is its path in the record, the message (a
    :class:`~alue.io.messages.Message`) the argument, as ``alue.io.fields.problem`` reads it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class JsonRecord(FieldType):
    doc = "one JSON object of the file"

    def parse(self, text: str, lookups: Lookups) -> dict[str, Any]:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError(Message("is not a JSON object"))
        return value


def _records(data: Any, list_keys: tuple[str, ...], single_key: str) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in list_keys:
            if isinstance(data.get(key), list):
                return data[key]
        if single_key in data:
            return [data]
    raise FileFormatError(
        Message(
            "the file is not in the expected format: give a JSON list, an object with %(keys)s, or a single "
            "record with %(key)s",
            keys=either(quote(k) for k in list_keys),
            key=quote(single_key),
        )
    )


class JsonKind(Kind):
    """A kind whose file is JSON: each record is one row (its JSON text in the ``record`` column)."""

    personal: ClassVar[bool] = False
    list_keys: ClassVar[tuple[str, ...]]
    single_key: ClassVar[str]
    columns = (Column("record", JsonRecord(), "one record of the file", "{}", required=True),)
    natural_key = ""
    #: the format's section of docs/import-formats.md (markdown)
    doc: ClassVar[str] = ""

    @contextmanager
    def open_table(self, path: Path) -> Iterator[Table]:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise FileFormatError(
                Message("cannot open the file: %(reason)s", reason=exc.strerror or exc)
            ) from exc
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                Message("the file is not UTF-8 (byte %(position)s)", position=exc.start)
            ) from exc
        except json.JSONDecodeError as exc:
            raise FileFormatError(
                Message(
                    "the file is not valid JSON: line %(line)s, column %(column)s: %(reason)s",
                    line=exc.lineno,
                    column=exc.colno,
                    reason=exc.msg,
                )
            ) from exc
        records = _records(data, self.list_keys, self.single_key)

        def rows() -> Iterator[tuple[int, list[str]]]:
            for number, record in enumerate(records, start=1):
                yield number, [json.dumps(record, ensure_ascii=False)]

        yield Table(headers=["record"], rows=rows(), estimated_rows=len(records), format="csv")

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        raise ValueError(Message("%(kind)s is an import-only format", kind=self.name))

    def _parse(self, record: dict[str, Any], lookups: Lookups, taxonomy: Any) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _code_titles(parsed: list[tuple[ParsedRow, dict[str, Any]]], taxonomy: Any, session: Session) -> None:
        raise NotImplementedError

    def _parse_rows(
        self, rows: list[ParsedRow], lookups: Lookups, taxonomy: Any, session: Session
    ) -> list[tuple[ParsedRow, dict[str, Any]]]:
        """Each good row's record parsed (a bad record marks its row with the field), titles coded."""
        parsed: list[tuple[ParsedRow, dict[str, Any]]] = []
        for row in rows:
            if not row.ok:
                continue
            try:
                parsed.append((row, self._parse(row.values["record"], lookups, taxonomy)))
            except RecordError as exc:
                row.error(exc.field, problem(exc))
        self._code_titles(parsed, taxonomy, session)
        return parsed


# ------------------------------------------------------------------------------------- helpers


def _longer_than(limit: int) -> Message:
    return Plural("is longer than %(num)s character", "is longer than %(num)s characters", limit)


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _localised(value: Any, field: str) -> str:
    """Text of a ``LokalisoituArvo`` list (``[{"kieliKoodi", "arvo"}]``) or a ``{"fi": …}`` object."""
    if value is None:
        return ""
    texts: dict[str, str] = {}
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("arvo", ""), str):
                raise RecordError(field, Message("must be a list of {kieliKoodi, arvo} objects"))
            texts.setdefault(str(item.get("kieliKoodi") or "fi"), item.get("arvo") or "")
    elif isinstance(value, dict):
        texts = {k: v for k, v in value.items() if isinstance(v, str)}
    elif isinstance(value, str):
        return value.strip()
    else:
        raise RecordError(field, Message("must be localised text"))
    for lang in ("fi", "sv", "en", *texts):
        if texts.get(lang, "").strip():
            return texts[lang].strip()
    return ""


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(field, Message("%(value)s is not a date", value=quote(value)))
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(HELSINKI)
            return moment.date()
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(
            field, Message("%(value)s is not a date (2022-08-01 or 2022-08-01T11:27:15Z)", value=quote(value))
        ) from None


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(field, Message("must be a list"))
    return value


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RecordError(field, Message("%(value)s is not true or false", value=quote(value)))
    return value


def _occupation_uris(items: Any, field: str, taxonomy: Any) -> list[str]:
    """ESCO occupation URIs of ``LuokiteltuArvo`` entries or of profile occupation objects."""
    uris = []
    for i, item in enumerate(_list(items, field)):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise RecordError(where, Message("must be an object"))
        if "luokittelunNimi" in item:
            if str(item.get("luokittelunNimi", "")).upper() != "ESCO":
                continue
            uri = item.get("luokiteltuArvo")
        else:
            uri = item.get("uri")
        if not isinstance(uri, str) or not uri:
            raise RecordError(where, Message("has no ESCO occupation URI"))
        if "/occupation/" not in uri:
            continue
        if uri not in taxonomy.occupations:
            raise RecordError(
                where,
                Message(
                    "ESCO occupation %(uri)s is not in the loaded ESCO %(version)s",
                    uri=uri,
                    version=taxonomy.version,
                ),
            )
        uris.append(uri)
    return uris


# ------------------------------------------------------------------------------------- job ads


class TmtJobAdsKind(JsonKind):
    name = "tmt-job-ads"
    title = "Job ads in the national job-market platform's format (Työmarkkinatori)"
    summary = "JSON: the platform's search result, a list of ads, or one ad. Imported as vacancies."
    natural_key = "`ilmoituksenID` (stored as the vacancy's external id, source `tmt`)"
    list_keys = ("ilmoitukset",)
    single_key = "ilmoituksenID"

    doc = """\
## `tmt-job-ads` — job ads in the national job-market platform's format (Työmarkkinatori)

`alue import tmt-job-ads FILE.json` reads job ads in the platform's job-ad format (the schema
`Tyopaikkailmoitus` of its open interface): the interface's search result (`{"ilmoitukset": [...]}`), a
JSON list of ads, or one ad. Each ad becomes a vacancy with source `tmt`; importing the same file again
changes nothing (natural key `ilmoituksenID`). Import-only: there is no export in this format.

| field of the ad | vacancy | rules |
|---|---|---|
| `ilmoituksenID` | `external_id` | required, at most 80 characters, once per file |
| `ilmoittajanYTunnus`, `ilmoittajanNimi` | employer | a valid Y-tunnus; an employer that does not exist yet is created with this name, the ad's municipality, size `micro` and industry `X` (unknown; `T` for a household's ad, `tyollistaja` = `02`) — complete it with an `employers` import |
| `perustiedot.tyonOtsikko` | `title` | required; Finnish text first, then Swedish, then English |
| `perustiedot.tyonTiivistelma`, `tyonKuvaus` | `description` | joined with an empty line |
| `osaamisvaatimukset.ammatit` (`luokittelunNimi` ESCO) | `esco_uri`, `isco4`, `occupation_source`, `occupation_score` | the first ESCO occupation (`employer`); it must be in the loaded ESCO. An ad without one is coded from its title with the occupation coder and the titles staff have confirmed (`coder`, with its certainty; an error when the title cannot be coded). An occupation that staff have corrected is kept when the ad is imported again |
| `sijainti.kunta` | `municipality_code` | the first municipality; required, any Finnish municipality |
| `perustiedot.paikkojenMaara` | `positions` | 1–10000, default 1 |
| `perustiedot.tyoAika` | `working_time` | `01` full-time, `02` part-time, missing: any |
| `perustiedot.tyonJatkuvuus` | `employment_type` | `01` permanent, `02` fixed-term, `0201`/`0202` seasonal or summer work (seasonal); missing: permanent |
| `osaamisvaatimukset.kielitaidot[].kielitaito`, `tyoKielet` | `languages` | language codes |
| `osaamisvaatimukset.ajokortti.vaaditutAjokorttiluokat` | `driving_licence_required` | any class |
| `sijainti.sijaintiJoustava` | `remote_possible` | |
| `julkaisupvm` (else `luontipvm`) | `published_on` | required; times are turned into Helsinki dates |
| `hakeminen.hakuaikaPaattyy` | `closes_on` | not before the publication date |

Errors name the ad's number in the file (as the row) and the field's path, e.g.
`row 3, sijainti.kunta[0]: unknown municipality code '999'`. The platform's example file has the
placeholder Y-tunnus `AAAABBBB-4` and is refused for it.
"""  # noqa: E501

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        taxonomy = _taxonomy()
        parsed = self._parse_rows(rows, ctx.lookups, taxonomy, session)
        ctx.vacancies.prefetch(values["external_id"] for _r, values in parsed)
        ctx.employers.prefetch(values["business_id"] for _r, values in parsed)
        for row, values in parsed:
            if not row.ok:
                continue
            if not ctx.claim(row, ("tmt-ad", values["external_id"]), "ilmoituksenID", Message("ad")):
                continue
            employer = self._employer(ctx, values)
            existing = ctx.vacancies.cache.get(values["external_id"])
            if existing is not None and existing.source != "tmt":
                row.error(
                    "ilmoituksenID",
                    Message(
                        "vacancy %(vacancy)s exists with source %(source)s",
                        vacancy=values["external_id"],
                        source=quote(existing.source),
                    ),
                )
                continue
            fields = {
                k: v for k, v in values.items() if k not in ("business_id", "employer_name", "household")
            }
            fields["employer_id"] = employer.id
            if existing is None:
                vacancy = Vacancy(source="tmt", **fields)
                session.add(vacancy)
                ctx.vacancies.cache[values["external_id"]] = vacancy
                row.outcome = "inserted"
            else:
                if existing.occupation_source == OccupationSource.STAFF:
                    # staff corrected the occupation: a new version of the ad does not undo it
                    fields = {k: v for k, v in fields.items() if k not in OCCUPATION_FIELDS}
                    row.coded_score = None
                row.outcome = "updated" if assign(existing, fields) else "unchanged"
        session.flush()

    def _parse(self, ad: dict[str, Any], lookups: Lookups, taxonomy: Any) -> dict[str, Any]:
        external_id = ad.get("ilmoituksenID")
        if not isinstance(external_id, str) or not external_id.strip():
            raise RecordError("ilmoituksenID", Message("is required"))
        if len(external_id) > 80:
            raise RecordError("ilmoituksenID", _longer_than(80))
        given = str(ad.get("ilmoittajanYTunnus") or "")
        try:
            business_id = validate_business_id(given)
        except ValueError as exc:
            raise RecordError(
                "ilmoittajanYTunnus",
                Message(
                    "%(value)s is not a valid Y-tunnus (%(reason)s)",
                    value=quote(ad.get("ilmoittajanYTunnus")),
                    reason=business_id_problem(exc, given),
                ),
            ) from None
        basics = ad.get("perustiedot")
        if not isinstance(basics, dict):
            raise RecordError("perustiedot", Message("is required"))
        title = _localised(basics.get("tyonOtsikko"), "perustiedot.tyonOtsikko")
        if not title:
            raise RecordError("perustiedot.tyonOtsikko", Message("the ad has no title"))
        if len(title) > 200:
            raise RecordError("perustiedot.tyonOtsikko", _longer_than(200))
        summary = _localised(basics.get("tyonTiivistelma"), "perustiedot.tyonTiivistelma")
        body = _localised(basics.get("tyonKuvaus"), "perustiedot.tyonKuvaus")
        municipalities = _list(_get(ad, "sijainti.kunta"), "sijainti.kunta")
        if not municipalities:
            raise RecordError("sijainti.kunta", Message("the ad names no municipality"))
        code = str(municipalities[0]).strip().zfill(3)
        if code not in lookups.municipality_codes:
            raise RecordError(
                "sijainti.kunta[0]",
                Message("unknown municipality code %(text)s", text=quote(municipalities[0])),
            )
        working = basics.get("tyoAika")
        if working not in (None, "") and working not in WORKING_TIME:
            raise RecordError(
                "perustiedot.tyoAika",
                Message("unknown code %(code)s (01 full-time, 02 part-time)", code=quote(working)),
            )
        contract = basics.get("tyonJatkuvuus")
        if contract not in (None, "") and contract not in CONTRACT:
            raise RecordError(
                "perustiedot.tyonJatkuvuus",
                Message("unknown code %(code)s (01, 02, 0201, 0202)", code=quote(contract)),
            )
        positions = basics.get("paikkojenMaara", 1)
        if positions is None:
            positions = 1
        if not isinstance(positions, int) or isinstance(positions, bool) or not 1 <= positions <= 10_000:
            raise RecordError(
                "perustiedot.paikkojenMaara",
                Message("%(value)s is not a number of positions 1–10000", value=quote(positions)),
            )
        published = _date(ad.get("julkaisupvm"), "julkaisupvm") or _date(ad.get("luontipvm"), "luontipvm")
        if published is None:
            raise RecordError("julkaisupvm", Message("the ad has no publication or creation date"))
        closes = _date(_get(ad, "hakeminen.hakuaikaPaattyy"), "hakeminen.hakuaikaPaattyy")
        if closes is not None and closes < published:
            raise RecordError(
                "hakeminen.hakuaikaPaattyy",
                Message(
                    "%(date)s is before the publication date %(published)s", date=closes, published=published
                ),
            )
        requirements = ad.get("osaamisvaatimukset") or {}
        if not isinstance(requirements, dict):
            raise RecordError("osaamisvaatimukset", Message("must be an object"))
        uris = _occupation_uris(requirements.get("ammatit"), "osaamisvaatimukset.ammatit", taxonomy)
        languages: list[str] = []
        for i, item in enumerate(_list(requirements.get("kielitaidot"), "osaamisvaatimukset.kielitaidot")):
            lang = item.get("kielitaito") if isinstance(item, dict) else None
            if not isinstance(lang, str) or not lang.strip():
                raise RecordError(
                    f"osaamisvaatimukset.kielitaidot[{i}].kielitaito", Message("names no language")
                )
            languages.append(lang.strip().lower()[:3])
        for i, lang in enumerate(_list(ad.get("tyoKielet"), "tyoKielet")):
            if not isinstance(lang, str):
                raise RecordError(f"tyoKielet[{i}]", Message("must be a language code"))
            languages.append(lang.strip().lower()[:3])
        licences = _list(
            _get(requirements, "ajokortti.vaaditutAjokorttiluokat"), "ajokortti.vaaditutAjokorttiluokat"
        )
        values: dict[str, Any] = {
            "external_id": external_id.strip(),
            "business_id": business_id,
            "employer_name": _localised(ad.get("ilmoittajanNimi"), "ilmoittajanNimi") or business_id,
            "household": ad.get("tyollistaja") == "02",
            "title": title,
            "description": "\n\n".join(t for t in (summary, body) if t),
            "municipality_code": code,
            "positions": positions,
            "published_on": published,
            "closes_on": closes,
            "working_time": WORKING_TIME.get(working or "", WorkingTime.ANY),
            "employment_type": CONTRACT.get(contract or "", EmploymentType.PERMANENT),
            "languages": sorted(dict.fromkeys(languages)),
            "driving_licence_required": bool(licences),
            "remote_possible": _bool(_get(ad, "sijainti.sijaintiJoustava"), "sijainti.sijaintiJoustava"),
        }
        if uris:
            values.update(named_fields(uris[0], taxonomy.version, taxonomy.occupations[uris[0]].isco4))
        return values

    @staticmethod
    def _code_titles(parsed: list[tuple[ParsedRow, dict[str, Any]]], taxonomy: Any, session: Session) -> None:
        """Ads without an ESCO occupation get the coder's best candidate for their title (marked as the
        coder's, with its score, so that staff can review and correct it)."""
        todo = [(row, values) for row, values in parsed if "isco4" not in values]
        if not todo:
            return
        found = code_titles(session, [values["title"] for _r, values in todo])
        for (row, values), best in zip(todo, found, strict=True):
            if best is None:
                row.error(
                    "perustiedot.tyonOtsikko",
                    Message(
                        "no ESCO occupation in the ad and the title %(title)s could not be coded",
                        title=quote(values["title"]),
                    ),
                )
                continue
            values.update(coded_fields(best, taxonomy.version))
            row.coded_score = best.score

    @staticmethod
    def _employer(ctx: ImportContext, values: dict[str, Any]) -> Employer:
        business_id = values["business_id"]
        employer = ctx.employers.cache.get(business_id)
        if employer is None:
            employer = Employer(
                business_id=business_id,
                name=values["employer_name"][:200],
                municipality_code=values["municipality_code"],
                industry=HOUSEHOLD_INDUSTRY if values["household"] else UNKNOWN_INDUSTRY,
                size_class=SizeClass.MICRO,
            )
            ctx.session.add(employer)
            ctx.session.flush()
            ctx.employers.cache[business_id] = employer
        return employer


# ------------------------------------------------------------------------------------- profiles


def _months(start: dt.date | None, end: dt.date | None) -> int:
    if start is None:
        return 0
    end = end or start
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


class TmtProfilesKind(JsonKind):
    name = "tmt-profiles"
    title = "Jobseeker profiles in the national job-market platform's format (Työmarkkinatori)"
    summary = 'JSON: a list of profiles, `{"profiles": [...]}`, or one profile, each naming its person.'
    natural_key = "the person (`hetu` or `customerNumber` of the record); occupations by ESCO URI"
    personal = True
    list_keys = ("profiles",)
    single_key = "generalInfo"
    HETU_KEYS = ("hetu", "henkilotunnus", "personalIdentityCode")
    NUMBER_KEYS = ("customerNumber", "asiakasnumero", "customer_number")

    doc = """\
## `tmt-profiles` — jobseeker profiles in the national job-market platform's format (Työmarkkinatori)

`alue import tmt-profiles FILE.json` reads jobseeker profiles in the platform's profile format: a JSON
list of profiles, `{"profiles": [...]}`, or one profile. The platform's profile carries no identifier of
the person, so each record needs a `hetu` (also `henkilotunnus`) or a `customerNumber` (also
`asiakasnumero`) key beside the profile's own fields; the person must exist. A profile updates its
person; importing it again changes nothing.

| field of the profile | person | rules |
|---|---|---|
| `jobPreferenceDescription.occupations[].uri` | sought occupations (`is_target`) | ESCO occupations in the loaded ESCO |
| `employments[]`, `businessActivities[]`: `description.occupations[].uri`, `interval`, `title` | work experience: occupation, months, last year worked | a job without an ESCO occupation is coded from its title when the coder's confidence is at least 0.3, else skipped; occupations already recorded are updated, none are removed |
| `languageSkills[]`: `code`, `level` | `languages` | `L1` native, `C1`/`C2` excellent, `B2` good, `B1` fair, `A1`/`A2` basic; a level is only raised |
| `educations[].degreeCode` | `education_level` | Statistics Finland's 6-digit education code: the first digit gives the level (3–4 vocational, `30`/`31` general upper secondary, 5 short-cycle tertiary, 6 bachelor, 7 master, 8 doctoral); only completed degrees; the level is only raised |
| `drivingLicenses.licenseClasses` | `driving_licence` | any class |
| `generalInfo.preferredMunicipalities` | `commute_reach_km` | the distance from the home municipality's centre to the farthest preferred municipality, rounded up to 5 km |

The profile has no working-time preference, so the person's is kept. Errors name the profile's number
in the file and the field, e.g. `row 2, languageSkills[1].level: unknown level 'Z9'`.
"""  # noqa: E501

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        taxonomy = _taxonomy()
        parsed = self._parse_rows(rows, ctx.lookups, taxonomy, session)
        persons = self._persons(session, [values for _r, values in parsed])
        coords = {
            code: (lat, lon)
            for code, lat, lon in session.execute(
                select(Municipality.code, Municipality.lat, Municipality.lon)
            )
            if lat is not None and lon is not None
        }
        for row, values in parsed:
            if not row.ok:
                continue
            person = persons.get(values["ref"])
            if person is None:
                row.error(
                    values["ref_field"],
                    Message(
                        "no person with %(field)s %(value)s",
                        field=values["ref_field"],
                        value=values["ref"][1],
                    ),
                )
                continue
            if not ctx.claim(row, ("tmt-profile", person.id), values["ref_field"], Message("person")):
                continue
            row.person_id = person.id
            changed = self._apply_person(person, values, coords)
            changed |= self._apply_occupations(session, person, values["occupations"], taxonomy)
            row.outcome = "updated" if changed else "unchanged"
        session.flush()

    def _parse(self, profile: dict[str, Any], lookups: Lookups, taxonomy: Any) -> dict[str, Any]:
        ref: tuple[str, str] | None = None
        ref_field = ""
        for key in self.HETU_KEYS:
            if profile.get(key):
                try:
                    ref, ref_field = ("hetu", validate_hetu(str(profile[key]))), key
                except ValueError as exc:
                    raise RecordError(
                        key,
                        Message(
                            "%(value)s is not a valid henkilötunnus (%(reason)s)",
                            value=quote(profile[key]),
                            reason=hetu_problem(exc, str(profile[key])),
                        ),
                    ) from None
                break
        if ref is None:
            for key in self.NUMBER_KEYS:
                if profile.get(key):
                    ref, ref_field = ("number", str(profile[key]).strip()), key
                    break
        if ref is None:
            raise RecordError(
                "hetu",
                Message(
                    "the profile names no person: the platform's profile has no identifier, so add "
                    '"hetu" or "customerNumber" to each record'
                ),
            )
        values: dict[str, Any] = {"ref": ref, "ref_field": ref_field, "occupations": [], "titles": []}
        # sought occupations
        wishes = profile.get("jobPreferenceDescription") or {}
        for uri in _occupation_uris(
            _get(wishes, "occupations"), "jobPreferenceDescription.occupations", taxonomy
        ):
            values["occupations"].append((uri, True, 0, None))
        # work history: employments and own businesses
        for section in ("employments", "businessActivities"):
            for i, item in enumerate(_list(profile.get(section), section)):
                where = f"{section}[{i}]"
                if not isinstance(item, dict):
                    raise RecordError(where, Message("must be an object"))
                start = _date(_get(item, "interval.startDate"), f"{where}.interval.startDate")
                end = _date(_get(item, "interval.endDate"), f"{where}.interval.endDate")
                if start and end and end < start:
                    raise RecordError(
                        f"{where}.interval.endDate",
                        Message("%(end)s is before the start %(start)s", end=end, start=start),
                    )
                ongoing = _get(item, "interval.ongoing") is True
                last = (end or start) if not ongoing else today()
                months = _months(start, last)
                year = last.year if last else None
                uris = _occupation_uris(
                    _get(item, "description.occupations"), f"{where}.description.occupations", taxonomy
                )
                if uris:
                    values["occupations"].extend((uri, False, months, year) for uri in uris)
                else:
                    title = _localised(item.get("title"), f"{where}.title")
                    if title:
                        values["titles"].append((title, months, year))
        # languages
        languages: dict[str, str] = {}
        for i, item in enumerate(_list(profile.get("languageSkills"), "languageSkills")):
            where = f"languageSkills[{i}]"
            code = item.get("code") if isinstance(item, dict) else None
            level = item.get("level") if isinstance(item, dict) else None
            if not isinstance(code, str) or not code.strip():
                raise RecordError(f"{where}.code", Message("names no language"))
            if level not in LANGUAGE_LEVEL:
                raise RecordError(
                    f"{where}.level", Message("unknown level %(level)s (L1, A1 … C2)", level=quote(level))
                )
            languages[code.strip().lower()[:3]] = LANGUAGE_LEVEL[level]
        values["languages"] = languages
        # education: the highest completed degree
        best = EducationLevel.UNKNOWN
        for i, item in enumerate(_list(profile.get("educations"), "educations")):
            where = f"educations[{i}]"
            if not isinstance(item, dict):
                raise RecordError(where, Message("must be an object"))
            code = item.get("degreeCode")
            if code in (None, ""):
                continue
            if not isinstance(code, str) or not code.isdigit() or len(code) != 6:
                raise RecordError(
                    f"{where}.degreeCode",
                    Message("%(code)s is not a 6-digit education code", code=quote(code)),
                )
            status = _get(item, "interval.statusCode")
            end = _date(_get(item, "interval.endDate"), f"{where}.interval.endDate")
            if status not in (None, "2") and end is None:
                continue  # not completed
            level = EDUCATION_BY_DIGIT.get(code[0], EducationLevel.UNKNOWN)
            if code.startswith("3") and code[1] in "01":
                level = EducationLevel.GENERAL_UPPER_SECONDARY  # 301…, 31…: general upper secondary
            if EDUCATION_RANK.index(level) > EDUCATION_RANK.index(best):
                best = level
        values["education"] = best
        licences = _list(_get(profile, "drivingLicenses.licenseClasses"), "drivingLicenses.licenseClasses")
        values["driving_licence"] = bool(licences) if "drivingLicenses" in profile else None
        preferred = _list(
            _get(profile, "generalInfo.preferredMunicipalities"), "generalInfo.preferredMunicipalities"
        )
        codes = []
        for i, code in enumerate(preferred):
            text = str(code).strip().zfill(3)
            if text not in lookups.municipality_codes:
                raise RecordError(
                    f"generalInfo.preferredMunicipalities[{i}]",
                    Message("unknown municipality code %(text)s", text=quote(code)),
                )
            codes.append(text)
        values["preferred"] = codes
        return values

    @staticmethod
    def _code_titles(parsed: list[tuple[ParsedRow, dict[str, Any]]], taxonomy: Any, session: Session) -> None:
        """Jobs without an ESCO occupation: the coder's best candidate when it is confident enough."""
        todo = [(values, t) for _row, values in parsed for t in values["titles"]]
        if not todo:
            return
        found = code_titles(session, [t[0] for _v, t in todo])
        for (values, (_title, months, year)), best in zip(todo, found, strict=True):
            if best is not None and best.score >= MIN_CODER_SCORE and best.uri in taxonomy.occupations:
                values["occupations"].append((best.uri, False, months, year))

    @staticmethod
    def _persons(session: Session, records: list[dict[str, Any]]) -> dict[tuple[str, str], Person]:
        hetus = sorted({v["ref"][1] for v in records if v["ref"][0] == "hetu"})
        numbers = sorted({v["ref"][1] for v in records if v["ref"][0] == "number"})
        found: dict[tuple[str, str], Person] = {}
        if hetus:
            for p in session.scalars(select(Person).where(Person.hetu.in_(hetus))):
                found[("hetu", p.hetu)] = p
        if numbers:
            for p in session.scalars(select(Person).where(Person.customer_number.in_(numbers))):
                found[("number", p.customer_number)] = p
        return found

    @staticmethod
    def _apply_person(person: Person, values: dict[str, Any], coords: dict[str, tuple[float, float]]) -> bool:
        update: dict[str, Any] = {}
        if values["languages"]:
            merged = dict(person.languages or {})
            for lang, level in values["languages"].items():
                if LEVEL_RANK[level] >= LEVEL_RANK.get(merged.get(lang, ""), 0):
                    merged[lang] = level
            update["languages"] = merged
        if values["education"] != EducationLevel.UNKNOWN:
            current = EducationLevel(person.education_level)
            if EDUCATION_RANK.index(values["education"]) > EDUCATION_RANK.index(current):
                update["education_level"] = values["education"]
        if values["driving_licence"] is not None:
            update["driving_licence"] = values["driving_licence"]
        home = coords.get(person.home_municipality_code)
        far = [coords[c] for c in values["preferred"] if c in coords]
        if home and far:
            reach = max(great_circle_km(home, c) for c in far)
            update["commute_reach_km"] = max(5, int(math.ceil(reach / 5.0) * 5))
        return assign(person, update)

    @staticmethod
    def _apply_occupations(
        session: Session, person: Person, occupations: list[tuple[str, bool, int, int | None]], taxonomy: Any
    ) -> bool:
        merged: dict[tuple[str, bool], tuple[int, int | None]] = {}
        for uri, target, months, year in occupations:
            old = merged.get((uri, target), (0, None))
            years = [y for y in (old[1], year) if y is not None]
            merged[(uri, target)] = (old[0] + months, max(years) if years else None)
        existing = {
            (o.esco_uri, o.is_target): o
            for o in session.scalars(select(PersonOccupation).where(PersonOccupation.person_id == person.id))
        }
        changed = False
        for (uri, target), (months, year) in merged.items():
            occ = taxonomy.occupations[uri]
            fields = {
                "isco4": occ.isco4,
                "label": occ.label("fi")[:200],
                "experience_months": months,
                "last_worked_year": year,
            }
            row = existing.get((uri, target))
            if row is None:
                session.add(
                    PersonOccupation(
                        person_id=person.id,
                        esco_uri=uri,
                        esco_version=taxonomy.version,
                        is_target=target,
                        **fields,
                    )
                )
                changed = True
            else:
                changed |= assign(row, fields)
        return changed


TMT_KINDS: dict[str, Kind] = {kind.name: kind for kind in (TmtJobAdsKind(), TmtProfilesKind())}
