"""Importing vacancies from a file in the web application: check first (nothing written), then import;
only the uploader can import their file; bad rows are listed by row and column, in the user's language."""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.employers.models import Employer, Vacancy
from alue.shared.auth import Role
from alue.web import uploads
from tests.web.conftest import page_csrf
from tests.web.factories import World

HEADER = "external_id,business_id,title,isco4,municipality,published_on,employment_type"
TOKEN = re.compile(r'action="/vacancies/import/([A-Za-z0-9_-]+)"')


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUE_UPLOAD_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def business_id(web_engine: Engine, world: World) -> Iterator[str]:
    """The world's employer; the vacancies a test imports (external ids WEB-…) are removed afterwards."""
    with Session(web_engine) as session:
        employer = session.get(Employer, world.employer_id)
        assert employer is not None
        found = employer.business_id
    yield found
    with Session(web_engine) as session:
        session.execute(delete(Vacancy).where(Vacancy.external_id.like("WEB-%")))
        session.commit()


def _csv(business_id: str, *rows: tuple[str, str, str]) -> bytes:
    lines = [
        HEADER,
        *(f"{key},{business_id},{title},{isco4},Pori,2026-11-02,permanent" for key, title, isco4 in rows),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _check(client: TestClient, name: str, content: bytes) -> tuple[int, str]:
    response = client.post(
        "/vacancies/import",
        data={"csrf_token": page_csrf(client, "/vacancies/import")},
        files={"file": (name, content, "application/octet-stream")},
    )
    return response.status_code, response.text


def _vacancies(engine: Engine) -> dict[str, Vacancy]:
    with Session(engine) as session:
        rows = session.scalars(select(Vacancy).where(Vacancy.external_id.like("WEB-%")))
        return {v.external_id or "": v for v in rows}


@pytest.mark.usefixtures("upload_dir")
def test_a_file_is_checked_then_imported_and_titles_without_an_occupation_are_coded(
    clients: dict[Role, TestClient], business_id: str, web_engine: Engine
) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    page = client.get("/vacancies")
    assert 'href="/vacancies/import"' in page.text
    status, text = _check(
        client, "avoimet.csv", _csv(business_id, ("WEB-1", "Hitsaaja", ""), ("WEB-2", "Kokki", "5120"))
    )
    assert status == 200
    assert "2 riviä luettu" in text
    assert "Ongelmia ei löytynyt: mitään ei ole vielä tallennettu." in text
    assert "1 riviltä puuttuu ammatti" in text
    assert "kunkin vähintään 50 %:n varmuudella" in text  # the welder is coded with certainty
    assert _vacancies(web_engine) == {}, "a check writes nothing"
    token = TOKEN.search(text)
    assert token is not None
    response = client.post(
        f"/vacancies/import/{token.group(1)}",
        data={"csrf_token": page_csrf(client, "/vacancies/import")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/vacancies/import?inserted=2&updated=0&unchanged=0&coded=1&uncertain=0"
    )
    done = client.get(response.headers["location"])
    assert "Uudet työpaikat" in done.text
    found = _vacancies(web_engine)
    assert (found["WEB-1"].isco4, found["WEB-1"].occupation_source) == ("7212", "coder")
    assert (found["WEB-2"].isco4, found["WEB-2"].occupation_source) == ("5120", "employer")
    again = client.post(
        f"/vacancies/import/{token.group(1)}", data={"csrf_token": page_csrf(client, "/vacancies/import")}
    )
    assert again.status_code == 404, "the file is gone once imported"


def test_bad_rows_are_listed_and_the_good_ones_can_be_imported_alone(
    clients: dict[Role, TestClient], business_id: str, web_engine: Engine, upload_dir: Path
) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    content = _csv(business_id, ("WEB-3", "Hitsaaja", "7212"), ("WEB-4", "Kokki", "51200"))
    status, text = _check(client, "avoimet.csv", content)
    assert status == 200
    assert "Mitään ei ole tallennettu." in text
    assert (
        '<td class="num">3</td><td>isco4</td><td>”51200” ei ole nelinumeroinen ISCO-08-koodi</td>' in text
    ), text
    token = TOKEN.search(text)
    assert token is not None
    assert 'name="skip_invalid" value="true"' in text
    response = client.post(
        f"/vacancies/import/{token.group(1)}",
        data={"csrf_token": page_csrf(client, "/vacancies/import"), "skip_invalid": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert set(_vacancies(web_engine)) == {"WEB-3"}
    assert list(upload_dir.iterdir()) == []


def _problems(text: str) -> list[tuple[str, str, str]]:
    """The rows of the page's table of problems: row, column and ``>problem`` (``lang="en">problem`` when
    the cell is marked English)."""
    table = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in text else ""
    found = re.findall(r'<tr><td class="num">(\d*)</td><td>([^<]*)</td><td([^>]*>[^<]*)</td></tr>', table)
    return [(row, html.unescape(column), html.unescape(problem).strip()) for row, column, problem in found]


@pytest.mark.usefixtures("upload_dir")
@pytest.mark.parametrize(
    ("lang", "problems"),
    [
        (
            "fi",
            [
                ("3", "julkaistu", ">”1.13.2026” ei ole päivämäärä (käytä muotoa 31.1.2025 tai 2025-01-31)"),
                ("4", "kunta", ">tuntematon kunta ”Atlantis”"),
                (
                    "5",
                    "hakuaika_paattyy",
                    ">työpaikan hakuaika päättyy (1.10.2026) ennen kuin ilmoitus julkaistaan (2.11.2026)",
                ),
            ],
        ),
        (
            "sv",
            [
                ("3", "julkaistu", ">”1.13.2026” är inte ett datum (använd 31.1.2025 eller 2025-01-31)"),
                ("4", "kunta", ">okänd kommun ”Atlantis”"),
                (
                    "5",
                    "hakuaika_paattyy",
                    ">ansökningstiden går ut (2026-10-01) innan annonsen publiceras (2026-11-02)",
                ),
            ],
        ),
        (
            "en",
            [
                ("3", "julkaistu", ">'1.13.2026' is not a date (use 2025-01-31 or 31.1.2025)"),
                ("4", "kunta", ">unknown municipality 'Atlantis'"),
                (
                    "5",
                    "hakuaika_paattyy",
                    ">the vacancy closes (01/10/2026) before it is published (02/11/2026)",
                ),
            ],
        ),
    ],
)
def test_the_problems_of_a_file_are_shown_in_the_users_language(
    clients: dict[Role, TestClient], business_id: str, lang: str, problems: list[tuple[str, str, str]]
) -> None:
    """The page lists each problem in Finnish (the default), Swedish or English, not marked as English."""
    header = "tunniste,ytunnus,nimike,isco4,kunta,julkaistu,tyosuhde,hakuaika_paattyy"
    lines = [
        f"WEB-6,{business_id},Kokki,5120,Pori,2.11.2026,vakituinen,",
        f"WEB-7,{business_id},Kokki,5120,Pori,1.13.2026,vakituinen,",
        f"WEB-8,{business_id},Kokki,5120,Atlantis,2.11.2026,vakituinen,",
        f"WEB-9,{business_id},Kokki,5120,Pori,2.11.2026,vakituinen,1.10.2026",
    ]
    client = clients[Role.EMPLOYER_SERVICES]
    if lang != "fi":
        client.get(f"/language/{lang}")
    try:
        status, text = _check(client, "avoimet.csv", ("\n".join([header, *lines]) + "\n").encode("utf-8"))
    finally:
        client.get("/language/fi")
    assert status == 200
    assert _problems(text) == problems
    assert 'lang="en"' not in text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


@pytest.mark.usefixtures("upload_dir", "business_id")
def test_a_missing_required_column_is_named_in_the_users_language(clients: dict[Role, TestClient]) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    content = (
        b"external_id,business_id,title,municipality,published_on\nWEB-10,0112038-9,Kokki,Pori,2026-11-02\n"
    )
    _status, text = _check(client, "avoimet.csv", content)
    assert _problems(text) == [
        (
            "1",
            "employment_type",
            ">pakollinen sarake puuttuu (hyväksytään myös nimillä: "
            "tyosuhde, tyosuhteen_tyyppi, anstallningsform)",
        )
    ]
    assert "Korjaa tiedosto ja valitse se uudelleen." in text
    client.get("/language/sv")
    try:
        _status, text = _check(client, "avoimet.csv", content)
    finally:
        client.get("/language/fi")
    assert _problems(text) == [
        (
            "1",
            "employment_type",
            ">en obligatorisk kolumn saknas (godtas även med namnen: "
            "tyosuhde, tyosuhteen_tyyppi, anstallningsform)",
        )
    ]


@pytest.mark.usefixtures("upload_dir")
def test_only_the_uploader_can_import_the_file(
    clients: dict[Role, TestClient], business_id: str, web_engine: Engine
) -> None:
    _status, text = _check(
        clients[Role.EMPLOYER_SERVICES], "a.csv", _csv(business_id, ("WEB-5", "Kokki", "5120"))
    )
    token = TOKEN.search(text)
    assert token is not None
    lead = clients[Role.TEAM_LEAD]
    response = lead.post(f"/vacancies/import/{token.group(1)}", data={"csrf_token": page_csrf(lead)})
    assert response.status_code == 404
    assert _vacancies(web_engine) == {}


@pytest.mark.usefixtures("upload_dir", "business_id")
def test_a_wrong_file_is_refused_with_a_clear_message(
    clients: dict[Role, TestClient], monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    status, text = _check(client, "avoimet.pdf", b"%PDF-1.4")
    assert (status, "Valitse CSV-, Excel- (.xlsx) tai JSON-tiedosto." in text) == (400, True)
    monkeypatch.setattr(uploads, "MAX_BYTES", 10)
    status, text = _check(client, "avoimet.csv", b"x" * 11)
    assert (status, "Tiedosto on suurempi kuin" in text) == (400, True)
    monkeypatch.undo()
    # the national platform's example ad has a placeholder Y-tunnus: a file-level check names it
    example = (data_dir / "formats" / "tmt_job_ad.json").read_bytes()
    status, text = _check(client, "ilmoitukset.json", example)
    assert status == 200
    assert "AAAABBBB-4" in text
    assert "Korjaa tiedosto ja valitse se uudelleen." in text


def test_uploaded_files_are_kept_for_an_hour_only(upload_dir: Path) -> None:
    old, new = upload_dir / "1-old.csv", upload_dir / "1-new.csv"
    for path in (old, new):
        path.write_text("x")
    os.utime(old, (time.time() - uploads.KEEP_S - 5,) * 2)
    assert uploads.prune() == 1
    assert [p.name for p in upload_dir.iterdir()] == ["1-new.csv"]


@pytest.mark.usefixtures("upload_dir")
def test_a_column_the_import_does_not_use_is_named_on_the_check(
    clients: dict[Role, TestClient], business_id: str
) -> None:
    """A misspelt or extra column is ignored, and the check says so in the user's language."""
    client = clients[Role.EMPLOYER_SERVICES]
    content = _csv(business_id, ("WEB-9", "Hitsaaja", "7212")).decode().splitlines()
    content[0] += ",lisätieto"
    content[1] += ",kokemus eduksi"
    status, text = _check(client, "lisa.csv", ("\n".join(content) + "\n").encode())
    assert status == 200
    assert "Huomaa:" in text
    assert "tämä tuonti ei käytä saraketta ”lisätieto”" in text
    assert "Ongelmia ei löytynyt" in text
    client.get("/language/sv")
    try:
        status, text = _check(client, "lisa.csv", ("\n".join(content) + "\n").encode())
    finally:
        client.get("/language/fi")
    assert "kolumnen ”lisätieto” används inte av den här importen" in text
