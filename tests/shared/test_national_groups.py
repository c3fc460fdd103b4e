from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import polars as pl
import pytest

from alue.demo.occupations import _official_mix
from alue.matching.shortage import _monthly
from alue.shared.national_groups import GroupCrosswalk, esco_group, national_groups

STATISTICS = Path("stats") / "tyonvalitys_occupations_monthly.csv.gz"


def test_shipped_crosswalk_reads_national_nurses_as_esco_nurses() -> None:
    crosswalk = national_groups()
    assert crosswalk.groups == {"3221": "2221"}
    assert crosswalk.source
    assert crosswalk.valid_from == dt.date(2010, 1, 1)


def test_each_national_group_has_no_esco_occupation_and_its_target_has(data_dir: Path) -> None:
    # The premise of every entry, checked against the data: the statistics' group is empty in ESCO.
    with (data_dir / "esco" / "occupations_fi.csv").open(encoding="utf-8") as handle:
        esco_groups = {row["iscoGroup"] for row in csv.DictReader(handle)}
    with gzip.open(data_dir / STATISTICS, "rt", encoding="utf-8") as handle:
        statistics_groups = {row["occupation_group"] for row in csv.DictReader(handle)}
    for national, esco in national_groups().groups.items():
        assert national in statistics_groups
        assert national not in esco_groups
        assert esco in esco_groups


def test_esco_group_expression() -> None:
    frame = pl.DataFrame({"occupation_group": ["3221", "2221", "5321"], "n": [10, 1, 5]})
    summed = frame.with_columns(esco_group()).group_by("occupation_group").agg(pl.col("n").sum())
    assert dict(summed.iter_rows()) == {"2221": 11, "5321": 5}


def test_statistics_readers_put_the_national_figures_in_the_esco_group(data_dir: Path) -> None:
    path = data_dir / STATISTICS
    raw = pl.read_csv(path, schema_overrides={"occupation_group": pl.String, "area": pl.String})
    month = "2023-10"
    cell = raw.filter((pl.col("area") == "SSS") & (pl.col("month") == month))
    nurses = {g: cell.filter(pl.col("occupation_group") == g).row(0, named=True) for g in ("2221", "3221")}
    read = _monthly(path, "SSS", path.stat().st_mtime).filter(pl.col("month") == month)
    assert "3221" not in set(read.get_column("occupation_group"))
    combined = read.filter(pl.col("occupation_group") == "2221")
    assert combined.get_column("unemployed_month_end").sum() == pytest.approx(
        nurses["2221"]["unemployed_month_end"] + nurses["3221"]["unemployed_month_end"]
    )
    unemployed, vacancies = _official_mix(data_dir, "SSS", [month])
    assert "3221" not in unemployed
    assert vacancies["2221"] == pytest.approx(
        nurses["2221"]["open_vacancies_month_end"] + nurses["3221"]["open_vacancies_month_end"]
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"groups": {"322": "2221"}, "valid_from": dt.date(2010, 1, 1)}, "not two ISCO-08 unit groups"),
        ({"groups": {"3221": "2221"}, "valid_from": "soon"}, "not a date"),
    ],
)
def test_bad_crosswalk_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GroupCrosswalk.from_mapping(data)
