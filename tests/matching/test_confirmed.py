# ruff: noqa: F811  (the web fixtures are imported, and pytest passes them by name)
"""Titles confirmed by staff: the coder learns them, vacancies keep who chose their occupation, and the
pages that correct a vacancy's occupation (access, audit, translations)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.employers.models import Employer, Vacancy
from alue.io.service import import_file
from alue.matching import coder as coder_module
from alue.matching.coder import OccupationCoder, _cache_key, load_coder
from alue.matching.confirmed import (
    confirm_title,
    confirmed_titles,
    read_confirmed_titles,
    set_vacancy_occupation,
    title_key,
)
from alue.matching.models import ConfirmedTitle
from alue.matching.taxonomy import Taxonomy
from alue.shared.audit import AuditEvent
from alue.shared.auth import Role
from alue.shared.db import make_engine
from alue.shared.migrate import upgrade as migrate_upgrade
from tests.io.factories import make_employer
from tests.web.conftest import (  # noqa: F401 (fixtures)
    app,
    clients,
    page_csrf,
    web_db_url,
    web_engine,
    web_settings,
    world,
)
from tests.web.factories import World, make_vacancy

#: A job-ad title that no ESCO label has and that the coder gets wrong (a cemetery worker, 5163)
TITLE = "logistiikkatyöntekijä"
WAREHOUSE = "http://data.europa.eu/esco/occupation/bea705fe-06ac-4147-b8e0-6e8ac1208d8f"  # 9333
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
#: A degree title of ``degree_titles.yaml``, which the area's staff code as bookkeepers (kirjanpitäjä, 3313)
DEGREE = "merkonomi"
BOOKKEEPER = "http://data.europa.eu/esco/occupation/c3aae59e-1441-4b3e-bdd1-6da50dc7cf42"


@pytest.fixture(scope="module")
def learnt(data_dir: Path) -> OccupationCoder:
    """The coder with two confirmed titles, one of them a degree title of the degree table (not written
    to the disk cache the other tests share). Built without the linear SVMs, which these tests are not
    about and which take most of a build's time."""
    return load_coder(
        data_dir,
        params=coder_module.CoderParams(svm_c=0),
        local_titles=[(TITLE, WAREHOUSE), (DEGREE, BOOKKEEPER)],
        use_cache=False,
    )


def test_the_title_key_leaves_out_job_ad_words() -> None:
    assert title_key("Logistiikkatyöntekijä (osa-aikainen)") == TITLE
    assert title_key("  LOGISTIIKKATYÖNTEKIJÄ ") == TITLE


def test_a_confirmed_title_is_coded_as_confirmed_and_so_are_its_forms(
    coder: OccupationCoder, learnt: OccupationCoder
) -> None:
    assert coder.code(TITLE, top=1)[0].isco != "9333", "pick a title the coder gets wrong"
    for text in (TITLE, "Logistiikkatyöntekijä (osa-aikainen)", "logistiikkatyöntekijät"):
        best = learnt.code(text, top=3)[0]
        assert (best.isco, best.uri) == ("9333", WAREHOUSE), text
        assert best.score > 0.5
    # other titles are coded as before
    for text in ("hitsaaja", "lähihoitaja", "ohjelmistokehittäjä"):
        assert learnt.code(text, top=1)[0].isco == coder.code(text, top=1)[0].isco


def test_a_confirmed_degree_title_wins_over_the_degree_table(
    coder: OccupationCoder, learnt: OccupationCoder
) -> None:
    assert coder.code(DEGREE, top=1)[0].isco != "3313", "the table lists other work first"
    best = learnt.code("Merkonomi (osa-aikainen)", top=3)
    assert (best[0].isco, best[0].uri) == ("3313", BOOKKEEPER)
    assert best[0].score > 0.5


def test_the_cache_key_follows_the_confirmed_titles(data_dir: Path) -> None:
    plain = coder_module.CoderParams()
    none = _cache_key(data_dir, plain)
    assert _cache_key(data_dir, plain, ()) == none
    one = _cache_key(data_dir, plain, [(TITLE, WAREHOUSE)])
    assert one != none
    assert _cache_key(data_dir, plain, [(TITLE, WAREHOUSE)]) == one
    assert _cache_key(data_dir, plain, [("varastomies", WAREHOUSE)]) != one


def test_the_disk_cache_keeps_the_coders_last_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path))
    built: list[int] = []

    def fake_build(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        built.append(len(kwargs.get("local_titles") or ()))
        return OccupationCoder.__new__(OccupationCoder)

    monkeypatch.setattr(coder_module, "build_coder", fake_build)
    monkeypatch.setattr(coder_module, "_LOADED", {})
    for n in range(5):
        load_coder(data_dir, local_titles=[(f"nimike{i}", WAREHOUSE) for i in range(n)])
    assert built == [0, 1, 2, 3, 4]
    assert len(list(tmp_path.glob("occupation-coder-*.pickle"))) == 1 + coder_module._CACHE_KEEP
    # the newest three are the ones kept: loading them again builds nothing
    monkeypatch.setattr(coder_module, "_LOADED", {})
    for n in (4, 3, 2):
        load_coder(data_dir, local_titles=[(f"nimike{i}", WAREHOUSE) for i in range(n)])
    assert built == [0, 1, 2, 3, 4]


def test_a_coder_that_another_is_building_is_waited_for_not_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    # Web workers or test workers that start together need the same coder: one builds it, the others
    # wait for the build lock and then read it from the disk cache.
    import threading
    import time

    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(coder_module, "_LOADED", {})
    built: list[int] = []

    def slow_build(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        built.append(threading.get_ident())
        time.sleep(0.3)
        return OccupationCoder.__new__(OccupationCoder)

    monkeypatch.setattr(coder_module, "build_coder", slow_build)
    results: list[OccupationCoder] = []

    def worker() -> None:
        results.append(load_coder(data_dir))
        coder_module._LOADED.clear()  # as another process would: only the disk cache is shared

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len(results) == 3
    assert (tmp_path / "occupation-coder.lock").is_file()
    assert len(list(tmp_path.glob("occupation-coder-*.pickle"))) == 1


@pytest.fixture
def in_memory(
    coder: OccupationCoder, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> OccupationCoder:
    """The coder without confirmed titles, as the only one in memory (and an empty disk cache)."""
    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(coder_module, "_LOADED", {})
    resolved = data_dir.resolve()
    params = coder_module.CoderParams()
    coder_module._remember((resolved, params, _cache_key(resolved, params)), coder, ())
    return coder


@dataclass
class SlowBuild:
    """A coder build that waits for ``release`` (``started`` is set when it begins; ``titles`` are the
    confirmed titles of each build)."""

    started: threading.Event
    release: threading.Event
    titles: list[Any]


@pytest.fixture
def slow_build(learnt: OccupationCoder, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowBuild]:
    """Builds of the coder block until released, then give the coder with the confirmed title."""
    from alue.matching.confirmed import wait_for_builds

    build = SlowBuild(threading.Event(), threading.Event(), [])

    def slow(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        build.titles.append(kwargs["local_titles"])
        build.started.set()
        assert build.release.wait(30)
        return learnt

    monkeypatch.setattr(coder_module, "build_coder", slow)
    yield build
    build.release.set()
    wait_for_builds(60)


def test_a_page_gets_a_confirmed_title_at_once_while_the_coder_is_rebuilt(
    session: Session,
    taxonomy: Taxonomy,
    in_memory: OccupationCoder,
    learnt: OccupationCoder,
    data_dir: Path,
    slow_build: SlowBuild,
) -> None:
    coder = in_memory
    from alue.matching.confirmed import CONFIRMED_SCORE, ConfirmedOverlay, coder_for, wait_for_builds

    confirm_title(session, title=TITLE, uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)
    interim = coder_for(session, data_dir, wait=False)
    assert isinstance(interim, ConfirmedOverlay)
    assert interim.base is coder
    assert slow_build.started.wait(30), "the new coder is built in the background"
    best = interim.code("Logistiikkatyöntekijä (osa-aikainen)", top=3)
    assert (best[0].isco, best[0].uri, best[0].score) == ("9333", WAREHOUSE, CONFIRMED_SCORE)
    assert sum(c.score for c in best) <= 1.0 + 1e-9
    assert "9333" not in [c.isco for c in best[1:]]
    assert interim.code("hitsaaja", top=2) == coder.code("hitsaaja", top=2)
    assert coder_for(session, data_dir, wait=False).base is coder  # type: ignore[union-attr]
    slow_build.release.set()
    wait_for_builds(60)
    assert slow_build.titles == [((TITLE, WAREHOUSE),)]
    assert coder_for(session, data_dir, wait=False) is learnt


def test_an_import_codes_with_the_coder_it_has_while_the_new_one_is_built(
    session: Session, taxonomy: Taxonomy, in_memory: OccupationCoder, slow_build: SlowBuild
) -> None:
    """The web import's check does not wait for the coder with newly confirmed titles."""
    from alue.io.kinds.occupations import code_titles
    from alue.matching.confirmed import CONFIRMED_SCORE

    confirm_title(session, title=TITLE, uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)
    confirmed, welder = code_titles(session, ["Logistiikkatyöntekijä (osa-aikainen)", "hitsaaja"])
    assert slow_build.started.wait(30), "the new coder is built in the background"
    assert not slow_build.release.is_set()
    assert confirmed is not None
    assert welder is not None
    assert (confirmed.isco, confirmed.uri, confirmed.score) == ("9333", WAREHOUSE, CONFIRMED_SCORE)
    assert welder == in_memory.code("hitsaaja", top=1)[0]


@pytest.mark.usefixtures("in_memory")
def test_a_failing_background_build_is_tried_again_later_not_on_every_request(
    session: Session,
    taxonomy: Taxonomy,
    learnt: OccupationCoder,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from alue.matching import confirmed as confirmed_module
    from alue.matching.confirmed import ConfirmedOverlay, coder_for, wait_for_builds

    monkeypatch.setattr(confirmed_module, "_FAILED", {})
    builds: list[float] = []
    clock = [1000.0]
    fail = [True]

    def failing_build(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        builds.append(clock[0])
        if fail[0]:
            raise OSError("disk full")
        return learnt

    def request() -> OccupationCoder | ConfirmedOverlay:
        found = coder_for(session, data_dir, wait=False)
        wait_for_builds(60)
        return found

    monkeypatch.setattr(coder_module, "build_coder", failing_build)
    monkeypatch.setattr(confirmed_module.time, "monotonic", lambda: clock[0])
    confirm_title(session, title=TITLE, uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)
    with caplog.at_level(logging.ERROR, logger=confirmed_module.__name__):
        for _ in range(3):  # pages keep working on the coder they have
            assert isinstance(request(), ConfirmedOverlay)
        assert builds == [1000.0], "one failed build, not one per request"
        assert "1 in a row" in caplog.text
        clock[0] += confirmed_module.RETRY_AFTER_S + 1
        request()
        request()
        assert len(builds) == 2
        clock[0] += confirmed_module.RETRY_AFTER_S + 1  # after two failures, the wait has doubled
        request()
        assert len(builds) == 2
        clock[0] += confirmed_module.RETRY_AFTER_S
        fail[0] = False
        request()
    assert len(builds) == 3
    assert confirmed_module._FAILED == {}
    assert coder_for(session, data_dir, wait=False) is learnt


@pytest.fixture
def serving_without_coder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A web server (``serve_without_waiting``) with no coder in memory and an empty disk cache."""
    from alue.matching import confirmed as confirmed_module

    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(coder_module, "_LOADED", {})
    monkeypatch.setattr(confirmed_module, "_FAILED", {})
    monkeypatch.setattr(confirmed_module, "_SERVING", threading.Event())


@pytest.mark.usefixtures("serving_without_coder")
def test_a_server_without_a_coder_says_it_is_being_prepared_and_builds_it_once(
    session: Session, data_dir: Path, learnt: OccupationCoder, slow_build: SlowBuild
) -> None:
    from alue.matching.confirmed import CoderNotReady, coder_for, serve_without_waiting, wait_for_builds

    serve_without_waiting(session, data_dir)
    assert slow_build.started.wait(30), "the coder is prepared as the server starts"
    for _ in range(3):  # requests meanwhile are answered at once, and start no other build
        with pytest.raises(CoderNotReady) as raised:
            coder_for(session, data_dir, wait=False)
        assert not raised.value.failed
        assert raised.value.retry_after > 0
    assert slow_build.titles == [()]
    slow_build.release.set()
    wait_for_builds(60)
    assert coder_for(session, data_dir, wait=False) is learnt


@pytest.mark.usefixtures("serving_without_coder")
def test_a_server_says_when_the_coder_could_not_be_prepared(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from alue.matching.confirmed import CoderNotReady, coder_for, serve_without_waiting, wait_for_builds

    def failing_build(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        raise OSError("disk full")

    monkeypatch.setattr(coder_module, "build_coder", failing_build)
    with caplog.at_level(logging.ERROR):
        serve_without_waiting(session, data_dir)
        wait_for_builds(60)
    assert "disk full" in caplog.text
    with pytest.raises(CoderNotReady) as raised:
        coder_for(session, data_dir, wait=False)
    assert raised.value.failed


def test_the_command_line_waits_for_the_coder_where_a_server_would_not(
    session: Session,
    data_dir: Path,
    learnt: OccupationCoder,
    slow_build: SlowBuild,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside a server (an import on the command line) a caller waits for the build."""
    from alue.matching.confirmed import coder_for

    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(coder_module, "_LOADED", {})
    slow_build.release.set()
    assert coder_for(session, data_dir, wait=False) is learnt
    assert slow_build.titles == [()]


@pytest.mark.usefixtures("serving_without_coder")
def test_pages_and_the_api_that_need_the_coder_answer_503_while_it_is_prepared(
    app: FastAPI,
    clients: dict[Role, TestClient],
    world: World,
    web_engine: Engine,
    slow_build: SlowBuild,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The application started as ``alue serve`` starts it prepares the coder; meanwhile the pages that
    code a title answer at once that it is being prepared."""
    monkeypatch.setenv("ALUE_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(app.state.web_settings, "prepare_coder", True)
    with TestClient(app):  # (runs the application's start-up)
        assert slow_build.started.wait(30), "the coder is prepared as the application starts"
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    page = services.get(f"/vacancies/{vacancy_id}/occupation")
    assert page.status_code == 503
    assert int(page.headers["Retry-After"]) > 0
    assert "Ammattiluokittelijaa valmistellaan" in page.text
    services.cookies.set("alue_lang", "sv")
    assert "Yrkesklassificeraren förbereds" in services.get(f"/vacancies/{vacancy_id}/occupation").text
    services.cookies.set("alue_lang", "fi")
    api = services.get(f"/api/v1/vacancies/{vacancy_id}/occupation")
    assert api.status_code == 503
    assert api.json()["retry_after"] == int(api.headers["Retry-After"])
    # a vacancy file whose titles need coding is not checked, and nothing is written
    with Session(web_engine) as db:
        before = db.scalar(select(func.count()).select_from(Vacancy))
        business_id = db.get(Employer, world.employer_id).business_id  # type: ignore[union-attr]
    checked = services.post(
        "/vacancies/import",
        data={"csrf_token": page_csrf(services, "/vacancies/import")},
        files={
            "file": (
                "avoimet.csv",
                (
                    "external_id,business_id,title,isco4,municipality,published_on,employment_type\n"
                    f"WEB-503,{business_id},Hitsaaja,,Pori,2026-11-02,permanent\n"
                ).encode(),
                "text/csv",
            )
        },
    )
    assert checked.status_code == 503
    assert "Ammattiluokittelijaa valmistellaan" in checked.text
    with Session(web_engine) as db:
        assert db.scalar(select(func.count()).select_from(Vacancy)) == before
    # pages that do not code titles are served as usual
    assert services.get(f"/vacancies/{vacancy_id}").status_code == 200
    slow_build.release.set()
    from alue.matching.confirmed import wait_for_builds

    wait_for_builds(60)
    assert services.get(f"/vacancies/{vacancy_id}/occupation").status_code == 200


def test_confirming_a_title_again_replaces_its_occupation(session: Session, taxonomy: Taxonomy) -> None:
    welder = next(o.uri for o in taxonomy.occupations.values() if o.labels.get("fi") == "hitsaaja")
    confirm_title(
        session, title="Logistiikkatyöntekijä", uri=welder, taxonomy=taxonomy, user_id=None, now=NOW
    )
    confirm_title(
        session,
        title="logistiikkatyöntekijä, osa-aikainen",
        uri=WAREHOUSE,
        taxonomy=taxonomy,
        user_id=None,
        now=NOW,
    )
    rows = list(session.scalars(select(ConfirmedTitle)))
    assert [(r.title_key, r.esco_uri, r.isco4) for r in rows] == [(TITLE, WAREHOUSE, "9333")]
    assert confirmed_titles(session) == [("logistiikkatyöntekijä, osa-aikainen", WAREHOUSE)]
    with pytest.raises(KeyError):
        confirm_title(
            session,
            title="x",
            uri="http://data.europa.eu/esco/occupation/nope",
            taxonomy=taxonomy,
            user_id=None,
            now=NOW,
        )
    with pytest.raises(ValueError, match="no words"):
        confirm_title(session, title=" , ", uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)


def test_a_title_confirmed_at_the_same_moment_by_another_user_is_updated(
    session: Session, taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alue.matching import confirmed

    welder = next(o.uri for o in taxonomy.occupations.values() if o.labels.get("fi") == "hitsaaja")
    first = confirm_title(session, title=TITLE, uri=welder, taxonomy=taxonomy, user_id=None, now=NOW)
    real = confirmed._confirmed
    calls: list[str] = []

    def not_yet(db: Session, key: str) -> ConfirmedTitle | None:
        calls.append(key)
        return None if len(calls) == 1 else real(db, key)  # the other user's row appears meanwhile

    monkeypatch.setattr(confirmed, "_confirmed", not_yet)
    again = confirm_title(session, title=TITLE, uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)
    assert again.id == first.id
    assert (again.esco_uri, again.isco4) == (WAREHOUSE, "9333")
    assert confirmed_titles(session) == [(TITLE, WAREHOUSE)]


def test_a_vacancy_corrected_by_staff(session: Session, taxonomy: Taxonomy) -> None:
    employer = make_employer(session)
    vacancy = make_vacancy(session, employer=employer, title="Logistiikkatyöntekijä")
    vacancy.occupation_source, vacancy.occupation_score = "coder", 0.34
    set_vacancy_occupation(
        session, vacancy, WAREHOUSE, taxonomy=taxonomy, user_id=None, remember=False, now=NOW
    )
    assert (vacancy.isco4, vacancy.esco_uri, vacancy.occupation_source, vacancy.occupation_score) == (
        "9333",
        WAREHOUSE,
        "staff",
        None,
    )
    assert confirmed_titles(session) == []
    set_vacancy_occupation(
        session, vacancy, WAREHOUSE, taxonomy=taxonomy, user_id=None, remember=True, now=NOW
    )
    assert confirmed_titles(session) == [("Logistiikkatyöntekijä", WAREHOUSE)]


def test_reading_the_titles_for_the_command_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "none.db"
    assert read_confirmed_titles(f"sqlite:///{missing}") == []
    assert not missing.exists(), "a missing database is not created"
    empty = tmp_path / "empty.db"
    make_engine(f"sqlite:///{empty}").dispose()
    empty.touch()
    with caplog.at_level(logging.WARNING, logger="alue.matching.confirmed"):
        assert read_confirmed_titles(f"sqlite:///{empty}") == []
    assert "ESCO's labels only" in caplog.text


def test_the_command_line_codes_with_the_confirmed_titles(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    taxonomy: Taxonomy,
    learnt: OccupationCoder,
    coder: OccupationCoder,
) -> None:
    from alue.cli import app as cli_app
    from alue.settings import get_settings

    builds: list[Any] = []

    def build(taxonomy: Taxonomy, **kwargs: Any) -> OccupationCoder:
        # the coders are built once for the module; what matters is which titles the command asks for
        builds.append(tuple(kwargs.get("local_titles") or ()))
        return learnt if kwargs.get("local_titles") else coder

    monkeypatch.setattr(coder_module, "build_coder", build)
    monkeypatch.setattr(coder_module, "_LOADED", {})  # nothing in memory: each command loads its coder

    url = f"sqlite:///{tmp_path / 'area.db'}"
    engine = make_engine(url)
    migrate_upgrade(engine)
    with Session(engine) as db:
        confirm_title(db, title=TITLE, uri=WAREHOUSE, taxonomy=taxonomy, user_id=None, now=NOW)
        db.commit()
    engine.dispose()
    monkeypatch.setenv("ALUE_DATABASE_URL", url)
    monkeypatch.setenv("ALUE_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(cli_app, ["code-occupation", "--top", "1", "--json"], input=TITLE + "\n")
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["candidates"][0]["isco"] == "9333"
        out = runner.invoke(
            cli_app, ["code-occupation", "--top", "1", "--json", "--no-confirmed"], input=TITLE + "\n"
        )
        assert json.loads(out.stdout)["candidates"][0]["isco"] != "9333"
    finally:
        get_settings.cache_clear()
    assert os.environ["ALUE_DATABASE_URL"] == url
    assert builds == [((TITLE, WAREHOUSE),), ()]


# ----------------------------------------------------------------------------------- the importer


def _ad(data_dir: Path, *, title: str, esco: bool) -> dict[str, Any]:
    data = json.loads((data_dir / "formats" / "tmt_job_ad.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    ad = data["ilmoitukset"][0]
    ad["ilmoittajanYTunnus"] = "0112038-9"
    ad["perustiedot"]["tyonOtsikko"] = [{"kieliKoodi": "fi", "arvo": title}]
    if not esco:
        ad["osaamisvaatimukset"]["ammatit"] = []
    return data


def _import(session: Session, tmp_path: Path, data: dict[str, Any]) -> Vacancy:
    path = tmp_path / "ads.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = import_file(session=session, kind="tmt-job-ads", path=path)
    assert result.ok, result.errors
    vacancy = session.scalar(select(Vacancy).where(Vacancy.source == "tmt"))
    assert vacancy is not None
    return vacancy


def test_the_importer_marks_who_chose_the_occupation_and_keeps_a_correction(
    session: Session, tmp_path: Path, data_dir: Path, taxonomy: Taxonomy
) -> None:
    vacancy = _import(session, tmp_path, _ad(data_dir, title="Hitsaaja", esco=False))
    assert (vacancy.isco4, vacancy.occupation_source) == ("7212", "coder")
    assert vacancy.occupation_score is not None
    assert 0.5 < vacancy.occupation_score <= 1
    set_vacancy_occupation(
        session, vacancy, WAREHOUSE, taxonomy=taxonomy, user_id=None, remember=False, now=NOW
    )
    session.flush()
    # the ad again, now with a new title: the title changes, the staff's occupation stays
    vacancy = _import(session, tmp_path, _ad(data_dir, title="Hitsaaja, konepaja", esco=False))
    assert (vacancy.title, vacancy.isco4, vacancy.occupation_source) == (
        "Hitsaaja, konepaja",
        "9333",
        "staff",
    )
    session.delete(vacancy)
    session.flush()
    vacancy = _import(session, tmp_path, _ad(data_dir, title="Hitsaaja", esco=True))
    assert (vacancy.occupation_source, vacancy.occupation_score) == ("employer", None)


# ------------------------------------------------------------------------------------------ pages


def _new_vacancy(engine: Engine, world: World) -> int:
    with Session(engine) as db:
        employer = db.get(Employer, world.employer_id)
        assert employer is not None
        vacancy = make_vacancy(db, employer=employer, title="Logistiikkatyöntekijä (osa-aikainen)")
        vacancy.isco4, vacancy.occupation_source, vacancy.occupation_score = "5163", "coder", 0.34
        db.commit()
        return vacancy.id


def _audit(engine: Engine, object_type: str, object_id: int) -> list[AuditEvent]:
    with Session(engine) as db:
        return list(
            db.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
                .order_by(AuditEvent.id)
            )
        )


def test_staff_correct_a_vacancys_occupation_and_confirm_its_title(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    page = services.get(f"/vacancies/{vacancy_id}")
    assert "ammattiluokittelijan nimikkeestä koodaama, varmuus 34 %" in page.text
    assert f'href="/vacancies/{vacancy_id}/occupation"' in page.text
    worker_page = clients[Role.CASE_WORKER].get(f"/vacancies/{vacancy_id}")
    assert f'href="/vacancies/{vacancy_id}/occupation"' not in worker_page.text

    form = services.get(f"/vacancies/{vacancy_id}/occupation")
    assert form.status_code == 200
    assert "Työpaikan ammatti" in form.text
    found = services.get(f"/vacancies/{vacancy_id}/occupation", params={"q": "varastotyöntekijä"})
    assert f'value="{WAREHOUSE}"' in found.text
    csrf = _csrf(found.text)

    refused = services.post(f"/vacancies/{vacancy_id}/occupation", data={"uri": "nope", "csrf_token": csrf})
    assert refused.status_code == 400
    assert "Valitse jokin ammateista." in refused.text
    denied = clients[Role.CASE_WORKER].post(
        f"/vacancies/{vacancy_id}/occupation", data={"uri": WAREHOUSE, "csrf_token": csrf}
    )
    assert denied.status_code == 403

    saved = services.post(
        f"/vacancies/{vacancy_id}/occupation",
        data={"uri": WAREHOUSE, "remember": "true", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    with Session(web_engine) as db:
        vacancy = db.get(Vacancy, vacancy_id)
        assert vacancy is not None
        assert (vacancy.isco4, vacancy.esco_uri, vacancy.occupation_source) == ("9333", WAREHOUSE, "staff")
        row = db.scalar(select(ConfirmedTitle).where(ConfirmedTitle.title_key == TITLE))
        assert row is not None
        assert row.esco_uri == WAREHOUSE
        assert row.confirmed_by is not None
        title_id = row.id
    event = _audit(web_engine, "vacancy", vacancy_id)[-1]
    details = event.details if isinstance(event.details, dict) else json.loads(event.details)
    assert (event.action, details["before"]["isco4"], details["after"]["isco4"]) == ("update", "5163", "9333")
    assert event.person_id is None
    assert "henkilöstön korjaama" in services.get(f"/vacancies/{vacancy_id}").text

    listing = clients[Role.CASE_WORKER].get("/matching/titles")
    assert listing.status_code == 200
    assert "Logistiikkatyöntekijä (osa-aikainen)" in listing.text
    assert "/delete" not in listing.text  # case workers may read the list, not change it
    assert clients[Role.ANALYST].get("/matching/titles").status_code == 403
    assert "/delete" in services.get("/matching/titles").text
    assert (
        clients[Role.CASE_WORKER]
        .post(f"/matching/titles/{title_id}/delete", data={"csrf_token": csrf})
        .status_code
        == 403
    )
    removed = services.post(
        f"/matching/titles/{title_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert removed.status_code == 303
    with Session(web_engine) as db:
        assert db.get(ConfirmedTitle, title_id) is None
    assert _audit(web_engine, "confirmed_title", title_id)[-1].action == "delete"
    assert services.post(f"/matching/titles/{title_id}/delete", data={"csrf_token": csrf}).status_code == 404


def test_the_occupation_page_says_how_it_read_a_swedish_title(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    swedish = services.get(f"/vacancies/{vacancy_id}/occupation", params={"q": "Sjuksköterska"})
    assert "Luokittelija luki nimikkeen myös suomeksi: ”sairaanhoitaja”." in swedish.text
    assert "sairaanhoitaja (2221)" in swedish.text
    finnish = services.get(f"/vacancies/{vacancy_id}/occupation", params={"q": "sairaanhoitaja"})
    assert "myös suomeksi" not in finnish.text


def test_the_vacancy_list_finds_the_uncertain_codings(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    link = f'href="/vacancies/{vacancy_id}"'

    def listed(coded: str) -> bool:
        page = services.get("/vacancies", params={"q": "logistiikka", "coded": coded})
        assert page.status_code == 200
        return link in page.text

    assert listed("")
    assert listed("uncertain")
    assert listed("coder")
    assert not listed("employer")
    assert not listed("staff")
    assert listed("nonsense")  # an unknown filter value filters nothing
    assert "luokittelija 34 %" in services.get("/vacancies", params={"q": "logistiikka"}).text
    with Session(web_engine) as db:
        vacancy = db.get(Vacancy, vacancy_id)
        assert vacancy is not None
        vacancy.occupation_score = 0.81
        db.commit()
    assert not listed("uncertain")
    assert listed("coder")


def test_the_api_corrects_an_occupation_and_lists_and_removes_titles(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    token = page_csrf(services)
    url = f"/api/v1/vacancies/{vacancy_id}/occupation"
    before = services.get(url, params={"q": "varastotyöntekijä", "top": 5}).json()
    assert (before["isco4"], before["occupation_source"], before["occupation_score"]) == (
        "5163",
        "coder",
        0.34,
    )
    assert len(before["candidates"]) == 5
    assert WAREHOUSE in [c["uri"] for c in before["candidates"]]
    assert clients[Role.ANALYST].get(url).status_code == 403

    bad = services.put(url, json={"uri": "nope"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "uri"]
    worker = clients[Role.CASE_WORKER]
    assert (
        worker.put(url, json={"uri": WAREHOUSE}, headers={"X-CSRF-Token": page_csrf(worker)}).status_code
        == 403
    )
    after = services.put(url, json={"uri": WAREHOUSE}, headers={"X-CSRF-Token": token})
    assert after.status_code == 200, after.text
    body = after.json()
    assert (body["isco4"], body["esco_uri"], body["occupation_source"], body["candidates"]) == (
        "9333",
        WAREHOUSE,
        "staff",
        [],
    )
    titles = worker.get("/api/v1/confirmed-titles").json()
    mine = [t for t in titles if t["title"] == "Logistiikkatyöntekijä (osa-aikainen)"]
    assert len(mine) == 1
    assert mine[0]["isco4"] == "9333"
    gone = services.delete(f"/api/v1/confirmed-titles/{mine[0]['id']}", headers={"X-CSRF-Token": token})
    assert gone.status_code == 204
    assert _audit(web_engine, "confirmed_title", mine[0]["id"])[-1].action == "delete"
    again = services.delete(f"/api/v1/confirmed-titles/{mine[0]['id']}", headers={"X-CSRF-Token": token})
    assert again.status_code == 404


def test_the_occupation_pages_in_swedish(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    vacancy_id = _new_vacancy(web_engine, world)
    services = clients[Role.EMPLOYER_SERVICES]
    services.get("/language/sv")
    try:
        page = services.get(f"/vacancies/{vacancy_id}/occupation")
        vacancy = services.get(f"/vacancies/{vacancy_id}")
    finally:
        services.get("/language/fi")
    assert "Korrigera yrket" in vacancy.text
    assert "Det lediga jobbets yrke" in page.text
    assert "kodad från benämningen av yrkeskodaren" in page.text


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
