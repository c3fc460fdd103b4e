"""Importing and exporting: round trips, idempotency, row-level errors, --skip-invalid, Finnish files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.employers.models import Vacancy
from alue.io import (
    AccessEvent,
    add_audit_hook,
    export_rows,
    import_file,
    kinds,
    remove_audit_hook,
    write_export,
)
from alue.io.service import ImportResult
from alue.people.models import (
    EducationLevel,
    Gender,
    JobseekingSpell,
    Person,
    Status,
    StatusPeriod,
    WorkingTime,
)
from alue.services.models import Participation
from alue.shared import audit
from alue.shared.audit import Actor, AuditEvent
from alue.shared.identifiers import hetu_birth_date, hetu_is_female

from .factories import IO_TABLES, build_dataset, counts, make_person, make_spell, unique_hetu, wipe

D = dt.date


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table an import writes (ids included), to compare before and after."""
    session.expire_all()
    result = {}
    for model in IO_TABLES:
        columns = list(model.__table__.columns)
        rows = session.execute(select(*columns).order_by(*model.__table__.primary_key.columns)).all()
        result[model.__tablename__] = [tuple(r) for r in rows]
    return result


def xlsx_cells(path: Path) -> list[list[Any]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def errors_of(result: ImportResult) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in result.errors}


def person_row(hetu: str, **overrides: str) -> dict[str, str]:
    row = {
        "hetu": hetu,
        "first_name": "Aino",
        "last_name": "Virtanen",
        "home_municipality": "609",
        "mother_tongue": "fi",
        "service_language": "fi",
    }
    row.update(overrides)
    return row


def write_dicts(path: Path, rows: list[dict[str, str]], **kwargs: Any) -> Path:
    headers = list(rows[0])
    return write_csv(path, [headers, *([r.get(h, "") for h in headers] for r in rows)], **kwargs)


# --- round trips and idempotency --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_is_lossless_for_every_kind(session: Session, tmp_path: Path, fmt: str) -> None:
    build_dataset(session)
    before = counts(session)
    first = {k: tmp_path / f"{k}.1.{fmt}" for k in kinds()}
    for kind, path in first.items():
        write_export(session=session, kind=kind, path=path, fmt=fmt, actor="test", purpose="round trip")  # type: ignore[arg-type]

    wipe(session)
    assert set(counts(session).values()) == {0}
    for kind, path in first.items():
        result = import_file(session=session, kind=kind, path=path)
        assert result.ok, (kind, result.errors[:5])
        assert result.inserted == result.rows > 0, kind
    assert counts(session) == before

    for kind, path in first.items():
        again = tmp_path / f"{kind}.2.{fmt}"
        write_export(session=session, kind=kind, path=again, fmt=fmt)  # type: ignore[arg-type]
        if fmt == "csv":
            assert again.read_bytes() == path.read_bytes(), kind
        else:
            assert xlsx_cells(again) == xlsx_cells(path), kind


def test_reimporting_the_same_files_changes_nothing(session: Session, tmp_path: Path) -> None:
    build_dataset(session)
    paths = {k: tmp_path / f"{k}.csv" for k in kinds()}
    for kind, path in paths.items():
        write_export(session=session, kind=kind, path=path)
    before = snapshot(session)
    for kind, path in paths.items():
        result = import_file(session=session, kind=kind, path=path)
        assert result.ok, kind
        assert result.written, kind
        assert result.unchanged == result.rows, kind
        assert result.inserted == result.updated == 0, kind
    assert snapshot(session) == before


def test_a_vacancy_without_external_id_is_keyed_by_its_alue_id(session: Session, tmp_path: Path) -> None:
    data = build_dataset(session)
    native = data.vacancies[2]
    assert native.external_id is None
    keys = [r["external_id"] for r in export_rows(session=session, kind="vacancies")]
    assert f"alue-{native.id}" in keys
    path = tmp_path / "v.csv"
    write_export(session=session, kind="vacancies", path=path)
    result = import_file(session=session, kind="vacancies", path=path)
    assert result.unchanged == 3
    assert session.get(Vacancy, native.id).external_id is None


def test_changed_cells_update_and_are_counted(session: Session, tmp_path: Path) -> None:
    person = make_person(session, first_name="Aino")
    path = write_dicts(
        tmp_path / "p.csv",
        [
            person_row(
                person.hetu,
                first_name="Aino-Maria",
                home_municipality=person.home_municipality_code,
                mother_tongue=person.mother_tongue,
            )
        ],
    )
    result = import_file(session=session, kind="persons", path=path)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    session.refresh(person)
    assert person.first_name == "Aino-Maria"


def test_columns_missing_from_the_file_are_left_alone(session: Session, tmp_path: Path) -> None:
    person = make_person(session, phone="040 111 2222", email="a@example.fi")
    path = write_csv(tmp_path / "phones.csv", [["hetu", "puhelin"], [person.hetu, "050 999 8888"]])
    # only hetu and phone: the other required person columns are missing, so this is refused …
    assert not import_file(session=session, kind="persons", path=path).written
    # … but with the required columns present, absent optional columns are not touched
    row = person_row(
        person.hetu,
        first_name=person.first_name,
        last_name=person.last_name,
        home_municipality=person.home_municipality_code,
        mother_tongue=person.mother_tongue,
        puhelin="050 999 8888",
    )
    result = import_file(session=session, kind="persons", path=write_dicts(tmp_path / "p.csv", [row]))
    assert result.updated == 1
    session.refresh(person)
    assert (person.phone, person.email) == ("050 999 8888", "a@example.fi")


# --- Finnish files ----------------------------------------------------------------------------------


def test_finnish_excel_csv_with_aliases_labels_and_finnish_dates(session: Session, tmp_path: Path) -> None:
    hetu_a, hetu_b = unique_hetu(), unique_hetu()
    persons = write_csv(
        tmp_path / "henkilot.csv",
        [
            [
                "Henkilötunnus",
                "Etunimi",
                "Sukunimi",
                "Kotikunta",
                "Äidinkieli",
                "Asiointikieli",
                "Koulutusaste",
                "Ajokortti",
                "Työaikatoive",
                "Postinumero",
            ],
            [
                hetu_a,
                "Aino",
                "Mäkelä",
                "Pori",
                "suomi",
                "suomi",
                "Ammatillinen perustutkinto",
                "kyllä",
                "Osa-aikatyö",
                "2610",
            ],
            [hetu_b, "Åke", "Öhman", "KU079", "ruotsi", "ruotsi", "AMK", "ei", "kokoaikatyö", "29200"],
        ],
        delimiter=";",
        bom=True,
    )
    result = import_file(session=session, kind="persons", path=persons)
    assert result.ok, result.errors
    assert result.inserted == 2
    a = session.scalars(select(Person).where(Person.hetu == hetu_a)).one()
    assert (a.home_municipality_code, a.education_level, a.working_time_preference, a.postcode) == (
        "609",
        EducationLevel.VOCATIONAL,
        WorkingTime.PART_TIME,
        "02610",
    )
    assert a.driving_licence
    assert a.customer_number
    assert len(a.pseudo_key) == 32
    assert a.birth_date == hetu_birth_date(hetu_a)
    assert a.gender == (Gender.FEMALE if hetu_is_female(hetu_a) else Gender.MALE)
    b = session.scalars(select(Person).where(Person.hetu == hetu_b)).one()
    assert (b.home_municipality_code, b.mother_tongue, b.service_language) == ("079", "sv", "sv")

    spells = write_csv(
        tmp_path / "jaksot.csv",
        [
            [
                "HETU",
                "Työnhakujakso alkupvm",
                "Työnhakujakso loppupvm",
                "Kunta",
                "Päättymissyy",
                "Tila",
                "Alkupvm",
                "Loppupvm",
            ],
            [hetu_a, "2.1.2025", "", "Pori", "", "Työtön", "2.1.2025", "31.1.2025"],
            [hetu_a, "2.1.2025", "", "Pori", "", "palveluissa", "1.2.2025", ""],
            [
                hetu_b,
                "1.10.2024",
                "31.3.2025",
                "Ulvila",
                "koulutukseen",
                "lomautettu",
                "1.10.2024",
                "31.3.2025",
            ],
        ],
        delimiter=";",
    )
    result = import_file(session=session, kind="spells", path=spells)
    assert result.ok, result.errors
    assert result.inserted == 3
    spell = session.scalars(select(JobseekingSpell).where(JobseekingSpell.person_id == a.id)).one()
    assert [(p.status, p.start_date, p.end_date) for p in spell.periods] == [
        (Status.UNEMPLOYED, D(2025, 1, 2), D(2025, 1, 31)),
        (Status.IN_SERVICE, D(2025, 2, 1), None),
    ]


def test_xlsx_import_from_a_named_sheet(session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ohjeet"])
    sheet = workbook.create_sheet("Palvelut")
    sheet.append(["Palvelukoodi", "Nimi", "Laji", "Tuotantotapa", "Palvelulinja", "Yksikköhinta", "Kesto pv"])
    sheet.append(["VAL-1", "Työnhakuvalmennus", "työnhakuvalmennus", "oma palvelu", "työnvälitys", 350.5, 20])
    path = tmp_path / "palvelut.xlsx"
    workbook.save(path)
    result = import_file(session=session, kind="services", path=path, sheet="Palvelut")
    assert result.ok, result.errors
    assert result.inserted == 1
    row = next(r for r in export_rows(session=session, kind="services") if r["code"] == "VAL-1")
    assert (row["unit_cost"], row["name_sv"], row["kind"]) == (
        "350.50",
        "Työnhakuvalmennus",
        "job_search_training",
    )


# --- errors -----------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(session: Session, tmp_path: Path) -> None:
    good, other = unique_hetu(), unique_hetu()
    wrong_check = good[:-1] + ("A" if good[-1] != "A" else "B")
    path = write_dicts(
        tmp_path / "p.csv",
        [
            person_row(good),
            person_row(wrong_check),
            person_row(other, home_municipality="Atlantis"),
            person_row(good, first_name="Toinen"),
            person_row(unique_hetu(), service_language="de", mother_tongue=""),
        ],
    )
    before = snapshot(session)
    result = import_file(session=session, kind="persons", path=path)
    assert not result.written
    assert result.rejected == 4
    assert errors_of(result) == {
        (3, "hetu"),
        (4, "home_municipality"),
        (5, "hetu"),
        (6, "service_language"),
        (6, "mother_tongue"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "check character" in messages[(3, "hetu")]
    assert "unknown municipality 'Atlantis'" in messages[(4, "home_municipality")]
    assert "already on row 2" in messages[(5, "hetu")]
    assert (result.inserted, result.updated) == (0, 0)
    assert snapshot(session) == before


def test_spell_errors_dates_overlaps_and_unknown_people(session: Session, tmp_path: Path) -> None:
    person = make_person(session)
    h = person.hetu
    header = [
        "hetu",
        "spell_start_date",
        "spell_end_date",
        "municipality",
        "end_reason",
        "status",
        "start_date",
        "end_date",
    ]
    path = write_csv(
        tmp_path / "s.csv",
        [
            header,
            [h, "2025-01-02", "", "609", "", "unemployed", "2025-01-02", "2025-02-28"],
            [h, "2025-01-02", "", "609", "", "in_service", "2025-02-15", ""],  # overlaps row 2
            [h, "2025-01-02", "", "609", "", "employed", "32.1.2025", ""],  # not a date
            [unique_hetu(), "2025-01-02", "", "609", "", "unemployed", "2025-01-02", ""],  # unknown person
            [
                h,
                "2024-01-01",
                "2024-06-30",
                "609",
                "other",
                "unemployed",
                "2024-03-01",
                "2024-02-01",
            ],  # end < start
            [
                h,
                "2023-01-01",
                "2023-03-31",
                "609",
                "",
                "unemployed",
                "2023-01-01",
                "2023-03-31",
            ],  # good spell
        ],
    )
    before = counts(session)
    result = import_file(session=session, kind="spells", path=path)
    assert not result.written
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "overlaps the status period" in messages[(3, "start_date")]
    assert "row 2" in messages[(3, "start_date")]
    assert "not a date" in messages[(4, "start_date")]
    assert "no person with HETU" in messages[(5, "hetu")]
    assert "before it starts" in messages[(6, "end_date")]
    assert "row 3 of the same spell is invalid" in messages[(2, "spell_start_date")]
    assert 7 not in {e.row for e in result.errors}
    assert counts(session) == before

    result = import_file(
        session=session, kind="spells", path=path, skip_invalid=True, rejects_path=tmp_path / "rejects.csv"
    )
    assert result.written
    assert result.inserted == 1
    assert result.rejected == 5
    assert counts(session)["jobseeking_spell"] == before["jobseeking_spell"] + 1


def test_overlap_with_periods_and_spells_in_the_database(session: Session, tmp_path: Path) -> None:
    person = make_person(session)
    make_spell(session, person, [(Status.UNEMPLOYED, D(2025, 1, 1), D(2025, 3, 31))])
    make_spell(session, person, [(Status.UNEMPLOYED, D(2024, 1, 1), D(2024, 2, 29))], end=D(2024, 2, 29))
    h, m = person.hetu, person.home_municipality_code
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["hetu", "spell_start_date", "municipality", "status", "start_date"],
            [
                h,
                "2025-01-01",
                m,
                "in_service",
                "2025-03-01",
            ],  # overlaps the period 1.1.–31.3. in the database
            [h, "2023-12-01", m, "unemployed", "2023-12-01"],  # open spell overlapping the 2024 spell
        ],
    )
    result = import_file(session=session, kind="spells", path=path)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "in the database" in messages[(2, "start_date")]
    assert "overlaps the spell" in messages[(3, "spell_start_date")]


def test_references_must_exist_and_keys_be_unique(session: Session, tmp_path: Path) -> None:
    data = build_dataset(session)
    p = data.persons[0]
    path = write_dicts(
        tmp_path / "osallistumiset.csv",
        [
            {
                "asiakasnumero": p.customer_number,
                "palvelukoodi": data.services[1].code,
                "ohjattu": "1.1.2025",
                "alkupvm": "1.2.2025",
                "loppupvm": "",
                "tulos": "käynnissä",
            },
            {
                "asiakasnumero": p.customer_number,
                "palvelukoodi": data.services[1].code,
                "ohjattu": "2.1.2025",
                "alkupvm": "1.2.2025",
                "loppupvm": "",
                "tulos": "käynnissä",
            },
            {
                "asiakasnumero": "000",
                "palvelukoodi": "EI-OLE",
                "ohjattu": "1.1.2025",
                "alkupvm": "1.2.2025",
                "loppupvm": "",
                "tulos": "suoritettu",
            },
        ],
    )
    result = import_file(session=session, kind="participations", path=path, skip_invalid=True)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "already on row 2" in messages[(3, "alkupvm")]
    assert "no person with customer number 000" in messages[(4, "asiakasnumero")]
    assert "no service" in messages[(4, "palvelukoodi")]
    assert result.inserted == 1
    added = session.scalars(
        select(Participation).where(
            Participation.person_id == p.id, Participation.start_date == D(2025, 2, 1)
        )
    ).one()
    assert added.cost == data.services[1].unit_cost == Decimal("1250.50")  # blank cost: the unit cost


def test_missing_and_duplicate_columns_are_file_errors(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv", [["hetu", "henkilötunnus", "etunimi", "muistiinpanot"], ["x", "y", "z", "w"]]
    )
    result = import_file(session=session, kind="persons", path=path)
    assert not result.written
    assert result.rows == 0
    assert (1, "henkilötunnus") in errors_of(result)
    assert {(1, "last_name"), (1, "home_municipality")} <= errors_of(result)
    assert any("muistiinpanot" in w for w in result.warnings)


def test_skip_invalid_writes_good_rows_and_a_rejects_file(session: Session, tmp_path: Path) -> None:
    good = [unique_hetu() for _ in range(3)]
    rows = [
        person_row(good[0], commute_reach_km="30"),
        person_row("131052-308A"),
        person_row(good[1]),
        person_row(good[2], commute_reach_km="kaukana"),
    ]
    source = write_dicts(tmp_path / "p.csv", rows, delimiter=";")
    before = counts(session)["person"]
    rejects = tmp_path / "p.rejects.csv"
    result = import_file(
        session=session, kind="persons", path=source, skip_invalid=True, rejects_path=rejects
    )
    assert result.written
    assert (result.inserted, result.rejected) == (2, 2)
    assert counts(session)["person"] == before + 2
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == [*rows[0].keys(), "row", "errors"]
    assert [line[-2] for line in lines[1:]] == ["3", "5"]
    assert lines[1][0] == "131052-308A"
    assert "hetu: " in lines[1][-1]
    assert "commute_reach_km: 'kaukana' is not a whole number" in lines[2][-1]

    # the corrected rejects file imports as it is (its row and errors columns are ignored)
    fixed = [[*line[:-2], *line[-2:]] for line in lines]
    fixed[1][0] = unique_hetu()
    fixed[2][list(rows[0]).index("commute_reach_km")] = "40"
    result = import_file(session=session, kind="persons", path=write_csv(tmp_path / "fixed.csv", fixed))
    assert result.ok
    assert result.inserted == 2
    assert not result.warnings


def test_dry_run_counts_but_writes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_dicts(tmp_path / "p.csv", [person_row(unique_hetu()), person_row(unique_hetu())])
    before = snapshot(session)
    result = import_file(session=session, kind="persons", path=path, dry_run=True)
    assert result.ok
    assert result.inserted == 2
    assert not result.written
    assert snapshot(session) == before


def test_unreadable_file_is_a_clean_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("hetu;etunimi\n010190-901R;Jyrki\xe4\n".encode("latin-1"))
    result = import_file(session=session, kind="persons", path=path)
    assert not result.written
    assert result.errors[0].row is None
    assert "UTF-8" in result.errors[0].message


def test_personal_data_moved_in_or_out_is_written_to_the_audit_log(session: Session, tmp_path: Path) -> None:
    data = build_dataset(session)
    web_user = Actor(user_id=7, username="ohjaaja1", role="counsellor", ip="10.0.0.7")
    start = session.scalar(select(func.max(AuditEvent.id))) or 0
    path = tmp_path / "persons.csv"
    count = write_export(session=session, kind="persons", path=path, actor="ohjaaja1", purpose="casework")
    import_file(session=session, kind="persons", path=path, actor=web_user, purpose="asiakassiirto")
    write_export(session=session, kind="services", path=tmp_path / "s.csv", actor="ohjaaja1")  # no persons
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)))
    assert [(r.action, r.object_type, r.actor_username, r.actor_role, r.purpose) for r in rows] == [
        ("export", "persons", "cli:ohjaaja1", "system", "casework"),
        ("import", "persons", "ohjaaja1", "counsellor", "administration"),
    ]
    exported = json.loads(rows[0].details)
    assert {k: exported[k] for k in ("rows", "complete", "purpose")} == {
        "rows": count,
        "complete": True,
        "purpose": "casework",
    }
    # every exported person finds the export in their access report
    assert sorted(exported["person_ids"]) == sorted(p.id for p in data.persons) != []
    for person in data.persons:
        assert rows[0].id in [r.id for r in audit.access_report(session, person_id=person.id)]
    imported = json.loads(rows[1].details)
    assert (imported["rows"], imported["complete"], imported["purpose"]) == (count, True, "asiakassiirto")
    assert sorted(imported["person_ids"]) == sorted(exported["person_ids"])  # the import wrote them all
    assert (rows[1].actor_user_id, rows[1].ip) == (7, "10.0.0.7")
    assert audit.verify(session).ok


@pytest.mark.parametrize("kind", ["persons", "employers", "spells", "employment-episodes", "participations"])
def test_an_import_of_personal_data_lists_the_persons_it_wrote(
    session: Session, tmp_path: Path, kind: str
) -> None:
    data = build_dataset(session)
    data.employers[0].founded_by_person_id = data.persons[0].id
    session.flush()
    path = tmp_path / f"{kind}.csv"
    write_export(session=session, kind=kind, path=path, actor="a")
    import_file(session=session, kind=kind, path=path, actor="a")
    export_row, import_row = session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)
    ).all()[::-1]
    assert (export_row.action, import_row.action, import_row.object_type) == ("export", "import", kind)
    listed = json.loads(export_row.details)["person_ids"]
    assert listed != []
    assert sorted(json.loads(import_row.details)["person_ids"]) == sorted(listed)


def test_exports_and_imports_report_to_the_audit_hooks(session: Session, tmp_path: Path) -> None:
    build_dataset(session)
    events: list[AccessEvent] = []

    def hook(hook_session: Session, event: AccessEvent) -> None:
        assert hook_session is session
        events.append(event)

    add_audit_hook(hook)
    try:
        rows = list(export_rows(session=session, kind="persons", actor="ohjaaja1", purpose="asiakassiirto"))
        path = tmp_path / "s.csv"
        write_export(session=session, kind="services", path=path, actor="ohjaaja1", purpose="raportti")
        import_file(session=session, kind="services", path=path, actor="ohjaaja1", purpose="korjaus")
    finally:
        remove_audit_hook(hook)
    assert [(e.action, e.kind, e.personal, e.rows, e.complete) for e in events] == [
        ("export", "persons", True, len(rows), True),
        ("export", "services", False, 3, True),
        ("import", "services", False, 3, True),
    ]
    assert events[0].actor == "ohjaaja1"
    assert events[0].purpose == "asiakassiirto"


def test_status_periods_missing_from_the_file_are_kept(session: Session, tmp_path: Path) -> None:
    person = make_person(session)
    spell = make_spell(session, person, [(Status.UNEMPLOYED, D(2025, 1, 1), D(2025, 1, 31))])
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["hetu", "spell_start_date", "municipality", "status", "start_date"],
            [person.hetu, "2025-01-01", person.home_municipality_code, "in_service", "2025-02-01"],
        ],
    )
    result = import_file(session=session, kind="spells", path=path)
    assert result.ok
    assert result.inserted == 1
    periods = session.scalars(
        select(StatusPeriod).where(StatusPeriod.spell_id == spell.id).order_by(StatusPeriod.start_date)
    ).all()
    assert [p.status for p in periods] == [Status.UNEMPLOYED, Status.IN_SERVICE]
