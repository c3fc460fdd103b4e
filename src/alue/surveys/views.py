"""Survey pages: the public answer form behind a one-time link, and the staff's results pages.

Public (no sign-in, declared ``Permission.PUBLIC``):

* ``GET /kysely/{token}`` — the form, in the link's language unless the respondent switched (``?lang=`` or
  the language switch of the page header).
* ``POST /kysely/{token}`` — the answer: CSRF-protected by the application, rate-limited per client address,
  usable once; redirects to ``/kysely/kiitos``.
* ``GET /kysely/kiitos`` — the thank-you page; ``GET /kysely/tyyli.css`` — the form's styles.

Staff: ``/surveys/results`` (aggregates, n ≥ 5), ``/surveys/comments`` (free texts, masked, groups of ≥ 5,
team leads and administrators), ``/surveys/slip`` (a printable QR slip for a customer at a service point).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from alue.shared.auth import N_, Permission, Principal
from alue.shared.i18n import LANGUAGE_NAMES, LANGUAGES, gettext
from alue.shared.time import HELSINKI, month_key, today
from alue.staff.models import ServiceLine
from alue.surveys.definitions import DEFINITIONS_DIR, MAX_TEXT, Question, SurveyDefinition, load_definitions
from alue.surveys.models import Distribution, SurveyKind, SurveyToken
from alue.surveys.qr import qr_svg
from alue.surveys.ratelimit import RateLimiter
from alue.surveys.results import Period, all_indicator_results, comments
from alue.surveys.service import (
    AnswerErrors,
    Dimensions,
    TokenError,
    get_survey_settings,
    issue,
    open_token,
    submit,
)
from alue.web.deps import DbSession, Lang, client_ip, requires
from alue.web.labels import label_of
from alue.web.nav import NavItem, WebRegistry
from alue.web.security import LANG_COOKIE
from alue.web.templating import render

router = APIRouter(include_in_schema=False)
STYLESHEET = Path(__file__).with_name("static") / "surveys.css"


@lru_cache(maxsize=1)
def ui_texts() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(
        (DEFINITIONS_DIR / "ui.yaml").read_text(encoding="utf-8")
    )
    return data


def ui(lang: str) -> dict[str, str]:
    return {key: texts.get(lang) or texts["fi"] for key, texts in ui_texts().items()}


def _limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "survey_rate_limiter", None)
    if limiter is None:
        settings = get_survey_settings()
        limiter = RateLimiter(settings.answers_per_ip, settings.rate_window_minutes * 60)
        request.app.state.survey_rate_limiter = limiter
    return limiter


def respondent_language(request: Request, query_lang: str | None, token_lang: str) -> str:
    """``?lang=`` first, then a language the respondent chose earlier (cookie), then the link's language."""
    for candidate in (query_lang, request.cookies.get(LANG_COOKIE), token_lang):
        if candidate in LANGUAGES:
            return str(candidate)
    return "fi"


def _scale_choices(question: Question, definition: SurveyDefinition, lang: str) -> list[dict[str, Any]]:
    labels = definition.scales.get(question.scale)
    values = question.values
    choices = []
    for value in values:
        if question.scale == "yes_no" and labels:
            text = (labels.high if value == 1 else labels.low).get(lang)
        elif labels and value == values[0]:
            text = f"{value} – {labels.low.get(lang)}"
        elif labels and value == values[-1]:
            text = f"{value} – {labels.high.get(lang)}"
        else:
            text = str(value)
        choices.append({"value": str(value), "label": text})
    return choices


def _form_context(
    definition: SurveyDefinition, lang: str, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    texts = ui(lang)
    questions = []
    for q in definition.questions:
        labels = definition.scales.get(q.scale)
        hint = ""
        if q.scale in ("1-5", "4-10") and labels:
            hint = texts["scale_hint"] % {
                "low_value": q.values[0],
                "low": labels.low.get(lang),
                "high_value": q.values[-1],
                "high": labels.high.get(lang),
            }
        elif q.scale == "text":
            hint = texts["text_hint"] % {"max": MAX_TEXT}
        questions.append(
            {
                "id": q.id,
                "anchor": q.id if q.scale == "text" else f"{q.id}-{q.values[0]}",
                "scale": q.scale,
                "text": q.text.get(lang),
                "required": q.required,
                "hint": hint,
                "choices": _scale_choices(q, definition, lang) if q.scale != "text" else [],
                "value": values.get(q.id, ""),
                "error": texts[f"error_{errors[q.id]}"] if q.id in errors else "",
            }
        )
    return {
        "survey": definition,
        "title": definition.title.get(lang),
        "intro": definition.intro.get(lang),
        "questions": questions,
        "t": texts,
        "max_text": MAX_TEXT,
        "has_errors": bool(errors),
    }


def _invalid_link(request: Request, lang: str, status: int = 404) -> Response:
    request.state.lang = lang
    return render(request, "surveys/invalid.html", {"t": ui(lang)}, status_code=status)


@router.get("/kysely/tyyli.css")
def stylesheet(_: Annotated[Principal | None, requires(Permission.PUBLIC)]) -> Response:
    return Response(
        STYLESHEET.read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/kysely/kiitos", response_class=HTMLResponse)
def thanks(
    request: Request,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    lang: Lang,
    kieli: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    chosen = kieli if kieli in LANGUAGES else lang
    request.state.lang = chosen
    return render(request, "surveys/thanks.html", {"t": ui(chosen)})


@router.get("/kysely/{token}", response_class=HTMLResponse)
def answer_form(
    request: Request,
    token: str,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    db: DbSession,
    lang: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    try:
        row = open_token(session=db, token=token)
    except TokenError:
        return _invalid_link(request, respondent_language(request, lang, "fi"))
    chosen = respondent_language(request, lang, row.language)
    request.state.lang = chosen
    definition = load_definitions().get(row.survey_kind, row.survey_version)
    context = _form_context(definition, chosen, {}, {})
    return render(request, "surveys/answer.html", {**context, "token": token})


@router.post("/kysely/{token}", response_class=HTMLResponse)
async def answer_submit(
    request: Request,
    token: str,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    db: DbSession,
    lang: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    if not _limiter(request).allow(client_ip(request)):
        chosen = respondent_language(request, fields.get("lang") or lang, "fi")
        request.state.lang = chosen
        return render(request, "surveys/too_many.html", {"t": ui(chosen)}, status_code=429)
    row = _token_or_none(db, token)
    chosen = respondent_language(request, fields.get("lang") or lang, row.language if row else "fi")
    if row is None:
        return _invalid_link(request, chosen)
    try:
        submit(session=db, token=token, form=fields, language=chosen)
    except TokenError:
        db.rollback()
        return _invalid_link(request, chosen)
    except AnswerErrors as exc:
        db.rollback()
        request.state.lang = chosen
        definition = load_definitions().get(row.survey_kind, row.survey_version)
        context = _form_context(definition, chosen, fields, exc.errors)
        return render(request, "surveys/answer.html", {**context, "token": token}, status_code=400)
    db.commit()
    return RedirectResponse(f"/kysely/kiitos?kieli={chosen}", status_code=303)


def _token_or_none(db: Session, token: str) -> SurveyToken | None:
    try:
        return open_token(session=db, token=token)
    except TokenError:
        return None


# ------------------------------------------------------------------------------------------ staff pages


def _period_or_default(period: str | None) -> Period:
    try:
        return Period.parse(period) if period else Period.parse(str(today().year))
    except ValueError:
        return Period.parse(str(today().year))


@router.get("/surveys/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    period: Annotated[str | None, Query(max_length=10)] = None,
    by: Annotated[str, Query(max_length=20)] = "quarter",
) -> Response:
    span = _period_or_default(period)
    group_by: tuple[Any, ...] = {
        "quarter": ("quarter",),
        "municipality": ("quarter", "municipality"),
        "service_line": ("quarter", "service_line"),
    }.get(by, ("quarter",))
    values = all_indicator_results(session=db, period=span.label, group_by=group_by)
    area = request.app.state.area
    names = {code: info.name(lang) for code, info in area.municipalities.items()}
    indicators = {i.id: i for i in area.file.strategy.indicators}
    return render(
        request,
        "surveys/results.html",
        {
            "values": values,
            "period": span.label,
            "by": by if by in ("quarter", "municipality", "service_line") else "quarter",
            "names": names,
            "indicators": indicators,
            "may_read_comments": principal.has(Permission.MANAGE_TEAM),
            "line_names": {line.value: gettext(lang, label_of(line)) for line in ServiceLine},
        },
    )


@router.get("/surveys/comments", response_class=HTMLResponse)
def comments_page(
    request: Request,
    _: Annotated[Principal, requires(Permission.MANAGE_TEAM)],
    db: DbSession,
    lang: Lang,
    kind: Annotated[str, Query(max_length=20)] = "customer",
    period: Annotated[str | None, Query(max_length=10)] = None,
    municipality: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    span = _period_or_default(period)
    survey_kind = SurveyKind(kind) if kind in SurveyKind._value2member_map_ else SurveyKind.CUSTOMER
    texts = comments(session=db, kind=survey_kind, period=span.label, municipality=municipality or None)
    area = request.app.state.area
    return render(
        request,
        "surveys/comments.html",
        {
            "texts": texts,
            "kind": survey_kind,
            "kinds": list(SurveyKind),
            "period": span.label,
            "municipality": municipality or "",
            "municipalities": [(code, info.name(lang)) for code, info in area.municipalities.items()],
        },
    )


@router.get("/surveys/slip", response_class=HTMLResponse)
def slip_form(
    request: Request,
    _: Annotated[Principal, requires(Permission.WRITE_CASEWORK)],
    lang: Lang,
) -> Response:
    area = request.app.state.area
    return render(
        request,
        "surveys/slip_form.html",
        {
            "municipalities": [(code, info.name(lang)) for code, info in area.municipalities.items()],
            "service_lines": list(ServiceLine),
            "slip_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        },
    )


@router.post("/surveys/slip", response_class=HTMLResponse)
def slip_print(
    request: Request,
    _: Annotated[Principal, requires(Permission.WRITE_CASEWORK)],
    db: DbSession,
    lang: Lang,
    municipality: Annotated[str, Form(max_length=3)],
    service_line: Annotated[str, Form(max_length=40)] = "",
    language: Annotated[str, Form(max_length=2)] = "fi",
) -> Response:
    """Issue a customer-survey link and show it as a printable slip with a QR code (R-B: service points)."""
    area = request.app.state.area
    if municipality not in area.municipalities:
        municipality = area.file.responsible_municipality
    line = service_line if service_line in ServiceLine._value2member_map_ else None
    slip_lang = language if language in LANGUAGES else "fi"
    link = issue(
        session=db,
        kind=SurveyKind.CUSTOMER,
        dimensions=Dimensions(month_key(today()), municipality, line, "in_person"),
        distribution=Distribution.QR_CODE,
        language=slip_lang,
        base_url=get_survey_settings().base_url,
    )
    db.commit()
    texts = ui(slip_lang)
    return render(
        request,
        "surveys/slip.html",
        {
            "link": link,
            # generated by segno from our own link: no user-supplied text inside
            "qr": Markup(qr_svg(link.url, label=texts["qr_label"])),  # noqa: S704
            "t": texts,
            "slip_lang": slip_lang,
            "valid_until": link.expires_at.astimezone(HELSINKI).date(),
            "today": dt.datetime.now(tz=HELSINKI).date(),
        },
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("surveys", N_("Surveys"), "/surveys/results", Permission.VIEW_AGGREGATES, order=85))
    web.add_templates(Path(__file__).with_name("templates"))
