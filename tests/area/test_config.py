import datetime as dt
from pathlib import Path

import pytest
import yaml

from alue.area.config import AREAS_DIR, AreaConfigError, load_area


def test_satakunta_has_the_eleven_municipalities(area) -> None:  # R-A1
    assert sorted(area.codes) == ["079", "181", "214", "230", "271", "484", "531", "608", "609", "747", "886"]
    assert area.municipalities["609"].name_fi == "Pori"
    assert area.municipalities["609"].name_sv == "Björneborg"
    assert area.file.responsible_municipality == "609"
    assert 20 < area.distance_km("609", "079") < 35  # Pori–Harjavalta centres


def test_strategy_indicators_and_targets_as_in_the_seed(area) -> None:  # R-S2
    strategy = area.file.strategy
    assert strategy.vision.fi == "Suomen paras työllisyysalue"
    assert len(strategy.priorities) == 5
    indicators = {i.id: i for i in strategy.indicators}
    assert len(indicators) == 12
    inflow = indicators["inflow_over_3_months"].targets[0]
    assert (inflow.comparator, inflow.value) == ("<", 40)
    staying = {t.variant: t.value for t in indicators["staying_employed"].targets}
    assert staying == {"3m": 80, "6m": 70}
    assert indicators["work_in_finland_leads"].targets[0].comparator == ">"
    assert indicators["vitality_barometer"].scale == (4, 10)
    assert indicators["cost_per_employed"].targets == []


def test_every_service_point_interval(area) -> None:  # R-B1
    for sp in area.file.service_points:
        assert sp.kind == "office" or sp.visit_interval_days


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_second_real_area_without_code_changes(tmp_path: Path, data_dir: Path) -> None:
    """Tampere region (employment area 39) configured by a file only."""
    path = _write(
        tmp_path,
        {
            "config_version": "1",
            "key": "tampere",
            "employment_area_code": "39",
            "names": {"fi": "Tampereen seudun työllisyysalue"},
            "responsible_municipality": "837",
            "started_on": "2025-01-01",
            "service_points": [
                {
                    "key": "tre",
                    "municipality": "837",
                    "kind": "office",
                    "name_fi": "Tampere",
                    "name_sv": "Tammerfors",
                }
            ],
        },
    )
    area = load_area(str(path), data_dir=data_dir)
    assert "837" in area.codes  # Tampere
    assert "020" in area.codes  # Akaa
    assert "609" not in area.codes
    assert area.municipalities["837"].name_sv == "Tammerfors"


def test_errors_name_the_file_and_field(tmp_path: Path, data_dir: Path) -> None:
    raw = yaml.safe_load((AREAS_DIR / "satakunta.yaml").read_text(encoding="utf-8"))
    raw["responsible_municipality"] = "837"
    with pytest.raises(AreaConfigError, match=r"responsible_municipality.*837"):
        load_area(str(_write(tmp_path, raw)), data_dir=data_dir)
    raw = yaml.safe_load((AREAS_DIR / "satakunta.yaml").read_text(encoding="utf-8"))
    del raw["service_points"][3]["visit_interval_days"]
    with pytest.raises(AreaConfigError, match="visit_interval_days"):
        load_area(str(_write(tmp_path, raw)), data_dir=data_dir)
    raw = yaml.safe_load((AREAS_DIR / "satakunta.yaml").read_text(encoding="utf-8"))
    raw["strategy"]["indicators"][0]["priorities"] = [9]
    with pytest.raises(AreaConfigError, match="unknown priorities"):
        load_area(str(_write(tmp_path, raw)), data_dir=data_dir)


def test_youth_age_limit_comes_from_the_versioned_rule_only(area, tmp_path: Path, data_dir: Path) -> None:
    """The rule ``young.service_line_age_limit`` is the single source; the area file cannot set it."""
    from alue.area.rules import RuleNotInForceError, load_rules
    from alue.shared.time import today

    rules = load_rules(area.key)
    assert area.file.youth_age_limit == rules.value("young.service_line_age_limit", today()) == 30
    assert area.youth_age_limit == 30
    assert area.youth_age_limit_on(dt.date(2025, 1, 1)) == 30  # Satakunta's version from 1.1.2025
    with pytest.raises(RuleNotInForceError):  # no version before the areas started
        area.youth_age_limit_on(dt.date(2024, 12, 31))
    raw = yaml.safe_load((AREAS_DIR / "satakunta.yaml").read_text(encoding="utf-8"))
    assert "youth_age_limit" not in raw
    raw["youth_age_limit"] = 25
    message = r"youth_age_limit is no longer set in the area file.*young\.service_line_age_limit"
    with pytest.raises(AreaConfigError, match=message):
        load_area(str(_write(tmp_path, raw)), data_dir=data_dir)


def test_an_area_without_its_own_youth_rule_uses_the_national_default(tmp_path: Path, data_dir: Path) -> None:
    raw = yaml.safe_load((AREAS_DIR / "satakunta.yaml").read_text(encoding="utf-8"))
    raw["key"] = "no-rules-of-its-own"
    other = load_area(str(_write(tmp_path, raw)), data_dir=data_dir)
    assert other.file.youth_age_limit == 25  # national.yaml: the platform default
