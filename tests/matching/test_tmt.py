"""The importers of the national job-market platform's formats, on the shared examples and broken variants."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.employers.models import Employer, Vacancy
from alue.io.service import import_file
from alue.people.models import EducationLevel, PersonOccupation
from tests.io.factories import make_employer, make_person

VALID_BUSINESS_ID = "0112038-9"
WELDER = "Hitsaaja"


@pytest.fixture
def job_ads(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "formats" / "tmt_job_ad.json").read_text(encoding="utf-8"))


@pytest.fixture
def profile(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "formats" / "tmt_mock_profile.json").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: Any, name: str = "file.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def fixed(job_ads: dict[str, Any]) -> dict[str, Any]:
    """The example with a real Y-tunnus (the example's ``AAAABBBB-4`` is a placeholder)."""
    data = copy.deepcopy(job_ads)
    data["ilmoitukset"][0]["ilmoittajanYTunnus"] = VALID_BUSINESS_ID
    return data


def vacancy_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Vacancy)) or 0


def test_the_shared_example_is_refused_for_its_placeholder_business_id(
    session: Session, tmp_path: Path, data_dir: Path
) -> None:
    result = import_file(session=session, kind="tmt-job-ads", path=data_dir / "formats" / "tmt_job_ad.json")
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(1, "ilmoittajanYTunnus")]
    assert "AAAABBBB-4" in result.errors[0].message
    assert vacancy_count(session) == 0


def test_a_job_ad_becomes_a_vacancy_and_its_employer_is_created(
    session: Session, tmp_path: Path, job_ads: dict[str, Any]
) -> None:
    result = import_file(session=session, kind="tmt-job-ads", path=write(tmp_path, fixed(job_ads)))
    assert result.ok, result.errors
    assert result.written
    assert result.inserted == 1
    vacancy = session.scalar(
        select(Vacancy).where(Vacancy.external_id == "91f04ea5-8eba-421e-a2b5-c6c21e4d64c8")
    )
    assert vacancy is not None
    assert vacancy.source == "tmt"
    assert vacancy.title == "Hoiva-avustaja/Lähihoitaja/Sairaanhoitaja"
    assert vacancy.description.startswith("Henkilöstövuokraus AABB Oy vuokraa")
    # the first ESCO occupation of the ad
    assert vacancy.esco_uri == "http://data.europa.eu/esco/occupation/8d3e8aaa-791b-4c75-a465-f3f827028f50"
    assert len(vacancy.isco4) == 4
    assert vacancy.isco4.isdigit()
    assert vacancy.municipality_code == "297"
    assert vacancy.positions == 10
    assert str(vacancy.working_time) == "part_time"
    assert str(vacancy.employment_type) == "permanent"
    assert vacancy.languages == ["fi"]
    assert vacancy.driving_licence_required is False
    assert str(vacancy.published_on) == "2022-08-01"
    assert str(vacancy.closes_on) == "2022-12-31"  # 22:00 UTC is midnight in Helsinki
    employer = session.get(Employer, vacancy.employer_id)
    assert employer is not None
    assert employer.business_id == VALID_BUSINESS_ID
    assert employer.name == "Henkilöstövuokraus AABB Oy"

    again = import_file(session=session, kind="tmt-job-ads", path=write(tmp_path, fixed(job_ads)))
    assert again.unchanged == 1
    assert again.inserted == again.updated == 0
    assert vacancy_count(session) == 1


def test_an_existing_employer_is_found_by_business_id(
    session: Session, tmp_path: Path, job_ads: dict[str, Any]
) -> None:
    employer = make_employer(session, business_id=VALID_BUSINESS_ID, name="Vanha Nimi Oy")
    result = import_file(session=session, kind="tmt-job-ads", path=write(tmp_path, fixed(job_ads)))
    assert result.ok, result.errors
    vacancy = session.scalar(select(Vacancy).where(Vacancy.source == "tmt"))
    assert vacancy is not None
    assert vacancy.employer_id == employer.id
    assert (
        session.scalar(
            select(func.count()).select_from(Employer).where(Employer.business_id == VALID_BUSINESS_ID)
        )
        == 1
    )


def test_an_ad_without_an_occupation_code_is_coded_from_its_title(
    session: Session, tmp_path: Path, job_ads: dict[str, Any]
) -> None:
    data = fixed(job_ads)
    ad = data["ilmoitukset"][0]
    ad["osaamisvaatimukset"]["ammatit"] = []
    ad["perustiedot"]["tyonOtsikko"] = [{"kieliKoodi": "fi", "arvo": WELDER}]
    result = import_file(session=session, kind="tmt-job-ads", path=write(tmp_path, data))
    assert result.ok, result.errors
    vacancy = session.scalar(select(Vacancy).where(Vacancy.source == "tmt"))
    assert vacancy is not None
    assert vacancy.isco4 == "7212"
    assert vacancy.esco_uri


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("sijainti", "kunta"), ["999"], "sijainti.kunta[0]"),
        (("sijainti", "kunta"), [], "sijainti.kunta"),
        (("perustiedot", "tyoAika"), "09", "perustiedot.tyoAika"),
        (("perustiedot", "paikkojenMaara"), 0, "perustiedot.paikkojenMaara"),
        (("perustiedot", "tyonOtsikko"), [], "perustiedot.tyonOtsikko"),
        (("julkaisupvm",), "eilen", "julkaisupvm"),
        (("hakeminen", "hakuaikaPaattyy"), "2022-01-01T00:00:00Z", "hakeminen.hakuaikaPaattyy"),
        (
            ("osaamisvaatimukset", "ammatit"),
            [{"luokittelunNimi": "ESCO", "luokiteltuArvo": "http://data.europa.eu/esco/occupation/nope"}],
            "osaamisvaatimukset.ammatit[0]",
        ),
    ],
)
def test_a_broken_ad_names_its_record_and_field_and_writes_nothing(
    session: Session, tmp_path: Path, job_ads: dict[str, Any], path: tuple[str, ...], value: Any, field: str
) -> None:
    good = fixed(job_ads)["ilmoitukset"][0]
    other = copy.deepcopy(good)
    other["ilmoituksenID"] = "second-ad"
    bad = copy.deepcopy(good)
    bad["ilmoituksenID"] = "third-ad"
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = import_file(
        session=session, kind="tmt-job-ads", path=write(tmp_path, {"ilmoitukset": [good, other, bad]})
    )
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(3, field)]
    assert vacancy_count(session) == 0
    assert (
        session.scalar(
            select(func.count()).select_from(Employer).where(Employer.business_id == VALID_BUSINESS_ID)
        )
        == 0
    )


def test_the_same_ad_twice_in_a_file_is_an_error(
    session: Session, tmp_path: Path, job_ads: dict[str, Any]
) -> None:
    ad = fixed(job_ads)["ilmoitukset"][0]
    result = import_file(session=session, kind="tmt-job-ads", path=write(tmp_path, [ad, ad]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "ilmoituksenID")]
    assert vacancy_count(session) == 0


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"foo": 1}'])
def test_a_file_that_is_not_in_the_format_is_refused(
    session: Session, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = import_file(session=session, kind="tmt-job-ads", path=path)
    assert not result.written
    assert result.errors
    assert all(e.message for e in result.errors)
    assert vacancy_count(session) == 0


# ------------------------------------------------------------------------------------- profiles


def occupations(session: Session, person_id: int) -> list[PersonOccupation]:
    return list(session.scalars(select(PersonOccupation).where(PersonOccupation.person_id == person_id)))


def test_the_shared_profile_needs_a_person_identifier(session: Session, data_dir: Path) -> None:
    result = import_file(
        session=session, kind="tmt-profiles", path=data_dir / "formats" / "tmt_mock_profile.json"
    )
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(1, "hetu")]
    assert "customerNumber" in result.errors[0].message


def test_a_profile_updates_its_person(session: Session, tmp_path: Path, profile: dict[str, Any]) -> None:
    person = make_person(
        session,
        home_municipality_code="609",
        languages={"fi": "native"},
        education_level=EducationLevel.VOCATIONAL,
        driving_licence=False,
        commute_reach_km=10,
    )
    session.flush()
    data = copy.deepcopy(profile)
    data["hetu"] = person.hetu
    data["jobPreferenceDescription"]["occupations"] = [
        {"uri": "http://data.europa.eu/esco/occupation/66542dd6-05a6-4d9e-97ff-3f4858c31ff9"}
    ]
    result = import_file(session=session, kind="tmt-profiles", path=write(tmp_path, data))
    assert result.ok, result.errors
    assert result.updated == 1
    session.refresh(person)
    assert person.languages == {"fi": "native", "en": "good", "af": "basic", "sv": "fair"}
    assert person.education_level == EducationLevel.BACHELOR  # degree code 651104: AMK
    assert person.driving_licence is True
    # the preferred municipality is Turku (853), about 115 km from Pori's centre: rounded up to 5 km
    assert person.commute_reach_km == 120
    rows = occupations(session, person.id)
    photographer = "http://data.europa.eu/esco/occupation/66542dd6-05a6-4d9e-97ff-3f4858c31ff9"
    target = [o for o in rows if o.is_target]
    assert [o.esco_uri for o in target] == [photographer]
    # the business activity 2006 names the photographer occupation: 12 months of experience
    history = {o.esco_uri: o for o in rows if not o.is_target}
    assert history[photographer].experience_months == 13
    assert history[photographer].last_worked_year == 2007
    assert all(len(o.isco4) == 4 for o in rows)

    again = import_file(session=session, kind="tmt-profiles", path=write(tmp_path, data))
    assert again.ok
    assert again.unchanged == 1
    assert again.updated == 0
    assert len(occupations(session, person.id)) == len(rows)


def test_a_profile_of_an_unknown_person_or_with_a_bad_level_writes_nothing(
    session: Session, tmp_path: Path, profile: dict[str, Any]
) -> None:
    person = make_person(session, languages={"fi": "native"})
    session.flush()
    good = copy.deepcopy(profile)
    good["customerNumber"] = person.customer_number
    unknown = copy.deepcopy(profile)
    unknown["customerNumber"] = "9999999999"
    bad_level = copy.deepcopy(profile)
    bad_level["hetu"] = person.hetu
    bad_level["languageSkills"][1]["level"] = "Z9"
    result = import_file(
        session=session, kind="tmt-profiles", path=write(tmp_path, {"profiles": [good, unknown, bad_level]})
    )
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "customerNumber"),
        (3, "languageSkills[1].level"),
    ]
    session.refresh(person)
    assert person.languages == {"fi": "native"}
    assert occupations(session, person.id) == []


def test_skip_invalid_writes_the_good_ads_even_when_the_first_is_bad(
    session: Session, tmp_path: Path, job_ads: dict[str, Any]
) -> None:
    good = fixed(job_ads)["ilmoitukset"][0]
    bad = copy.deepcopy(good)
    bad["ilmoituksenID"] = "bad-ad"
    bad["sijainti"]["kunta"] = ["999"]
    rejects = tmp_path / "rejects.csv"
    result = import_file(
        session=session,
        kind="tmt-job-ads",
        path=write(tmp_path, [bad, good]),
        skip_invalid=True,
        rejects_path=rejects,
    )
    assert result.written
    assert (result.inserted, result.rejected) == (1, 1)
    assert [(e.row, e.column) for e in result.errors] == [(1, "sijainti.kunta[0]")]
    assert vacancy_count(session) == 1
    assert "bad-ad" in rejects.read_text(encoding="utf-8-sig")
