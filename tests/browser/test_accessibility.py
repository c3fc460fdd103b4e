"""Every role signs in and walks its pages in Finnish, Swedish and English; axe-core finds no violation.

Also: the public employer-services page and the sign-in page, the htmx search, keyboard focus, and the
screenshot of the area home page for the README (``ALUE_SCREENSHOT=docs/img/home.png``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from alue.shared.auth import ROLE_PERMISSIONS, Permission, Role
from tests.web.factories import PASSWORD, World

LANGUAGES = ("fi", "sv", "en")
axe = Axe()
#: (path, language) pairs already audited: a page is audited once per language; the home page (whose
#: navigation differs by role) once per role and language
AUDITED: set[tuple[str, str]] = set()


def pages_for(world: World) -> list[tuple[str, Permission]]:
    return [
        ("/", Permission.VIEW_AREA),
        ("/municipalities/609", Permission.VIEW_AREA),
        ("/service-points", Permission.VIEW_AREA),
        (f"/service-points/{world.service_point_key}", Permission.VIEW_AREA),
        ("/partners", Permission.VIEW_PARTNERS),
        ("/persons", Permission.SEARCH_PERSONS),
        (f"/persons/{world.person_in_scope}", Permission.READ_PERSON),
        ("/employers", Permission.VIEW_EMPLOYERS),
        (f"/employers/{world.employer_id}", Permission.VIEW_EMPLOYERS),
        ("/vacancies", Permission.VIEW_EMPLOYERS),
        (f"/vacancies/{world.vacancy_id}", Permission.VIEW_EMPLOYERS),
        ("/staff", Permission.VIEW_STAFF),
        (f"/staff/{world.staff['worker']}", Permission.VIEW_STAFF),
        ("/teams", Permission.VIEW_STAFF),
        (f"/teams/{world.team_id}", Permission.VIEW_STAFF),
        ("/account", Permission.SIGNED_IN),
        ("/admin/users", Permission.MANAGE_USERS),
        ("/admin/users/new", Permission.MANAGE_USERS),
        (f"/admin/users/{world.other_user_id}", Permission.MANAGE_USERS),
        ("/admin/roles", Permission.MANAGE_USERS),
        ("/admin/delegations", Permission.MANAGE_DELEGATIONS),
        ("/admin/audit", Permission.READ_AUDIT),
        ("/admin/access-report", Permission.ACCESS_REPORT),
        ("/employer-services", Permission.PUBLIC),
        (f"/persons/{world.person_in_scope}/matches", Permission.READ_PERSON),
        (f"/vacancies/{world.vacancy_id}/candidates", Permission.VIEW_EMPLOYERS),
        (f"/vacancies/{world.vacancy_id}/occupation", Permission.WRITE_VACANCIES),
        ("/vacancies/import", Permission.WRITE_VACANCIES),
        ("/matching/titles", Permission.VIEW_EMPLOYERS),
        ("/matching/", Permission.VIEW_AGGREGATES),
        ("/matching/shortage", Permission.VIEW_AGGREGATES),
        ("/matching/reskilling", Permission.VIEW_AGGREGATES),
    ]


def assert_accessible(page: Any, where: str) -> None:
    result = axe.run(page, options={"resultTypes": ["violations"]})  # the default rule set; faster reporting
    violations = result.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert not violations, f"{where}: " + "; ".join(details)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login?next=/account")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/account")


def switch_language(page: Any, lang: str) -> None:
    """Use the language links (as a user would); the choice is kept in a cookie for the next pages."""
    page.click(f".lang-switch a[hreflang={lang}]")
    # Wait with a selector, not a script: the page's content security policy forbids evaluating a
    # string, which a predicate polled while the next page replaces this one can run into.
    page.locator(f"html[lang={lang}]").wait_for(state="attached")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_walks_its_pages_in_three_languages(
    browser: Any, browser_world: tuple[str, World], role: Role
) -> None:
    base, world = browser_world
    allowed = ROLE_PERMISSIONS[role]
    pages = [path for path, permission in pages_for(world) if permission in allowed]
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, base, world.users[role])
        for lang in LANGUAGES:
            switch_language(page, lang)
            for path in pages:
                response = page.goto(base + path)
                assert response is not None, path
                assert response.status == 200, f"{role.value} {lang} {path}"
                assert page.get_attribute("html", "lang") == lang
                key = (f"{path}#{role.value}" if path == "/" else path, lang)
                if key not in AUDITED:
                    assert_accessible(page, f"{role.value} {lang} {path}")
                    AUDITED.add(key)
    finally:
        context.close()


def test_public_pages_and_errors_are_accessible(browser: Any, browser_world: tuple[str, World]) -> None:
    base, _world = browser_world
    context = browser.new_context()
    page = context.new_page()
    try:
        for lang in LANGUAGES:
            page.goto(f"{base}/language/{lang}?next=/login")
            assert page.get_attribute("html", "lang") == lang
            assert_accessible(page, f"login {lang}")
            page.fill("#username", "nobody")
            page.fill("#password", "wrong-password-1")
            page.click("form.form button[type=submit]")
            assert page.locator(".error-summary").is_visible()
            assert_accessible(page, f"failed login {lang}")
            page.goto(f"{base}/employer-services")
            assert_accessible(page, f"employer services {lang}")
            page.goto(f"{base}/no-such-page")
            assert_accessible(page, f"404 {lang}")
    finally:
        context.close()


def test_htmx_search_updates_results_in_place(browser: Any, browser_world: tuple[str, World]) -> None:
    base, world = browser_world
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        sign_in(page, base, world.users[Role.CASE_WORKER])
        page.goto(f"{base}/persons")
        page.fill("#query", "Lahtinen")
        with page.expect_response(lambda r: r.url.endswith("/persons/search")) as info:
            page.click("form.search-form button[type=submit]")
        assert info.value.request.headers.get("hx-request") == "true"  # htmx, not a full page load
        assert info.value.request.headers.get("x-csrf-token")
        page.wait_for_selector(f"#results a[href='/persons/{world.person_in_scope}']")
        assert page.url.endswith("/persons")
        assert_accessible(page, "search results")
        page.fill("#query", "010190-")  # a partial identity code is refused with a message
        page.click("form.search-form button[type=submit]")
        page.wait_for_selector("#results .error-summary")
        assert_accessible(page, "search error")
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()


def test_a_checked_file_lists_its_problems_accessibly(
    browser: Any, browser_world: tuple[str, World], tmp_path: Path
) -> None:
    base, world = browser_world
    bad = tmp_path / "avoimet.csv"
    bad.write_text(
        "external_id,business_id,title,isco4,municipality,published_on,employment_type,lisätieto\n"
        "B-1,0000000-0,Hitsaaja,72120,Pori,2.11.2026,vakituinen,kokemus eduksi\n",
        encoding="utf-8",
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, base, world.users[Role.EMPLOYER_SERVICES])
        page.goto(f"{base}/vacancies/import")
        page.set_input_files("#import-file", str(bad))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("table caption")
        problems = page.locator("table td").all_inner_texts()
        assert any("72120" in text and "ISCO" in text for text in problems)  # the ISCO code of row 2
        assert "lisätieto" in page.locator("[role=note]").inner_text()  # the column it ignores
        assert_accessible(page, "import check with problems and a note")
    finally:
        context.close()


def test_skip_link_and_visible_focus(browser: Any, browser_world: tuple[str, World]) -> None:
    base, world = browser_world
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, base, world.users[Role.ANALYST])
        page.goto(f"{base}/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()


def test_home_page_screenshot(browser: Any, browser_world: tuple[str, World], tmp_path: Path) -> None:
    base, world = browser_world
    target = Path(os.environ.get("ALUE_SCREENSHOT", tmp_path / "home.png"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, base, world.users[Role.ANALYST])
        page.goto(f"{base}/language/fi?next=/")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
    finally:
        context.close()
    assert target.stat().st_size > 10_000
