"""Importing survey responses, official figures and shortage lists; deriving a shortage list."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.models import AreaStatistic
from alue.io.fields import Lookups
from alue.scorecard.importers import (
    AreaCode,
    Number,
    PeriodText,
    derive_shortage_list,
    half_years,
    import_scorecard_file,
)
from alue.scorecard.models import OfficialIndicatorValue, ShortageOccupation, SurveyScore


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def test_survey_responses_all_or_nothing_and_idempotent(session: Session, tmp_path: Path) -> None:
    good = write(
        tmp_path / "answers.csv",
        "kysely;pvm;kunta;palvelulinja;kanava;arvosana\n"
        "accessibility;3.3.2025;Pori;job_brokerage;phone;4\n"
        "accessibility;3.3.2025;Pori;job_brokerage;phone;4\n"  # an identical second answer counts too
        "staff_experience;2025-04-01;;;;8,5\n",
    )
    result = import_scorecard_file(session=session, kind="survey-responses", path=good)
    assert result.ok, result.errors
    assert result.inserted == 3
    again = import_scorecard_file(session=session, kind="survey-responses", path=good)
    assert again.ok
    assert again.inserted == 0
    assert again.unchanged == 3
    assert count(session, SurveyScore) == 3

    bad = write(
        tmp_path / "bad.csv",
        "survey_kind,date,municipality,score\n"
        "accessibility,2025-03-03,609,6\n"  # outside 1–5
        "staff_experience,2025-03-03,609,3\n"  # outside 4–10
        "inflow_over_3_months,2025-03-03,609,3\n"  # not a survey indicator
        "customer_experience,2025-03-03,609,4\n",
    )
    result = import_scorecard_file(session=session, kind="survey-responses", path=bad)
    assert not result.written
    assert [e.row for e in result.errors] == [2, 3, 4]
    assert count(session, SurveyScore) == 3  # nothing of the bad file was written


def test_official_indicators_and_area_statistics(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "official.csv",
        "indicator,variant,area,period,value,source\n"
        "inflow_over_3_months,,TA35,11/2025,41.2,KEHA tavoiteseuranta\n"
        "staying_employed,3m,TA35,2025,78.5,KEHA\n"
        "unemployed_month_end,,KU609,2025-10,4400,Tilastokeskus\n"
        "unemployed_month_end,,Ulvila,2025-10,700,Tilastokeskus\n",
    )
    result = import_scorecard_file(session=session, kind="official-indicators", path=path)
    assert result.ok, result.errors
    assert result.inserted == 4
    periods = set(session.scalars(select(OfficialIndicatorValue.period)))
    assert periods == {"2025-11", "2025", "2025-10"}
    stats = session.execute(
        select(AreaStatistic.area_code, AreaStatistic.value).where(
            AreaStatistic.statistic == "unemployed_month_end",
            AreaStatistic.month == "2025-10",
            AreaStatistic.source == "official",
        )
    ).all()
    assert sorted(stats) == [("KU609", 4400.0), ("KU886", 700.0)]
    changed = write(
        tmp_path / "changed.csv",
        "indicator,area,period,value,source\ninflow_over_3_months,TA35,2025-11,40.9,KEHA tavoiteseuranta\n",
    )
    result = import_scorecard_file(session=session, kind="official-indicators", path=changed)
    assert result.updated == 1
    assert count(session, OfficialIndicatorValue) == 4
    wrong = write(
        tmp_path / "wrong.csv",
        "indicator,variant,area,period,value,source\nstaying_employed,12m,TA35,2025,70,KEHA\n",
    )
    result = import_scorecard_file(session=session, kind="official-indicators", path=wrong)
    assert not result.ok
    assert result.errors[0].column == "variant"


def test_shortage_list_import_keeps_shortage_classes(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "barometer.csv",
        "isco4;alkaa;päättyy;luokka;lähde\n"
        "2221;1.1.2025;30.6.2025;suuri pula;Työvoimabarometri 1/2025\n"
        "5120;1.1.2025;30.6.2025;pula;Työvoimabarometri 1/2025\n"
        "4110;1.1.2025;30.6.2025;ylitarjonta;Työvoimabarometri 1/2025\n",
    )
    result = import_scorecard_file(session=session, kind="shortage-occupations", path=path)
    assert result.ok, result.errors
    assert sorted(session.scalars(select(ShortageOccupation.isco4))) == ["2221", "5120"]
    replaced = write(tmp_path / "b2.csv", "isco4;alkaa;päättyy;luokka\n2221;1.1.2025;30.6.2025;pula\n")
    import_scorecard_file(session=session, kind="shortage-occupations", path=replaced)
    assert sorted(session.scalars(select(ShortageOccupation.isco4))) == ["2221"]


def test_derive_shortage_list_from_the_statistics(session: Session, tmp_path: Path) -> None:
    """12 months to 2024-12 in MK04: 2221 has 30 vacancies and 20 unemployed (ratio 1.5) → shortage;
    5120 has 30 vacancies, 40 unemployed → not; 9999 has 12 vacancies only → not (too few); 7212 has
    24 vacancies and every unemployed month suppressed (counted 2 × 12 = 24) → ratio 1.0 → shortage."""
    lines = ["area,occupation_group,month,unemployed_month_end,open_vacancies_month_end"]
    for month in [f"2024-{m:02d}" for m in range(1, 13)]:
        lines += [
            f"MK04,2221,{month},{20 / 12:.6f},2.5",
            f"MK04,5120,{month},{40 / 12:.6f},2.5",
            f"MK04,9999,{month},0,1",
            f"MK04,7212,{month},,2",
            f"SSS,2221,{month},1000,1",
            f"MK04,SSS,{month},5000,300",
        ]
    path = tmp_path / "occ.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    summary = derive_shortage_list(
        session=session, path=path, first=dt.date(2025, 1, 1), last=dt.date(2025, 12, 31)
    )
    assert [(start, n) for start, n, _ in summary] == [(dt.date(2025, 1, 1), 2), (dt.date(2025, 7, 1), 2)]
    assert "2024-01–2024-12" in summary[0][2]
    assert "latest available" not in summary[0][2]
    assert "latest available" in summary[1][2]  # no data for 2025-01 … 2025-06
    codes = sorted(
        session.scalars(
            select(ShortageOccupation.isco4).where(ShortageOccupation.valid_from == dt.date(2025, 1, 1))
        )
    )
    assert codes == ["2221", "7212"]


def test_half_years() -> None:
    assert half_years(dt.date(2024, 3, 1), dt.date(2025, 1, 1)) == [
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
        (dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    ]


LOOKUPS = Lookups([])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=12))
def test_parsers_raise_only_value_errors(text: str) -> None:
    for parser in (Number(), PeriodText(), AreaCode()):
        with contextlib.suppress(ValueError):
            parser.parse(text, LOOKUPS)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_period_text_round_trip(year: int, month: int) -> None:
    assert PeriodText().parse(f"{month}/{year}", LOOKUPS) == f"{year}-{month:02d}"
    assert PeriodText().parse(f"{year}-{month:02d}", LOOKUPS) == f"{year}-{month:02d}"
