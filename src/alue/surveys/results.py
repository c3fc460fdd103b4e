"""Survey results: indicator means with t-intervals, the partnership rate, response rates, free texts.

How an indicator is computed from answers (``docs/surveys.md``):

* A *series* is the set of questions, each with its version, that feed the indicator in a survey version.
  A survey version that keeps those questions unchanged continues the series; a changed question starts a
  new one. Values of different series are never pooled.
* Each answer's score is the mean of its answered items in the series (an answer with none is left out);
  the indicator value is the mean of the scores with a 95 % t-interval, ``n`` is the number of answers.
* The partnership rate is the share (%) of answering partner organisations that answer "yes" to the
  active-partnership question, with a 95 % Wilson interval.
* The response rate is answers ÷ links issued (%), for the same survey kind, period and dimensions.
* Nothing computed from fewer than ``MIN_CELL`` (5) answers is shown: value, interval, n and response rate
  are then None and ``suppressed`` is True.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.shared.suppression import MIN_CELL
from alue.surveys.definitions import Definitions, SurveyDefinition, load_definitions
from alue.surveys.masking import mask_identifiers
from alue.surveys.models import SurveyAnswer, SurveyAnswerItem, SurveyKind, SurveyToken

CONFIDENCE = 0.95
GroupKey = Literal["quarter", "municipality", "service_line"]


# ----------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period as a label and the months it covers (``YYYY-MM``)."""

    label: str
    months: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026`` (a year), ``2026Q1`` / ``2026-Q1`` (a quarter) or ``2026-03`` (a month)."""
        value = text.strip().upper()
        if len(value) == 4 and value.isdigit():
            return cls(value, tuple(f"{value}-{m:02d}" for m in range(1, 13)))
        compact = value.replace("-", "")
        if len(compact) == 6 and compact[:4].isdigit() and compact[4] == "Q" and compact[5] in "1234":
            first = (int(compact[5]) - 1) * 3 + 1
            return cls(compact, tuple(f"{compact[:4]}-{m:02d}" for m in range(first, first + 3)))
        is_month = len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
        if is_month and 1 <= int(value[5:]) <= 12:
            return cls(value, (value,))
        raise ValueError(f"not a period (use 2026, 2026Q1 or 2026-03): {text!r}")


def quarter_of(month: str) -> str:
    return f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"


# ------------------------------------------------------------------------------------------ statistics


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float
    low: float
    high: float


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Estimate:
    """The mean with a two-sided Student t confidence interval (the interval is the mean itself for n = 1)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = statistics.fmean(values)
    if n == 1:
        return Estimate(mean, mean, mean)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * statistics.stdev(values) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half)


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Estimate:
    """A share in percent with the Wilson score interval (inside 0–100 % even for small or extreme shares)."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("need 0 <= successes <= n and n > 0")
    z = float(stats.norm.ppf((1 + confidence) / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Estimate(100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator figure for a period and group. Suppressed figures carry None, never the small value."""

    indicator_id: str
    period: str
    municipality: str | None
    service_line: str | None
    survey_kind: str
    #: the questions (``id@version``) behind the value; values of different series are not comparable
    series: str
    current_series: bool
    unit: Literal["mean", "percent"]
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    issued: int
    response_rate: float | None
    suppressed: bool

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("value", "ci_low", "ci_high", "response_rate"):
            if data[key] is not None:
                data[key] = round(data[key], 3)
        return data


def _series_of(definition: SurveyDefinition, indicator_id: str) -> str:
    return "+".join(sorted(q.series for q in definition.indicator_questions(indicator_id)))


def survey_indicator_values(
    *,
    session: Session,
    indicator_id: str,
    period: str,
    municipality: str | None = None,
    service_line: str | None = None,
    definitions: Definitions | None = None,
) -> list[IndicatorValue]:
    """The indicator's value from the area's own surveys, for the scorecard (R-S3).

    One value per series found in the period — the current definitions' series first, present even without
    answers (then ``value`` is None). ``period`` is ``2026``, ``2026Q1`` or ``2026-03``; ``municipality`` a
    municipality code, ``service_line`` a ``ServiceLine`` value; None means all.
    """
    return indicator_table(
        session=session,
        indicator_id=indicator_id,
        period=period,
        municipality=municipality,
        service_line=service_line,
        definitions=definitions,
    )


def indicator_table(
    *,
    session: Session,
    indicator_id: str,
    period: str,
    group_by: Iterable[GroupKey] = (),
    municipality: str | None = None,
    service_line: str | None = None,
    definitions: Definitions | None = None,
) -> list[IndicatorValue]:
    """Indicator values for ``period``, broken down by any of quarter, municipality and service line."""
    defs = definitions or load_definitions()
    kinds = defs.kinds_feeding(indicator_id)
    if not kinds:
        raise KeyError(f"no survey feeds indicator {indicator_id!r}")
    keys = tuple(dict.fromkeys(group_by))
    bad = [k for k in keys if k not in ("quarter", "municipality", "service_line")]
    if bad:
        raise ValueError(f"cannot group by {bad}")
    span = Period.parse(period)

    questions = {
        (kind, d.version): d.indicator_questions(indicator_id)
        for d in defs
        for kind in [d.kind]
        if kind in kinds
    }
    current = {kind: _series_of(defs.current(kind), indicator_id) for kind in kinds}

    def filtered(query: Any, table: Any) -> Any:
        query = query.where(table.survey_kind.in_(kinds), table.month.in_(span.months))
        if municipality is not None:
            query = query.where(table.municipality_code == municipality)
        if service_line is not None:
            query = query.where(table.service_line == service_line)
        return query

    def group_of(kind: str, month: str, muni: str | None, line: str | None) -> tuple[Any, ...]:
        parts = {"quarter": quarter_of(month), "municipality": muni, "service_line": line}
        return (kind, *(parts[k] for k in keys))

    # links issued and answers received, per kind and group
    issued: dict[tuple[Any, ...], int] = defaultdict(int)
    token_rows = session.execute(
        filtered(
            select(
                SurveyToken.survey_kind,
                SurveyToken.month,
                SurveyToken.municipality_code,
                SurveyToken.service_line,
                func.count(),
            ),
            SurveyToken,
        ).group_by(
            SurveyToken.survey_kind,
            SurveyToken.month,
            SurveyToken.municipality_code,
            SurveyToken.service_line,
        )
    )
    for kind, month, muni, line, count in token_rows:
        issued[group_of(str(kind), month, muni, line)] += count
    answered: dict[tuple[Any, ...], int] = defaultdict(int)
    # item values per response
    scores: dict[tuple[tuple[Any, ...], str], list[float]] = defaultdict(list)
    responses = session.execute(
        filtered(
            select(
                SurveyAnswer.id,
                SurveyAnswer.survey_kind,
                SurveyAnswer.survey_version,
                SurveyAnswer.month,
                SurveyAnswer.municipality_code,
                SurveyAnswer.service_line,
            ),
            SurveyAnswer,
        )
    ).all()
    wanted_ids = {q.id for qs in questions.values() for q in qs}
    items: dict[str, dict[str, int]] = defaultdict(dict)
    if responses and wanted_ids:
        item_query = filtered(
            select(SurveyAnswerItem.answer_id, SurveyAnswerItem.question_id, SurveyAnswerItem.value)
            .join(SurveyAnswer, SurveyAnswer.id == SurveyAnswerItem.answer_id)
            .where(SurveyAnswerItem.question_id.in_(wanted_ids), SurveyAnswerItem.value.is_not(None)),
            SurveyAnswer,
        )
        for answer_id, question_id, value in session.execute(item_query):
            items[answer_id][question_id] = value
    for answer_id, kind, version, month, muni, line in responses:
        group = group_of(str(kind), month, muni, line)
        answered[group] += 1
        qs = questions.get((SurveyKind(kind), version), [])
        vals = [items[answer_id][q.id] for q in qs if q.id in items[answer_id]]
        if vals:
            series = "+".join(sorted(q.series for q in qs))
            scores[(group, series)].append(statistics.fmean(vals))

    # every group that has links or answers gets at least its current series
    groups = set(issued) | set(answered)
    if not keys:
        groups |= {(kind,) for kind in kinds}
    cells: dict[tuple[tuple[Any, ...], str], list[float]] = {}
    for group in groups:
        cells[(group, current[SurveyKind(group[0])])] = []
    cells.update(scores)

    unit: Literal["mean", "percent"] = (
        "percent" if all(q.scale == "yes_no" for qs in questions.values() for q in qs) else "mean"
    )
    out: list[IndicatorValue] = []
    for (group, series), values in cells.items():
        kind = group[0]
        parts = dict(zip(keys, group[1:], strict=True))
        n = len(values)
        shown = n >= MIN_CELL
        estimate: Estimate | None = None
        if shown:
            estimate = wilson_interval(round(sum(values)), n) if unit == "percent" else t_interval(values)
        n_answers = answered.get(group, 0)
        n_issued = issued.get(group, 0)
        out.append(
            IndicatorValue(
                indicator_id=indicator_id,
                period=parts.get("quarter") or span.label,
                municipality=parts.get("municipality", municipality),
                service_line=parts.get("service_line", service_line),
                survey_kind=kind,
                series=series,
                current_series=series == current[SurveyKind(kind)],
                unit=unit,
                value=estimate.value if estimate else None,
                ci_low=estimate.low if estimate else None,
                ci_high=estimate.high if estimate else None,
                n=n if shown else None,
                issued=n_issued,
                response_rate=(100.0 * n_answers / n_issued if n_issued and n_answers >= MIN_CELL else None),
                suppressed=0 < n < MIN_CELL or 0 < n_answers < MIN_CELL,
            )
        )
    out.sort(
        key=lambda v: (
            not v.current_series,
            v.series,
            v.period,
            v.municipality or "",
            v.service_line or "",
        )
    )
    return out


@dataclass(frozen=True, slots=True)
class AnswerScore:
    """One answer's score for one indicator, with the answer's dimensions only (nothing identifies)."""

    indicator_id: str
    survey_kind: str
    #: the questions (``id@version``) behind the score; scores of different series are not comparable
    series: str
    #: the highest survey version in which the indicator has this series (a newer series ranks higher)
    series_rank: int
    month: str
    municipality_code: str | None
    service_line: str | None
    service_channel: str | None
    #: the mean of the answer's answered items of the series (yes = 1, no = 0)
    score: float
    unit: Literal["mean", "percent"]


def answer_scores(
    *,
    session: Session,
    indicator_ids: Iterable[str] | None = None,
    definitions: Definitions | None = None,
) -> list[AnswerScore]:
    """Every answer's score for each indicator it feeds, for the scorecard's fact rebuild (R-S3).

    The same rule as :func:`indicator_table`: an answer's score is the mean of its answered items of the
    indicator's questions in the answer's survey version (answers with none are left out), and the
    ``series`` tells which questions those were. Only the answer tables are read — an answer is never joined
    to a token, an event or a person. Suppression is the caller's job (the scorecard's disclosure control).
    """
    defs = definitions or load_definitions()
    wanted = set(indicator_ids) if indicator_ids is not None else {i for d in defs for i in d.indicators}
    # (kind, version) -> [(indicator, series, question ids)]
    feeds: dict[tuple[SurveyKind, int], list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
    rank: dict[tuple[str, str], int] = {}
    units: dict[str, Literal["mean", "percent"]] = {}
    for d in defs:
        for indicator_id in d.indicators:
            if indicator_id not in wanted:
                continue
            qs = d.indicator_questions(indicator_id)
            series = _series_of(d, indicator_id)
            feeds[(d.kind, d.version)].append((indicator_id, series, tuple(q.id for q in qs)))
            rank[(indicator_id, series)] = max(rank.get((indicator_id, series), 0), d.version)
            if indicator_id not in units or units[indicator_id] == "percent":
                units[indicator_id] = "percent" if all(q.scale == "yes_no" for q in qs) else "mean"
    if not feeds:
        return []
    kinds = sorted({kind for kind, _ in feeds})
    question_ids = sorted({q for entries in feeds.values() for _, _, ids in entries for q in ids})
    answers = session.execute(
        select(
            SurveyAnswer.id,
            SurveyAnswer.survey_kind,
            SurveyAnswer.survey_version,
            SurveyAnswer.month,
            SurveyAnswer.municipality_code,
            SurveyAnswer.service_line,
            SurveyAnswer.service_channel,
        ).where(SurveyAnswer.survey_kind.in_(kinds))
    ).all()
    items: dict[str, dict[str, int]] = defaultdict(dict)
    item_rows = session.execute(
        select(SurveyAnswerItem.answer_id, SurveyAnswerItem.question_id, SurveyAnswerItem.value)
        .join(SurveyAnswer, SurveyAnswer.id == SurveyAnswerItem.answer_id)
        .where(
            SurveyAnswer.survey_kind.in_(kinds),
            SurveyAnswerItem.question_id.in_(question_ids),
            SurveyAnswerItem.value.is_not(None),
        )
    )
    for answer_id, question_id, value in item_rows:
        if value is not None:  # already filtered out in SQL; narrows the type
            items[answer_id][question_id] = value
    out: list[AnswerScore] = []
    for answer_id, kind, version, month, muni, line, channel in answers:
        answered = items.get(answer_id)
        if not answered:
            continue
        for indicator_id, series, ids in feeds.get((SurveyKind(kind), version), []):
            vals = [answered[q] for q in ids if q in answered]
            if vals:
                out.append(
                    AnswerScore(
                        indicator_id=indicator_id,
                        survey_kind=str(SurveyKind(kind)),
                        series=series,
                        series_rank=rank[(indicator_id, series)],
                        month=month,
                        municipality_code=muni,
                        service_line=line,
                        service_channel=channel,
                        score=statistics.fmean(vals),
                        unit=units[indicator_id],
                    )
                )
    return out


def comments(
    *,
    session: Session,
    kind: SurveyKind | str,
    period: str,
    municipality: str | None = None,
    service_line: str | None = None,
) -> list[str] | None:
    """Free-text answers of a group, masked; None when the group has fewer than 5 answers.

    Only for staff with the permission to read them; the caller checks it.
    """
    span = Period.parse(period)
    query = select(SurveyAnswer.id).where(
        SurveyAnswer.survey_kind == SurveyKind(kind), SurveyAnswer.month.in_(span.months)
    )
    if municipality is not None:
        query = query.where(SurveyAnswer.municipality_code == municipality)
    if service_line is not None:
        query = query.where(SurveyAnswer.service_line == service_line)
    ids = session.scalars(query).all()
    if len(ids) < MIN_CELL:
        return None
    texts = session.scalars(
        select(SurveyAnswerItem.text)
        .where(SurveyAnswerItem.answer_id.in_(ids), SurveyAnswerItem.text.is_not(None))
        .order_by(SurveyAnswerItem.text)
    ).all()
    return [mask_identifiers(t) for t in texts if t]


def all_indicator_results(
    *,
    session: Session,
    period: str,
    group_by: Iterable[GroupKey] = ("quarter",),
    definitions: Definitions | None = None,
) -> list[IndicatorValue]:
    """Every survey-fed indicator for the period (``alue survey results`` and the results page)."""
    defs = definitions or load_definitions()
    indicator_ids = sorted({i for d in defs for i in d.indicators})
    out: list[IndicatorValue] = []
    for indicator_id in indicator_ids:
        out.extend(
            indicator_table(
                session=session, indicator_id=indicator_id, period=period, group_by=group_by, definitions=defs
            )
        )
    return out
