"""The demo reproduces the official month-end series 2019-01 … 2023-10 in every municipality of the area."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlalchemy.engine import Engine

from alue.area.config import Area
from alue.demo.report import calibration_report, monthly_figures, within_tolerance
from alue.demo.targets import month_index, month_text

OFFICIAL_WINDOW = [month_text(m) for m in range(month_index("2019-01"), month_index("2023-10") + 1)]


def test_every_municipality_month_is_within_tolerance(demo_engine: Engine, area: Area) -> None:
    figures = monthly_figures(
        engine=demo_engine, area=area, codes=list(area.municipalities), months=OFFICIAL_WINDOW
    )
    outside = [f for f in figures if not f.within_tolerance]
    assert outside == [], outside[:10]
    compared = Counter((f.municipality_code, f.statistic) for f in figures)
    for code in area.municipalities:
        # unemployed and labour force are published for every month; vacancies may be suppressed (1–4)
        assert compared[(code, "unemployed_month_end")] == len(OFFICIAL_WINDOW)
        assert compared[(code, "labour_force")] == len(OFFICIAL_WINDOW)
        assert compared[(code, "open_vacancies")] >= len(OFFICIAL_WINDOW) // 3


def test_report_rows_cover_the_area_and_pass(demo_engine: Engine, area: Area) -> None:
    rows = calibration_report(engine=demo_engine, area=area)
    assert {r.municipality_code for r in rows} == set(area.municipalities)
    assert {r.statistic for r in rows} == {"unemployed_month_end", "labour_force", "open_vacancies"}
    assert all(r.within_tolerance for r in rows), [r for r in rows if not r.within_tolerance]
    pori = next(r for r in rows if r.municipality_code == "609" and r.statistic == "unemployed_month_end")
    assert pori.months >= len(OFFICIAL_WINDOW)


def test_tolerance_rule() -> None:
    assert within_tolerance(102, 100)
    assert within_tolerance(5, 3)  # 2 persons
    assert not within_tolerance(106, 100)
    assert not within_tolerance(6, 3)


def test_official_and_projected_series_are_stored(demo_engine: Engine, area: Area) -> None:
    with demo_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT source, statistic, MIN(month), MAX(month), COUNT(*) FROM area_statistic "
                "WHERE area_code = 'KU609' GROUP BY source, statistic"
            )
        ).all()
    by = {(r[0], r[1]): r[2:] for r in rows}
    assert by[("official", "unemployed_month_end")][1] == "2023-10"
    first, last, n = by[("projected", "unemployed_month_end")]
    assert (first, last) == ("2023-11", "2026-11")
    assert n == 37
    assert ("projected", "labour_force") in by
    assert ("projected", "open_vacancies") in by


def test_projection_reaches_the_published_january_2026_rate(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT statistic, value FROM area_statistic WHERE area_code = 'KU609' "
                    "AND month = '2026-01' "
                    "AND source = 'projected'"
                )
            ).all()
        )
    rate = rows["unemployed_month_end"] / rows["labour_force"] * 100
    assert abs(rate - 14.3) < 0.05
