"""Files into the scorecard: survey responses, official indicator figures and labour-shortage lists.

Each file kind is an ``alue.io`` kind (same CSV/XLSX reading, header aliases, row-level errors and
all-or-nothing writing as every other import), so that ``alue import survey-responses FILE`` works once the
kinds are listed in ``alue.io.kinds.KINDS``; :func:`import_scorecard_file` runs them on its own for
``alue scorecard import …``. :func:`derive_shortage_list` builds a shortage list from the employment-service
statistics instead of a barometer file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from alue.area.config import load_area
from alue.area.models import AreaStatistic
from alue.io.fields import Choice, Column, Date, FieldType, Isco4, Lookups, MunicipalityCode, Text
from alue.io.kinds.base import ImportContext, Kind, ParsedRow
from alue.io.service import ImportResult, RowError, map_headers, parse_row
from alue.io.tables import FileFormatError, open_table
from alue.scorecard.definitions import Definitions, load_definitions
from alue.scorecard.models import OfficialIndicatorValue, ShortageOccupation, SurveyScore
from alue.scorecard.periods import Period
from alue.shared.national_groups import read_occupation_statistics
from alue.shared.time import today
from alue.staff.models import ServiceLine

#: Statistics that ``area_statistic`` keeps as monthly series; official monthly figures of these are also
#: written there, where the month-end comparison reads them.
AREA_STATISTICS = ("unemployed_month_end", "labour_force", "open_vacancies")
SHORTAGE_CLASSES = ("much_shortage", "shortage")
RATING_LABELS = {
    "much_shortage": ("suuri pula", "paljon pulaa", "suuri työvoimapula"),
    "shortage": ("pula", "pulaa", "työvoimapula"),
    "balance": ("tasapaino",),
    "surplus": ("ylitarjonta", "ylitarjontaa"),
    "much_surplus": ("suuri ylitarjonta", "paljon ylitarjontaa"),
}


class Number(FieldType):
    doc = "number, decimal point or comma: 4, 4.5 or 4,5"

    def parse(self, text: str, lookups: Lookups) -> float:
        cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".").rstrip("%")
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned) is None:
            raise ValueError(f"{text!r} is not a number")
        return float(cleaned)


class PeriodText(FieldType):
    doc = "period: 2025 (year), 2025-Q3 (quarter) or 2025-07 (month); also 7/2025"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip()
        match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", value)
        if match:
            value = f"{match.group(2)}-{int(match.group(1)):02d}"
        return Period.parse(value.replace("q", "Q").replace(" ", "")).label


class AreaCode(FieldType):
    doc = (
        "statistical area: a municipality (609, KU609, Pori), the employment area TA + code (TA35), a region "
        "MK + code (MK04) or SSS for the whole country"
    )

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip().upper().replace(" ", "")
        if re.fullmatch(r"TA\d{1,3}", value):
            return f"TA{int(value[2:]):02d}"
        if re.fullmatch(r"MK\d{1,2}", value):
            return f"MK{int(value[2:]):02d}"
        if value == "SSS":
            return value
        return "KU" + MunicipalityCode().parse(text, lookups)


class ShortageRating(Choice):
    def __init__(self) -> None:
        from enum import StrEnum

        rating = StrEnum("Rating", {k.upper(): k for k in RATING_LABELS})  # type: ignore[misc]
        super().__init__(rating, RATING_LABELS)


def _definitions() -> Definitions:
    return load_definitions(load_area())


def _survey_indicators(definitions: Definitions) -> dict[str, tuple[float, float]]:
    return {
        i.id: i.config.scale  # type: ignore[misc]
        for i in definitions.indicators.values()
        if i.spec.source == "survey" and i.config.scale is not None
    }


class SurveyResponsesKind(Kind):
    name = "survey-responses"
    title = "Survey responses (kyselyvastaukset)"
    summary = (
        "One row per answer's score: survey, date, municipality, service line, channel, score. No person "
        "identity is read or stored. Re-importing the same file changes nothing."
    )
    natural_key = "`response_id` when given, else every column (identical rows count separately)"
    personal = False
    columns = (
        Column(
            "survey_kind",
            Text(40, r"[a-z_]+", "an indicator id"),
            "the indicator the survey measures",
            "accessibility",
            required=True,
            aliases=("kysely", "mittari", "survey", "indicator"),
            rules="accessibility, customer_experience, vitality_barometer or staff_experience",
        ),
        Column(
            "date",
            Date(),
            "date of the answer",
            "2025-03-14",
            required=True,
            aliases=("paiva", "päivä", "pvm", "vastauspaiva", "datum"),
        ),
        Column(
            "municipality",
            MunicipalityCode(),
            "municipality the answer concerns",
            "609",
            aliases=("kunta", "kommun"),
        ),
        Column(
            "service_line",
            Choice(ServiceLine, {}),
            "service line",
            "job_brokerage",
            aliases=("palvelulinja", "linja"),
        ),
        Column("channel", Text(40), "service channel", "in_person", aliases=("kanava", "kanal")),
        Column(
            "score",
            Number(),
            "the score",
            "4",
            required=True,
            aliases=("arvosana", "pisteet", "vastaus", "arvo"),
            rules="inside the indicator's scale (1–5 or 4–10)",
        ),
        Column(
            "response_id",
            Text(64),
            "the survey tool's id of the answer",
            "R-2025-000123",
            aliases=("vastaus_id", "vastaustunnus", "id"),
        ),
    )

    def check(self, row: ParsedRow) -> None:
        scales = _survey_indicators(_definitions())
        kind = row.values.get("survey_kind")
        if kind is not None and kind not in scales:
            row.error("survey_kind", f"{kind!r} is not a survey indicator; use one of: {', '.join(scales)}")
            return
        score = row.values.get("score")
        if kind is not None and score is not None:
            low, high = scales[kind]
            if not low <= score <= high:
                row.error("score", f"{score:g} is outside the scale {low:g}–{high:g} of {kind}")

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        occurrences: dict[str, int] = getattr(ctx, "_survey_occurrences", {})
        ctx._survey_occurrences = occurrences  # type: ignore[attr-defined]
        keys: dict[str, ParsedRow] = {}
        for row in rows:
            if row.errors:
                continue
            v = row.values
            if v.get("response_id"):
                basis = f"{v['survey_kind']}|id|{v['response_id']}"
            else:
                basis = (
                    "|".join(
                        str(v.get(c) or "")
                        for c in ("survey_kind", "date", "municipality", "service_line", "channel")
                    )
                    + f"|{v['score']:g}"
                )
                occurrences[basis] = occurrences.get(basis, 0) + 1
                basis += f"|{occurrences[basis]}"
            keys[hashlib.sha256(basis.encode()).hexdigest()] = row
        existing = (
            set(ctx.session.scalars(select(SurveyScore.row_key).where(SurveyScore.row_key.in_(list(keys)))))
            if keys
            else set()
        )
        for key, row in keys.items():
            if key in existing:
                row.outcome = "unchanged"
                continue
            v = row.values
            ctx.session.add(
                SurveyScore(
                    survey_kind=v["survey_kind"],
                    response_date=v["date"],
                    municipality_code=v.get("municipality"),
                    service_line=str(v["service_line"]) if v.get("service_line") else None,
                    channel=v.get("channel"),
                    score=v["score"],
                    import_batch=today().isoformat(),
                    row_key=key,
                )
            )
            row.outcome = "inserted"
        ctx.session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = select(SurveyScore).order_by(
            SurveyScore.survey_kind, SurveyScore.response_date, SurveyScore.id
        )
        for s in session.scalars(query):
            yield {
                "survey_kind": s.survey_kind,
                "date": s.response_date,
                "municipality": s.municipality_code,
                "service_line": s.service_line,
                "channel": s.channel,
                "score": s.score,
                "response_id": None,
            }


class OfficialIndicatorsKind(Kind):
    name = "official-indicators"
    title = "Official indicator figures (KEHA, Statistics Finland)"
    summary = (
        "Published figures to show beside the platform's own: an indicator id of the strategy or a statistic "
        "(e.g. unemployed_month_end), area, period, value and source. Monthly unemployed, labour force and "
        "vacancies also go to the area statistics series."
    )
    natural_key = "`indicator`, `variant`, `area`, `period`, `source`"
    personal = False
    columns = (
        Column(
            "indicator",
            Text(60, r"[a-z][a-z0-9_]*", "an id such as inflow_over_3_months"),
            "indicator or statistic id",
            "inflow_over_3_months",
            required=True,
            aliases=("mittari", "tunnusluku", "statistic", "indikator"),
        ),
        Column(
            "variant",
            Text(20),
            "variant (3m or 6m for staying employed)",
            "3m",
            aliases=("muunnelma",),
            default="",
        ),
        Column(
            "area",
            AreaCode(),
            "statistical area",
            "TA35",
            required=True,
            aliases=("alue", "area_code", "område"),
        ),
        Column(
            "period", PeriodText(), "period", "2025-11", required=True, aliases=("jakso", "kausi", "period")
        ),
        Column(
            "value",
            Number(),
            "the published value (percentages as percent)",
            "32.5",
            required=True,
            aliases=("arvo", "luku", "värde"),
        ),
        Column(
            "source",
            Text(80),
            "publisher and table",
            "KEHA, tavoitteiden seuranta 11/2025",
            required=True,
            aliases=("lahde", "lähde", "källa"),
        ),
    )

    def check(self, row: ParsedRow) -> None:
        indicator = row.values.get("indicator")
        definitions = _definitions()
        if indicator in definitions.indicators:
            variants = definitions.indicators[indicator].variants
            if (row.values.get("variant") or "") not in variants:
                row.error(
                    "variant", f"{indicator} has the variants: {', '.join(v or '(none)' for v in variants)}"
                )

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        session = ctx.session
        for row in rows:
            if row.errors:
                continue
            v = row.values
            key = (v["indicator"], v.get("variant") or "", v["area"], v["period"], v["source"])
            if not ctx.claim(row, key, "indicator", "figure"):
                continue
            existing = session.scalar(
                select(OfficialIndicatorValue).where(
                    OfficialIndicatorValue.indicator_id == key[0],
                    OfficialIndicatorValue.variant == key[1],
                    OfficialIndicatorValue.area_code == key[2],
                    OfficialIndicatorValue.period == key[3],
                    OfficialIndicatorValue.source == key[4],
                )
            )
            if existing is None:
                session.add(
                    OfficialIndicatorValue(
                        indicator_id=key[0],
                        variant=key[1],
                        area_code=key[2],
                        period=key[3],
                        value=v["value"],
                        source=key[4],
                    )
                )
                row.outcome = "inserted"
            elif existing.value != v["value"]:
                existing.value = v["value"]
                row.outcome = "updated"
            else:
                row.outcome = "unchanged"
            if key[0] in AREA_STATISTICS and len(key[3]) == 7 and "Q" not in key[3]:
                _upsert_area_statistic(session, key[0], key[2], key[3], v["value"], key[4])
        session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = select(OfficialIndicatorValue).order_by(
            OfficialIndicatorValue.indicator_id,
            OfficialIndicatorValue.area_code,
            OfficialIndicatorValue.period,
        )
        for o in session.scalars(query):
            yield {
                "indicator": o.indicator_id,
                "variant": o.variant,
                "area": o.area_code,
                "period": o.period,
                "value": o.value,
                "source": o.source,
            }


def _upsert_area_statistic(
    session: Session, statistic: str, area: str, month: str, value: float, note: str
) -> None:
    existing = session.scalar(
        select(AreaStatistic).where(
            AreaStatistic.statistic == statistic,
            AreaStatistic.area_code == area,
            AreaStatistic.month == month,
            AreaStatistic.source == "official",
        )
    )
    if existing is None:
        session.add(
            AreaStatistic(
                statistic=statistic,
                area_code=area,
                month=month,
                value=value,
                source="official",
                note=note[:200],
            )
        )
    else:
        existing.value = value


class ShortageOccupationsKind(Kind):
    name = "shortage-occupations"
    title = "Labour-shortage occupations (Työvoimabarometri)"
    summary = (
        "The barometer's rating of ISCO-08 unit groups for a period. Only the shortage classes are kept; a "
        "file replaces the earlier list of each period it holds."
    )
    natural_key = "`isco4`, `valid_from`"
    personal = False
    whole_file = True
    columns = (
        Column(
            "isco4", Isco4(), "ISCO-08 unit group", "2221", required=True, aliases=("isco", "ammatti", "yrke")
        ),
        Column(
            "valid_from",
            Date(),
            "first day of the barometer's period",
            "2025-01-01",
            required=True,
            aliases=("alkaa", "alku", "from"),
        ),
        Column(
            "valid_to",
            Date(),
            "last day of the period",
            "2025-06-30",
            required=True,
            aliases=("paattyy", "päättyy", "loppu", "to"),
        ),
        Column(
            "rating",
            ShortageRating(),
            "barometer class",
            "shortage",
            required=True,
            aliases=("luokka", "arvio", "tilanne"),
        ),
        Column(
            "source",
            Text(200),
            "the barometer and region",
            "Työvoimabarometri 1/2025, Satakunta",
            default="Työvoimabarometri",
            aliases=("lahde", "lähde"),
        ),
    )

    def check(self, row: ParsedRow) -> None:
        start, end = row.values.get("valid_from"), row.values.get("valid_to")
        if start and end and end < start:
            row.error("valid_to", "ends before it starts")

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        good = [r for r in rows if not r.errors]
        editions = sorted({r.values["valid_from"] for r in good})
        if editions:
            ctx.session.execute(
                delete(ShortageOccupation).where(
                    ShortageOccupation.basis == "barometer", ShortageOccupation.valid_from.in_(editions)
                )
            )
        seen: set[tuple[str, dt.date]] = set()
        for row in good:
            v = row.values
            if not ctx.claim(row, (v["isco4"], v["valid_from"]), "isco4", "occupation and period"):
                continue
            rating = str(v["rating"])
            if rating not in SHORTAGE_CLASSES:
                row.outcome = "unchanged"
                continue
            seen.add((v["isco4"], v["valid_from"]))
            ctx.session.add(
                ShortageOccupation(
                    isco4=v["isco4"],
                    valid_from=v["valid_from"],
                    valid_to=v["valid_to"],
                    rating=rating,
                    basis="barometer",
                    source=v.get("source") or "Työvoimabarometri",
                )
            )
            row.outcome = "inserted"
        ctx.session.flush()

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        query = (
            select(ShortageOccupation)
            .where(ShortageOccupation.basis == "barometer")
            .order_by(ShortageOccupation.valid_from, ShortageOccupation.isco4)
        )
        for s in session.scalars(query):
            yield {
                "isco4": s.isco4,
                "valid_from": s.valid_from,
                "valid_to": s.valid_to,
                "rating": s.rating,
                "source": s.source,
            }


SCORECARD_KINDS: dict[str, Kind] = {
    k.name: k for k in (SurveyResponsesKind(), OfficialIndicatorsKind(), ShortageOccupationsKind())
}


def import_scorecard_file(
    *, session: Session, kind: str, path: Path, dry_run: bool = False, batch_size: int = 1000
) -> ImportResult:
    """Import a file of one of the scorecard's kinds, all or nothing (a bad row writes nothing)."""
    spec = SCORECARD_KINDS[kind]
    result = ImportResult(kind=spec.name, source=str(path), dry_run=dry_run)
    savepoint = session.begin_nested()
    try:
        with open_table(Path(path)) as table:
            header_map, errors, warnings = map_headers(spec, table.headers)
            result.warnings.extend(warnings)
            result.errors.extend(errors)
            if not errors:
                ctx = ImportContext(session, Lookups.load(session), set(header_map.index))
                pending: list[ParsedRow] = []

                def flush() -> None:
                    spec.apply(ctx, pending)
                    for row in pending:
                        if row.errors:
                            result.rejected += 1
                            result.errors.extend(
                                RowError(row.row, header_map.label.get(c, c), m) for c, m in row.errors
                            )
                        elif row.outcome is not None:
                            setattr(result, row.outcome, getattr(result, row.outcome) + 1)
                    pending.clear()

                for number, cells in table.rows:
                    if not any(c.strip() for c in cells):
                        continue
                    result.rows += 1
                    pending.append(
                        parse_row(spec, header_map, len(table.headers), number, cells, ctx.lookups)
                    )
                    if not spec.whole_file and len(pending) >= batch_size:
                        flush()
                if pending:
                    flush()
    except FileFormatError as exc:
        result.errors.append(RowError(None, "", str(exc)))
    except SQLAlchemyError as exc:
        message = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        result.errors.append(RowError(None, "", f"the database refused the data: {message}"))
    if not dry_run and not result.errors:
        savepoint.commit()
        result.written = True
    else:
        savepoint.rollback()
        if not dry_run:
            result.inserted = result.updated = result.unchanged = 0
    return result


# -------------------------------------------------------------------------- derived shortage lists


def half_years(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The barometer's cadence: 1.1.–30.6. and 1.7.–31.12., covering ``first`` … ``last``."""
    start = dt.date(first.year, 1 if first.month <= 6 else 7, 1)
    result = []
    while start <= last:
        end = dt.date(start.year, 6, 30) if start.month == 1 else dt.date(start.year, 12, 31)
        result.append((start, end))
        start = end + dt.timedelta(days=1)
    return result


def derive_shortage_list(
    *,
    session: Session,
    path: Path,
    first: dt.date,
    last: dt.date,
    area_code: str = "MK04",
    window_months: int = 12,
    min_ratio: float = 1.0,
    min_vacancies: float = 24,
    suppressed_as: float = 2,
) -> list[tuple[dt.date, int, str]]:
    """Derive shortage lists from the vacancies-to-unemployed ratio of the employment-service statistics.

    For each half-year edition from ``first`` to ``last``: over the ``window_months`` months before the
    edition starts (or the latest months the file has, stated in the source), an ISCO-08 unit group is a
    shortage occupation when its open vacancies summed over the months are at least ``min_vacancies`` and
    at least ``min_ratio`` times its unemployed jobseekers. A month whose unemployed count the statistics
    suppress (empty cell, a small number) counts as ``suppressed_as``. Replaces every derived list.
    Returns (edition start, occupations, source) per edition.
    """
    frame = read_occupation_statistics(path, area_code, suppressed_unemployed=suppressed_as)
    months = sorted(set(frame.get_column("month").to_list()))
    if not months:
        raise ValueError(f"{path}: no monthly occupation figures for area {area_code}")
    session.execute(delete(ShortageOccupation).where(ShortageOccupation.basis == "derived"))
    summary = []
    for start, end in half_years(first, last):
        before = [m for m in months if m < f"{start.year:04d}-{start.month:02d}"]
        window = (before or months)[-window_months:]
        wanted_last = (start - dt.timedelta(days=1)).strftime("%Y-%m")
        carried = window[-1] != wanted_last
        ratios = (
            frame.filter(pl.col("month").is_in(window))
            .group_by("occupation_group")
            .agg(u=pl.col("unemployed_month_end").sum(), v=pl.col("open_vacancies_month_end").sum())
            .with_columns(ratio=pl.col("v") / pl.max_horizontal(pl.col("u"), pl.lit(1.0)))
            .filter((pl.col("v") >= min_vacancies) & (pl.col("ratio") >= min_ratio))
        )
        source = (
            f"derived: employment-service statistics {area_code} {window[0]}–{window[-1]}"
            f"{' (latest available)' if carried else ''}, vacancies ≥ {min_ratio:g} × unemployed"
        )
        for isco, ratio in ratios.select("occupation_group", "ratio").iter_rows():
            session.add(
                ShortageOccupation(
                    isco4=isco,
                    valid_from=start,
                    valid_to=end,
                    rating="shortage",
                    basis="derived",
                    source=source[:200],
                    ratio=float(ratio),
                )
            )
        summary.append((start, ratios.height, source))
    session.flush()
    return summary
