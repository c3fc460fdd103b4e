"""Degree titles (tutkintonimikkeet) read as the occupations the degree prepares for.

Jobseekers and job ads often give a degree where an occupation is asked: ``Merkonomi``, ``Tradenomi
(AMK)``, ``KTM``. ESCO has none of these titles, so the coder alone reads them by their letters. The
table ``degree_titles.yaml`` beside this module lists the titles with their degree, the act that
defines them and the occupations (ESCO preferred labels in Finnish) of the work they prepare for; the
coder (:meth:`alue.matching.coder.OccupationCoder.code_many`) codes such a title as those occupations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alue.matching.text import normalize, read_rule_file

#: where a degree title is defined (explained in ``degree_titles.yaml``)
SOURCES = ("vocational", "AMK", "university")
_FIELDS = ("degree", "source", "occupations")


@dataclass(frozen=True)
class DegreeTitle:
    #: the title as the coder reads it (normalised: ``kauppatieteiden maisteri``)
    title: str
    #: the degree it is the title of (``liiketalouden perustutkinto``)
    degree: str
    #: one of :data:`SOURCES`
    source: str
    #: Finnish preferred labels of ESCO occupations, the commonest work first
    occupations: tuple[str, ...]


def degree_titles_from_mapping(data: Mapping[str, Any]) -> dict[str, DegreeTitle]:
    """The titles of ``{"fi": {title: {degree, source, occupations}}, "sv": {…}}``, by normalised title.

    Raises ``ValueError`` naming the title and the field of a malformed entry.
    """
    out: dict[str, DegreeTitle] = {}
    for language, section in data.items():
        if not isinstance(section, Mapping):
            raise ValueError(f"degree titles: section {language!r} is not a mapping of titles")
        for raw_title, entry in section.items():
            where = f"degree title {raw_title!r} ({language})"
            title = normalize(str(raw_title))
            if not title:
                raise ValueError(f"{where}: the title is empty")
            if title in out:
                raise ValueError(f"{where}: listed twice")
            if not isinstance(entry, Mapping):
                raise ValueError(f"{where}: expected the fields {', '.join(_FIELDS)}")
            unknown = sorted(set(entry) - set(_FIELDS))
            if unknown:
                raise ValueError(f"{where}: unknown field {unknown[0]!r}")
            missing = [f for f in _FIELDS if f not in entry]
            if missing:
                raise ValueError(f"{where}: field {missing[0]!r} is missing")
            if entry["source"] not in SOURCES:
                raise ValueError(f"{where}: field 'source' must be one of {', '.join(SOURCES)}")
            occupations = entry["occupations"]
            if (
                not isinstance(occupations, list)
                or not occupations
                or not all(isinstance(o, str) and o.strip() for o in occupations)
            ):
                raise ValueError(f"{where}: field 'occupations' must be a non-empty list of labels")
            if len(set(occupations)) != len(occupations):
                raise ValueError(f"{where}: field 'occupations' names an occupation twice")
            out[title] = DegreeTitle(
                title=title,
                degree=str(entry["degree"]),
                source=str(entry["source"]),
                occupations=tuple(o.strip() for o in occupations),
            )
    return out


@cache
def default_degree_titles() -> dict[str, DegreeTitle]:
    """The titles of ``degree_titles.yaml`` shipped with the package."""
    return degree_titles_from_mapping(read_rule_file(Path(__file__).with_name("degree_titles.yaml")) or {})
