"""The ESCO taxonomy: occupations, ISCO-08 groups and skills, loaded from the public data directory.

ESCO (European Skills, Competences, Qualifications and Occupations) is the EU's multilingual
classification of occupations and skills; each ESCO occupation sits under one ISCO-08 unit group
(4 digits), the classification that Finnish statistics use as *Ammattiluokitus 2010*
(ammattiluokitus — occupational classification). Matching (R-G1, R-G2) codes free-text job titles
into ESCO occupations and ISCO groups.

Two input formats are accepted, and merged when both are present:

* ``esco/occupations.json`` and ``esco/skills.json``: one object per concept with ``uri``,
  ``notation``, ``prefLabel`` (``{"fi": …, "sv": …, "en": …}``) and ``broader``. ISCO groups have URIs
  ``…/esco/isco/C<code>``.
* The official ESCO CSV download: ``occupations_<lang>.csv`` (``conceptUri``, ``iscoGroup``,
  ``preferredLabel``, ``altLabels`` and ``hiddenLabels`` newline-separated, ``description``, ``code``),
  ``ISCOGroups_<lang>.csv``, ``skills_<lang>.csv`` and ``occupationSkillRelations*.csv``
  (``occupationUri``, ``relationType``, ``skillType``, ``skillUri``). The CSV files may sit in
  ``esco/`` or directly in the data directory.

The ESCO version is read from an ``esco/VERSION`` file or a ``v1.2.0``-like part of the folder name,
and defaults to :data:`DEFAULT_ESCO_VERSION`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: Version of the ESCO files shipped as the public development data.
DEFAULT_ESCO_VERSION = "1.1.1"
#: Languages whose labels the platform uses.
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")

_ISCO_URI = re.compile(r"/isco/C(\d{1,4})$")
_VERSION_IN_NAME = re.compile(r"v(\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)
_CSV_LANG = re.compile(r"^occupations_([a-z]{2,3})\.csv$", re.IGNORECASE)


@dataclass(frozen=True)
class Occupation:
    """One ESCO occupation.

    ``labels`` maps a language to the preferred label, ``alt_labels`` a language to the alternative
    labels. ``hidden_labels`` holds ESCO's search-only labels (old spellings, slang); they are never
    shown, only matched.
    """

    uri: str
    isco4: str
    code: str | None
    labels: dict[str, str]
    alt_labels: dict[str, tuple[str, ...]]
    description_fi: str | None
    hidden_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, lang: str = "fi") -> str:
        """The preferred label in ``lang``, falling back to Finnish, English, then any language."""
        for candidate in (lang, "fi", "en", *self.labels):
            if self.labels.get(candidate):
                return self.labels[candidate]
        return self.uri


@dataclass(frozen=True)
class IscoGroup:
    """An ISCO-08 group: level 1 (major group, 1 digit) to level 4 (unit group, 4 digits)."""

    code: str
    level: int
    labels: dict[str, str]
    parent: str | None


@dataclass(frozen=True)
class Skill:
    """An ESCO skill or knowledge concept."""

    uri: str
    labels: dict[str, str]


@dataclass
class Taxonomy:
    """The loaded ESCO classification."""

    version: str
    occupations: dict[str, Occupation]
    isco_groups: dict[str, IscoGroup]
    skills: dict[str, Skill]
    #: Occupation URI → skill URIs, essential skills first; empty when no relations file is present.
    occupation_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Occupation URI → essential skill URIs only (a subset of ``occupation_skills``).
    essential_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def occupations_in_isco(self, code: str) -> list[Occupation]:
        """Occupations under an ISCO group of any level (``"7"``, ``"72"``, ``"721"``, ``"7212"``)."""
        code = code.strip()
        found = [occ for occ in self.occupations.values() if occ.isco4.startswith(code)]
        return sorted(found, key=lambda occ: (occ.code or occ.isco4, occ.uri))

    def isco_label(self, code: str, lang: str = "fi") -> str:
        """The name of an ISCO group in ``lang`` (falls back to Finnish, then English).

        Raises ``KeyError`` for a code that is not in the classification.
        """
        group = self.isco_groups[code.strip()]
        for candidate in (lang, "fi", "en"):
            if group.labels.get(candidate):
                return group.labels[candidate]
        return code


def _split_multiline(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    seen: dict[str, None] = {}
    for part in value.replace("\r", "\n").split("\n"):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return tuple(seen)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _candidate_dirs(data_dir: Path) -> list[Path]:
    return [d for d in (data_dir / "esco", data_dir) if d.is_dir()]


def _find_files(data_dir: Path, pattern: str) -> list[Path]:
    found: list[Path] = []
    for directory in _candidate_dirs(data_dir):
        found.extend(sorted(directory.glob(pattern)))
    return found


def detect_version(data_dir: Path) -> str:
    """The ESCO version of the files in ``data_dir`` (see the module docstring)."""
    for directory in _candidate_dirs(data_dir):
        version_file = directory / "VERSION"
        if version_file.is_file():
            text = version_file.read_text(encoding="utf-8").strip().lstrip("vV")
            if text:
                return text
    for part in reversed(data_dir.resolve().parts):
        match = _VERSION_IN_NAME.search(part)
        if match:
            return match.group(1)
    return DEFAULT_ESCO_VERSION


def _isco_code_from_uri(uri: str) -> str | None:
    match = _ISCO_URI.search(uri)
    return match.group(1) if match else None


class _Builder:
    """Accumulates concepts from several files before freezing them into dataclasses."""

    def __init__(self) -> None:
        self.occ: dict[str, dict[str, object]] = {}
        self.isco: dict[str, dict[str, object]] = {}
        self.skills: dict[str, dict[str, str]] = {}
        self.relations: dict[str, dict[str, list[str]]] = {}

    def occupation(self, uri: str) -> dict[str, object]:
        return self.occ.setdefault(
            uri,
            {"isco4": None, "code": None, "labels": {}, "alt": {}, "hidden": {}, "description_fi": None},
        )

    def isco_group(self, code: str) -> dict[str, object]:
        return self.isco.setdefault(code, {"labels": {}, "parent": None})


def _load_json_occupations(builder: _Builder, path: Path) -> None:
    items = json.loads(path.read_text(encoding="utf-8"))
    # First pass: ISCO groups, and each concept's ISCO code or notation, to resolve ``broader``.
    for item in items:
        code = _isco_code_from_uri(item["uri"])
        if code is None:
            continue
        group = builder.isco_group(code)
        group["labels"].update({k: v for k, v in (item.get("prefLabel") or {}).items() if v})  # type: ignore[attr-defined]
        parents = [p for p in (_isco_code_from_uri(b) for b in item.get("broader") or []) if p]
        group["parent"] = parents[0] if parents else (code[:-1] or None) if len(code) > 1 else None
    for item in items:
        uri = item["uri"]
        if _isco_code_from_uri(uri) is not None or "/occupation/" not in uri:
            continue
        occ = builder.occupation(uri)
        notation = (item.get("notation") or "").strip()
        if notation:
            occ["code"] = notation
            occ["isco4"] = notation.split(".")[0]
        for broader in item.get("broader") or []:
            isco = _isco_code_from_uri(broader)
            if isco and len(isco) == 4:
                occ["isco4"] = isco
        occ["labels"].update({k: v.strip() for k, v in (item.get("prefLabel") or {}).items() if v})  # type: ignore[attr-defined]


def _load_csv_occupations(builder: _Builder, path: Path, lang: str) -> None:
    for row in _read_csv(path):
        uri = (row.get("conceptUri") or "").strip()
        if not uri or (row.get("conceptType") or "Occupation") != "Occupation":
            continue
        occ = builder.occupation(uri)
        isco = (row.get("iscoGroup") or "").strip()
        if isco:
            occ["isco4"] = isco
        code = (row.get("code") or "").strip()
        if code:
            occ["code"] = code
            if not occ["isco4"]:
                occ["isco4"] = code.split(".")[0]
        preferred = (row.get("preferredLabel") or "").strip()
        if preferred:
            occ["labels"][lang] = preferred  # type: ignore[index]
        alt = _split_multiline(row.get("altLabels"))
        if alt:
            occ["alt"][lang] = alt  # type: ignore[index]
        hidden = _split_multiline(row.get("hiddenLabels"))
        if hidden:
            occ["hidden"][lang] = hidden  # type: ignore[index]
        description = (row.get("description") or "").strip()
        if lang == "fi" and description:
            occ["description_fi"] = description


def _load_csv_isco_groups(builder: _Builder, path: Path, lang: str) -> None:
    for row in _read_csv(path):
        code = (row.get("code") or "").strip() or _isco_code_from_uri(row.get("conceptUri") or "") or ""
        if not code.isdigit() or not 1 <= len(code) <= 4:
            continue
        group = builder.isco_group(code)
        label = (row.get("preferredLabel") or "").strip()
        if label:
            group["labels"][lang] = label  # type: ignore[index]
        if group["parent"] is None and len(code) > 1:
            group["parent"] = code[:-1]


def _load_skills_json(builder: _Builder, path: Path) -> None:
    for item in json.loads(path.read_text(encoding="utf-8")):
        labels = builder.skills.setdefault(item["uri"], {})
        labels.update({k: v.strip() for k, v in (item.get("prefLabel") or {}).items() if v})


def _load_skills_csv(builder: _Builder, path: Path, lang: str) -> None:
    for row in _read_csv(path):
        uri = (row.get("conceptUri") or "").strip()
        label = (row.get("preferredLabel") or "").strip()
        if uri and label:
            builder.skills.setdefault(uri, {})[lang] = label


def _load_relations(builder: _Builder, path: Path) -> None:
    for row in _read_csv(path):
        occ_uri = (row.get("occupationUri") or "").strip()
        skill_uri = (row.get("skillUri") or "").strip()
        if not occ_uri or not skill_uri:
            continue
        kind = (row.get("relationType") or "optional").strip().lower()
        per_kind = builder.relations.setdefault(occ_uri, {"essential": [], "optional": []})
        per_kind["essential" if kind == "essential" else "optional"].append(skill_uri)


def _lang_of(path: Path, prefix: str) -> str | None:
    match = re.match(rf"^{prefix}_([a-z]{{2,3}})\.csv$", path.name, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _dedup(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def build_taxonomy(data_dir: Path, *, version: str | None = None) -> Taxonomy:
    """Read the ESCO files in ``data_dir`` (uncached; most callers want :func:`load_taxonomy`)."""
    builder = _Builder()
    for path in _find_files(data_dir, "occupations.json"):
        _load_json_occupations(builder, path)
    for path in _find_files(data_dir, "ISCOGroups_*.csv"):
        lang = _lang_of(path, "ISCOGroups")
        if lang:
            _load_csv_isco_groups(builder, path, lang)
    for path in _find_files(data_dir, "occupations_*.csv"):
        match = _CSV_LANG.match(path.name)
        if match:
            _load_csv_occupations(builder, path, match.group(1).lower())
    for path in _find_files(data_dir, "skills.json"):
        _load_skills_json(builder, path)
    for path in _find_files(data_dir, "skills_*.csv"):
        lang = _lang_of(path, "skills")
        if lang:
            _load_skills_csv(builder, path, lang)
    for path in _find_files(data_dir, "occupationSkillRelations*.csv"):
        _load_relations(builder, path)

    if not builder.occ:
        raise FileNotFoundError(
            f"no ESCO occupation files (occupations.json, occupations_fi.csv) in {data_dir}"
        )

    occupations: dict[str, Occupation] = {}
    for uri, raw in sorted(builder.occ.items()):
        isco4 = raw["isco4"]
        if not isinstance(isco4, str) or not isco4:
            continue  # an occupation without an ISCO group cannot be coded
        occupations[uri] = Occupation(
            uri=uri,
            isco4=isco4,
            code=raw["code"] if isinstance(raw["code"], str) else None,
            labels=dict(raw["labels"]),  # type: ignore[call-overload]
            alt_labels=dict(raw["alt"]),  # type: ignore[call-overload]
            description_fi=raw["description_fi"] if isinstance(raw["description_fi"], str) else None,
            hidden_labels=dict(raw["hidden"]),  # type: ignore[call-overload]
        )
    isco_groups = {
        code: IscoGroup(code=code, level=len(code), labels=dict(raw["labels"]), parent=raw["parent"])  # type: ignore[call-overload, arg-type]
        for code, raw in sorted(builder.isco.items())
    }
    skills = {uri: Skill(uri=uri, labels=dict(labels)) for uri, labels in sorted(builder.skills.items())}
    occupation_skills = {
        uri: _dedup([*kinds["essential"], *kinds["optional"]]) for uri, kinds in builder.relations.items()
    }
    essential = {uri: _dedup(kinds["essential"]) for uri, kinds in builder.relations.items()}
    return Taxonomy(
        version=version or detect_version(data_dir),
        occupations=occupations,
        isco_groups=isco_groups,
        skills=skills,
        occupation_skills=occupation_skills,
        essential_skills=essential,
    )


@lru_cache(maxsize=4)
def _cached(data_dir: Path, version: str | None) -> Taxonomy:
    return build_taxonomy(data_dir, version=version)


def load_taxonomy(data_dir: Path | None = None, *, version: str | None = None) -> Taxonomy:
    """The ESCO taxonomy in ``data_dir`` (default: the configured data directory), cached per directory.

    The result is shared between callers: treat it as read-only.
    """
    if data_dir is None:
        from alue.settings import get_settings

        data_dir = get_settings().data_dir
    return _cached(Path(data_dir).resolve(), version)


def data_files(data_dir: Path) -> list[Path]:
    """The ESCO files in ``data_dir`` that :func:`build_taxonomy` reads (for cache keys)."""
    patterns = (
        "occupations.json",
        "occupations_*.csv",
        "ISCOGroups_*.csv",
        "skills.json",
        "skills_*.csv",
        "occupationSkillRelations*.csv",
    )
    return sorted({path for pattern in patterns for path in _find_files(data_dir, pattern)})
