"""Disclosure control of the scorecard's fact tables: which cells may never be shown outside casework.

The rule is ``alue.shared.suppression``'s (a group of 1–4 persons is never revealed; zero is shown), applied
to whole fact tables at rebuild time so that every page, export, API answer and report hides the same cells:

* **Primary suppression** — a cell about persons is hidden when it rests on 1–4 persons, or (with
  ``protect_outcomes``) when the persons with the outcome, or those without it, number 1–4. Survey means are
  hidden below 5 answers. Cells about employers, partners or events are not personal data and are shown.
* **Secondary suppression** — wherever cells add up to a total that is shown, a single hidden cell could be
  recovered by subtraction. The relations checked: municipalities → area; service lines → all lines;
  months → quarter → year (for each slice); and for the month-end figures, municipalities → area and the
  nested measures (e.g. young under 25 ⊂ young under 30). A relation whose parts do not add up to the
  total has an implicit *remainder* cell (e.g. people without a responsible worker's line); a remainder of
  1–4 persons is protected like a hidden cell. Then the smallest shown non-zero part is hidden as well (or
  the total, when no part is left), repeated until no relation has exactly one unknown.

The decision for a cell depends only on the whole family of cells of its indicator and year, never on which
page shows it, so no combination of pages reveals more than one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from alue.scorecard.models import ALL
from alue.shared.suppression import MIN_CELL

PERSON_UNITS = ("person", "response")
#: Nested month-end measures: (superset, subset); the difference is a group of persons too.
NESTED_MEASURES = (
    ("young_under_area_limit", "young_under_25"),
    ("unemployed", "young_under_area_limit"),
    ("unemployed", "long_term_unemployed"),
    ("unemployed", "laid_off_full"),
    ("structurally_unemployed", "long_term_unemployed"),
)


@dataclass(frozen=True)
class DisclosureRule:
    min_persons: int = MIN_CELL
    protect_outcomes: bool = True


def _small(expr: pl.Expr, rule: DisclosureRule) -> pl.Expr:
    return (expr > 0) & (expr < rule.min_persons)


def primary(frame: pl.DataFrame, rule: DisclosureRule) -> pl.Series:
    """Primary suppression of fact rows (``persons``, ``outcome_persons``, ``unit``)."""
    persons, outcome = pl.col("persons"), pl.col("outcome_persons")
    sensitive = _small(persons, rule)
    if rule.protect_outcomes:
        sensitive = sensitive | (
            (pl.col("unit") == "person") & (_small(outcome, rule) | _small(persons - outcome, rule))
        )
    return frame.select((pl.col("unit").is_in(PERSON_UNITS) & sensitive).alias("primary")).to_series()


def _secondary_pass(
    frame: pl.DataFrame, relation: pl.Expr, role: pl.Expr, rule: DisclosureRule
) -> tuple[pl.DataFrame, int]:
    """One pass over one kind of relation. ``relation`` keys the relation a row belongs to (null = none),
    ``role`` is ``total`` or ``part``. Returns the frame with more hidden cells and how many were added."""
    rows = frame.with_columns(_rel=relation, _role=role).filter(pl.col("_rel").is_not_null())
    if rows.height == 0:
        return frame, 0
    totals = rows.filter(pl.col("_role") == "total").select(
        "_rel", t_n="persons", t_k="outcome_persons", t_hidden="hidden", t_id="_id", t_unit="unit"
    )
    parts = rows.filter(pl.col("_role") == "part")
    summary = (
        parts.group_by("_rel")
        .agg(
            p_n=pl.col("persons").sum(),
            p_k=pl.col("outcome_persons").sum(),
            p_hidden=pl.col("hidden").cast(pl.Int64).sum(),
        )
        .join(totals, on="_rel", how="inner")
        .filter(pl.col("t_unit").is_in(PERSON_UNITS))
        .with_columns(
            r_n=(pl.col("t_n") - pl.col("p_n")).clip(lower_bound=0),
            r_k=(pl.col("t_k") - pl.col("p_k")).clip(lower_bound=0),
        )
    )
    remainder_sensitive = _small(pl.col("r_n"), rule)
    if rule.protect_outcomes:
        remainder_sensitive = remainder_sensitive | (
            (pl.col("t_unit") == "person")
            & (_small(pl.col("r_k"), rule) | _small(pl.col("r_n") - pl.col("r_k"), rule))
        )
    unknowns = pl.col("p_hidden") + pl.col("t_hidden").cast(pl.Int64) + (pl.col("r_n") > 0).cast(pl.Int64)
    exposed = summary.filter(
        (unknowns == 1)
        & ((pl.col("p_hidden") + pl.col("t_hidden").cast(pl.Int64) == 1) | remainder_sensitive)
    )
    if exposed.height == 0:
        return frame, 0
    candidates = (
        parts.join(exposed.select("_rel"), on="_rel", how="semi")
        .filter(~pl.col("hidden") & (pl.col("persons") > 0))
        .sort("persons", "_id")
        .group_by("_rel", maintain_order=True)
        .first()
        .select("_rel", "_id")
    )
    chosen = candidates.get_column("_id")
    # relations with no shown non-zero part left: hide the total instead
    without = exposed.join(candidates, on="_rel", how="anti").filter(~pl.col("t_hidden")).get_column("t_id")
    ids = pl.concat([chosen, without]).unique()
    if ids.len() == 0:
        return frame, 0
    updated = frame.with_columns(
        secondary=pl.col("secondary") | (pl.col("_id").is_in(ids.implode()) & ~pl.col("hidden")),
        hidden=pl.col("hidden") | pl.col("_id").is_in(ids.implode()),
    )
    added = int(updated.get_column("hidden").sum()) - int(frame.get_column("hidden").sum())
    return updated, added


def protect_facts(facts: pl.DataFrame, rule: DisclosureRule | None = None) -> pl.DataFrame:
    """Add ``suppression`` (``primary``, ``secondary`` or ``""``) to ``ft_indicator`` rows."""
    rule = rule or DisclosureRule()
    if facts.height == 0:
        return facts.with_columns(suppression=pl.lit("", dtype=pl.String))
    # a fixed row order: ties between equally small cells are broken by ``_id``, so the same facts always
    # give the same decisions (the order in which a parallel aggregation returns its groups varies); the
    # order of the table's unique key, so that writing the rows appends to its index
    identity = ["indicator_id", "variant", "period", "municipality_code", "customer_group", "service_line"]
    facts = facts.sort(identity)
    frame = facts.with_row_index("_id").with_columns(hidden=primary(facts, rule), secondary=pl.lit(False))
    family = pl.concat_str(["indicator_id", "variant"], separator="|")
    m, g, line = pl.col("municipality_code"), pl.col("customer_group"), pl.col("service_line")
    year = pl.col("period").str.slice(0, 4)
    parent = (
        pl.when(pl.col("period_kind") == "month")
        .then(pl.format("{}-Q{}", year, ((pl.col("period").str.slice(5, 2).cast(pl.Int32) - 1) // 3 + 1)))
        .when(pl.col("period_kind") == "quarter")
        .then(year)
    )
    kind = pl.col("period_kind")
    slice_key = [m, g, line]
    relations = [
        # municipalities add up to the area (for every group; service lines are not split by municipality)
        (
            pl.when(line == ALL).then(pl.concat_str([family, pl.col("period"), g], separator="|")),
            pl.when(m == ALL).then(pl.lit("total")).otherwise(pl.lit("part")),
        ),
        # service lines add up to all lines (area, all groups)
        (
            pl.when((m == ALL) & (g == ALL)).then(pl.concat_str([family, pl.col("period")], separator="|")),
            pl.when(line == ALL).then(pl.lit("total")).otherwise(pl.lit("part")),
        ),
        # months add up to their quarter, in every slice
        (
            pl.when(kind == "month")
            .then(pl.concat_str([family, parent, *slice_key], separator="|"))
            .when(kind == "quarter")
            .then(pl.concat_str([family, pl.col("period"), *slice_key], separator="|")),
            pl.when(kind == "month").then(pl.lit("part")).otherwise(pl.lit("total")),
        ),
        # quarters add up to their year, in every slice
        (
            pl.when(kind == "quarter")
            .then(pl.concat_str([family, year, *slice_key], separator="|"))
            .when(kind == "year")
            .then(pl.concat_str([family, pl.col("period"), *slice_key], separator="|")),
            pl.when(kind == "quarter").then(pl.lit("part")).otherwise(pl.lit("total")),
        ),
    ]
    # the relation keys are computed once (as small integers), not in every pass
    frame = frame.with_columns(
        [
            column
            for i, (relation, role) in enumerate(relations)
            for column in (relation.rank("dense").alias(f"_rel{i}"), role.alias(f"_role{i}"))
        ]
    )
    keyed = [(pl.col(f"_rel{i}"), pl.col(f"_role{i}")) for i in range(len(relations))]
    for _ in range(50):
        added_total = 0
        for relation, role in keyed:
            frame, added = _secondary_pass(frame, relation, role, rule)
            added_total += added
        if added_total == 0:
            break
    frame = frame.drop([f"_{c}{i}" for i in range(len(relations)) for c in ("rel", "role")])
    return frame.with_columns(
        suppression=pl.when(pl.col("secondary"))
        .then(pl.lit("secondary"))
        .when(pl.col("hidden"))
        .then(pl.lit("primary"))
        .otherwise(pl.lit(""))
    ).drop("_id", "hidden", "secondary")


def protect_month_end(month_end: pl.DataFrame, rule: DisclosureRule | None = None) -> pl.DataFrame:
    """Add ``suppression`` to ``ft_month_end`` rows (municipalities → area, nested measures)."""
    rule = rule or DisclosureRule()
    if month_end.height == 0:
        return month_end.with_columns(suppression=pl.lit("", dtype=pl.String))
    frame = month_end.with_row_index("_id").with_columns(
        outcome_persons=pl.lit(0, dtype=pl.Int64),
        unit=pl.lit("response"),  # counts of persons without an outcome split
        hidden=_small(pl.col("persons"), rule),
        secondary=pl.lit(False),
    )
    m = pl.col("municipality_code")
    for _ in range(50):
        frame, added = _secondary_pass(
            frame,
            pl.concat_str([pl.col("month"), pl.col("measure")], separator="|"),
            pl.when(m == ALL).then(pl.lit("total")).otherwise(pl.lit("part")),
            rule,
        )
        for superset, subset in NESTED_MEASURES:
            frame, more = _secondary_pass(
                frame,
                pl.when(pl.col("measure").is_in([superset, subset])).then(
                    pl.concat_str([pl.col("month"), m, pl.lit(f"{superset}>{subset}")], separator="|")
                ),
                pl.when(pl.col("measure") == superset).then(pl.lit("total")).otherwise(pl.lit("part")),
                rule,
            )
            added += more
        if added == 0:
            break
    return frame.with_columns(
        suppression=pl.when(pl.col("secondary"))
        .then(pl.lit("secondary"))
        .when(pl.col("hidden"))
        .then(pl.lit("primary"))
        .otherwise(pl.lit(""))
    ).drop("_id", "hidden", "secondary", "outcome_persons", "unit")
