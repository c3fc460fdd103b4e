"""Survey definitions as data: ``definitions/<kind>/v<N>.yaml``, validated on load.

A survey *kind* (customer, staff, vitality, partnership) has numbered versions; the highest is the one new
links open. Every question has an ``id`` and a ``version``: a question whose wording, scale or indicator
changes gets a new version (or a new id), and so starts a new series — results are computed per
``(question id, question version)`` and never mix two versions of a changed question. A question that is
unchanged may appear in several survey versions under the same id and version; the loader refuses two
different texts under the same ``(id, version)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from alue.surveys.models import SurveyKind

DEFINITIONS_DIR = Path(__file__).with_name("definitions")
LANGUAGES = ("fi", "sv", "en")
_FILE = re.compile(r"^v(\d+)\.yaml$")

Scale = Literal["1-5", "4-10", "yes_no", "text"]

#: the values each scale accepts (yes = 1, no = 0)
SCALE_VALUES: dict[str, tuple[int, ...]] = {
    "1-5": (1, 2, 3, 4, 5),
    "4-10": (4, 5, 6, 7, 8, 9, 10),
    "yes_no": (1, 0),
}
#: longest free-text answer kept
MAX_TEXT = 2000


class DefinitionError(ValueError):
    """A definition file is invalid; the message names the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in all three languages of the service (R-A4)."""

    fi: str = Field(min_length=1)
    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return str(getattr(self, lang)) if lang in LANGUAGES else self.fi


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    version: int = Field(ge=1)
    scale: Scale
    text: Text
    #: the strategy indicator (``area`` configuration id) this question feeds, if any
    indicator: str | None = None
    required: bool = False

    @property
    def series(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def values(self) -> tuple[int, ...]:
        return SCALE_VALUES.get(self.scale, ())

    @model_validator(mode="after")
    def _text_feeds_nothing(self) -> Question:
        if self.scale == "text" and self.indicator:
            raise ValueError(f"free-text question {self.id!r} cannot feed an indicator")
        return self


class ScaleLabels(_Strict):
    """Words for the ends of a scale (1–5, 4–10) or for both answers (yes/no)."""

    low: Text
    high: Text


class SurveyDefinition(_Strict):
    kind: SurveyKind
    version: int = Field(ge=1)
    title: Text
    intro: Text
    #: days a link of this survey stays valid after it is issued
    link_valid_days: int = Field(ge=1, le=180)
    scales: dict[str, ScaleLabels]
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SurveyDefinition:
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.kind} v{self.version}: question ids repeat")
        for q in self.questions:
            if q.scale != "text" and q.scale not in self.scales:
                raise ValueError(f"{self.kind} v{self.version}: no labels for scale {q.scale!r}")
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def indicator_questions(self, indicator_id: str) -> list[Question]:
        return [q for q in self.questions if q.indicator == indicator_id]

    @property
    def indicators(self) -> list[str]:
        return sorted({q.indicator for q in self.questions if q.indicator})


@dataclass(frozen=True)
class Definitions:
    """Every version of every survey kind."""

    surveys: dict[tuple[SurveyKind, int], SurveyDefinition]

    def current(self, kind: SurveyKind | str) -> SurveyDefinition:
        kind = SurveyKind(kind)
        versions = [v for (k, v) in self.surveys if k == kind]
        if not versions:
            raise KeyError(f"no definition for survey {kind}")
        return self.surveys[(kind, max(versions))]

    def get(self, kind: SurveyKind | str, version: int) -> SurveyDefinition:
        return self.surveys[(SurveyKind(kind), version)]

    def __iter__(self) -> Iterator[SurveyDefinition]:
        return iter(self.surveys[key] for key in sorted(self.surveys))

    def kinds_feeding(self, indicator_id: str) -> list[SurveyKind]:
        return sorted({d.kind for d in self if d.indicator_questions(indicator_id)})

    def question_versions(self) -> dict[tuple[str, int], Question]:
        return {(q.id, q.version): q for d in self for q in d.questions}


def load_definitions(directory: Path | None = None) -> Definitions:
    directory = directory or DEFINITIONS_DIR
    if directory == DEFINITIONS_DIR:
        return _load_default()
    return _load(directory)


@lru_cache(maxsize=1)
def _load_default() -> Definitions:
    return _load(DEFINITIONS_DIR)


def _load(directory: Path) -> Definitions:
    surveys: dict[tuple[SurveyKind, int], SurveyDefinition] = {}
    seen: dict[tuple[str, int], tuple[Question, Path]] = {}
    for path in sorted(directory.glob("*/v*.yaml")):
        match = _FILE.match(path.name)
        if not match:
            raise DefinitionError(f"{path}: name a definition file v<number>.yaml")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            definition = SurveyDefinition.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as exc:
            raise DefinitionError(f"{path}: {exc}") from exc
        if definition.kind.value != path.parent.name or definition.version != int(match.group(1)):
            raise DefinitionError(f"{path}: kind and version must match the folder and file name")
        for q in definition.questions:
            earlier = seen.get((q.id, q.version))
            if earlier is not None and earlier[0] != q:
                raise DefinitionError(
                    f"{path}: question {q.id!r} version {q.version} differs from {earlier[1]}; "
                    "a changed question needs a new version"
                )
            seen[(q.id, q.version)] = (q, path)
        surveys[(definition.kind, definition.version)] = definition
    if not surveys:
        raise DefinitionError(f"{directory}: no survey definitions")
    return Definitions(surveys)
