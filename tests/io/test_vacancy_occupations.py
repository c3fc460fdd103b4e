"""A vacancy's occupation on a table import: named in the file, checked against ESCO, or coded from
the title by the occupation coder (marked as the coder's, to be reviewed), and never undoing a staff
correction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.employers.models import Employer, Vacancy
from alue.io.service import ImportResult, import_file, write_export
from alue.matching.confirmed import set_vacancy_occupation
from alue.matching.taxonomy import Taxonomy, load_taxonomy
from tests.io.factories import cli_in_session, make_employer

WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"  # hitsaaja, 7212
WAREHOUSE = "http://data.europa.eu/esco/occupation/bea705fe-06ac-4147-b8e0-6e8ac1208d8f"  # 9333
HEADER = "external_id,business_id,title,esco_uri,esco_version,isco4,municipality,published_on,employment_type"


@pytest.fixture(scope="module")
def taxonomy(data_dir: Path) -> Taxonomy:
    return load_taxonomy(data_dir)


@pytest.fixture
def employer(session: Session) -> Employer:
    return make_employer(session, municipality_code="609")


def _row(employer: Employer, key: str, title: str, uri: str = "", version: str = "", isco4: str = "") -> str:
    return f'{key},{employer.business_id},"{title}",{uri},{version},{isco4},Pori,2026-11-02,permanent'


def _import(session: Session, tmp_path: Path, *rows: str, header: str = HEADER) -> ImportResult:
    path = tmp_path / "vacancies.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return import_file(session=session, kind="vacancies", path=path)


def _vacancy(session: Session, key: str) -> Vacancy:
    vacancy = session.scalar(select(Vacancy).where(Vacancy.external_id == key))
    assert vacancy is not None
    return vacancy


def test_a_vacancy_without_an_occupation_is_coded_from_its_title(
    session: Session, tmp_path: Path, employer: Employer, taxonomy: Taxonomy
) -> None:
    # no occupation columns at all, as in an employer's own list of openings
    header = "external_id,business_id,title,municipality,published_on,employment_type"
    rows = [
        f"E-1,{employer.business_id},Hitsaaja,Pori,2026-11-02,permanent",
        f"E-2,{employer.business_id},Lähihoitaja (osa-aikainen),Pori,2026-11-02,permanent",
    ]
    result = _import(session, tmp_path, *rows, header=header)
    assert result.ok, result.errors
    assert (result.inserted, result.coded, result.coded_uncertain) == (2, 2, 0)
    welder, nurse = _vacancy(session, "E-1"), _vacancy(session, "E-2")
    assert (welder.isco4, welder.esco_uri, welder.occupation_source) == ("7212", WELDER, "coder")
    assert nurse.isco4 == "5321"
    assert nurse.esco_uri in taxonomy.occupations
    for vacancy in (welder, nurse):
        assert vacancy.esco_version == taxonomy.version
        assert vacancy.occupation_score is not None
        assert 0.5 < vacancy.occupation_score <= 1


def test_a_named_occupation_is_checked_against_esco_and_marked_as_the_employers(
    session: Session, tmp_path: Path, employer: Employer, taxonomy: Taxonomy
) -> None:
    result = _import(
        session,
        tmp_path,
        _row(employer, "N-1", "Hitsaaja", uri=WELDER),  # the group comes from ESCO
        _row(employer, "N-2", "Varastotyöntekijä", isco4="9333"),  # a group alone
        # an occupation of another ESCO version, with the group the file gives
        _row(employer, "N-3", "Uusi ammatti", uri=WELDER + "-new", version="v1.2.0", isco4="7212"),
    )
    assert result.ok, result.errors
    welder, warehouse, newer = (_vacancy(session, k) for k in ("N-1", "N-2", "N-3"))
    assert (welder.isco4, welder.esco_version, welder.occupation_source) == (
        "7212",
        taxonomy.version,
        "employer",
    )
    assert (warehouse.isco4, warehouse.esco_uri, warehouse.occupation_source) == ("9333", None, "employer")
    assert (newer.isco4, newer.esco_version, newer.occupation_source) == ("7212", "v1.2.0", "employer")
    assert welder.occupation_score is None


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"uri": WELDER, "isco4": "9333"},
            "isco4",
            "9333 is not the ISCO group of the ESCO occupation 'hitsaaja' (7212)",
        ),
        ({"uri": WELDER + "-x"}, "esco_uri", "is not in the loaded ESCO 1.1.1; give its ISCO group in isco4"),
        ({"uri": WELDER + "-x", "isco4": "7212"}, "esco_uri", "is not in the loaded ESCO 1.1.1"),
        ({"uri": WELDER + "-x", "version": "v1.2.0"}, "esco_uri", "give its ISCO group in isco4"),
    ],
)
def test_a_wrong_occupation_is_an_error_naming_the_row_and_column_and_nothing_is_written(
    session: Session, tmp_path: Path, employer: Employer, cells: dict[str, str], column: str, message: str
) -> None:
    result = _import(
        session, tmp_path, _row(employer, "W-1", "Hitsaaja"), _row(employer, "W-2", "Hitsaaja", **cells)
    )
    assert not result.ok
    assert not result.written
    [error] = result.errors
    assert (error.row, error.column) == (3, column)
    assert message in error.message
    assert session.scalar(select(Vacancy).where(Vacancy.external_id.in_(["W-1", "W-2"]))) is None


def test_imports_again_keep_a_staff_correction_and_recode_a_changed_title(
    session: Session, tmp_path: Path, employer: Employer, taxonomy: Taxonomy
) -> None:
    assert _import(session, tmp_path, _row(employer, "R-1", "Hitsaaja"), _row(employer, "R-2", "Hitsaaja")).ok
    corrected, other = _vacancy(session, "R-1"), _vacancy(session, "R-2")
    set_vacancy_occupation(
        session,
        corrected,
        WAREHOUSE,
        taxonomy=taxonomy,
        user_id=None,
        remember=False,
        now=dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC),
    )
    session.flush()
    # the employer's list again, with new titles and even an occupation of its own
    result = _import(
        session,
        tmp_path,
        _row(employer, "R-1", "Hitsaaja, konepaja", isco4="7212"),
        _row(employer, "R-2", "Varastotyöntekijä"),
    )
    assert result.ok, result.errors
    assert (corrected.title, corrected.isco4, corrected.esco_uri, corrected.occupation_source) == (
        "Hitsaaja, konepaja",
        "9333",
        WAREHOUSE,
        "staff",
    )
    assert (other.isco4, other.occupation_source) == ("9333", "coder")  # coded again for the new title


def test_an_exported_file_imported_again_changes_nothing_and_keeps_who_chose(
    session: Session, tmp_path: Path, employer: Employer
) -> None:
    assert _import(
        session, tmp_path, _row(employer, "X-1", "Hitsaaja"), _row(employer, "X-2", "Hitsaaja", uri=WELDER)
    ).ok
    path = tmp_path / "export.csv"
    write_export(session=session, kind="vacancies", path=path)
    result = import_file(session=session, kind="vacancies", path=path)
    assert result.ok, result.errors
    assert result.unchanged == result.rows >= 2
    assert [_vacancy(session, k).occupation_source for k in ("X-1", "X-2")] == ["coder", "employer"]


def test_the_command_line_says_how_many_titles_the_coder_coded_and_how_many_to_review(
    session: Session, tmp_path: Path, employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = cli_in_session(session, monkeypatch)
    path = tmp_path / "vacancies.csv"
    # the first title is coded with certainty; the second has words no ESCO label has (coded at about 34 %)
    rows = [
        _row(employer, "C-1", "Hitsaaja"),
        _row(employer, "C-2", "Logistiikkatyöntekijä"),
        _row(employer, "C-3", "Kokki", isco4="5120"),
    ]
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "vacancies", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "2 rows named no occupation: the occupation coder coded them from their titles" in said
    assert "(1 with a certainty under 50%;" in said
