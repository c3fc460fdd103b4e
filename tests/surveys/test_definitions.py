from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from alue.area.config import Area
from alue.surveys.definitions import DEFINITIONS_DIR, DefinitionError, load_definitions
from alue.surveys.models import SurveyKind

SCALE_OF_INDICATOR = {(1.0, 5.0): "1-5", (4.0, 10.0): "4-10"}


def test_every_kind_has_a_current_definition_in_three_languages() -> None:
    defs = load_definitions()
    for kind in SurveyKind:
        definition = defs.current(kind)
        for text in [definition.title, definition.intro, *(q.text for q in definition.questions)]:
            assert text.fi
            assert text.sv
            assert text.en
            assert text.fi != text.sv


def test_questions_feed_the_area_indicators_on_their_scales(area: Area) -> None:
    indicators = {i.id: i for i in area.file.strategy.indicators}
    defs = load_definitions()
    fed = {}
    for definition in defs:
        for q in definition.questions:
            if q.indicator:
                assert q.indicator in indicators, q.indicator
                fed[q.indicator] = q.scale
                indicator = indicators[q.indicator]
                if indicator.unit == "mean":
                    assert SCALE_OF_INDICATOR[tuple(map(float, indicator.scale))] == q.scale
                else:
                    assert indicator.unit == "percent"
                    assert q.scale == "yes_no"
    assert set(fed) == {
        "accessibility",
        "customer_experience",
        "vitality_barometer",
        "staff_experience",
        "partnership_rate",
    }


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "defs"
    shutil.copytree(DEFINITIONS_DIR, target)
    return target


def test_a_changed_question_under_the_same_version_is_refused(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    v1 = yaml.safe_load((target / "customer" / "v1.yaml").read_text())
    v1["version"] = 2
    v1["questions"][0]["text"]["fi"] = "Sain palvelua helposti."
    (target / "customer" / "v2.yaml").write_text(yaml.safe_dump(v1, allow_unicode=True))
    with pytest.raises(DefinitionError, match="needs a new version"):
        load_definitions(target)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][0]["text"].pop("sv"), "sv"),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "repeat"),
        (lambda d: d["questions"][0].update(scale="1-7"), "scale"),
        (lambda d: d.update(version=3), "match the folder"),
        (lambda d: d["questions"][-1].update(indicator="accessibility"), "free-text"),
    ],
)
def test_invalid_definitions_name_the_file(tmp_path: Path, change, message: str) -> None:
    target = _copy(tmp_path)
    path = target / "customer" / "v1.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(DefinitionError, match=message) as err:
        load_definitions(target)
    assert "v1.yaml" in str(err.value)
