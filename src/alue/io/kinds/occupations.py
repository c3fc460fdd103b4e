"""A vacancy's occupation on import: named in the file, or coded from the title.

Shared by the vacancy imports (``vacancies`` from a table, ``tmt-job-ads`` from the national platform's
JSON). The taxonomy and the coder are imported lazily: an import that names every occupation by ISCO
group alone needs neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alue.employers.models import OccupationSource
from alue.io.messages import Localised
from alue.shared.i18n import LANGUAGES

if TYPE_CHECKING:
    from alue.matching.coder import Candidate
    from alue.matching.taxonomy import Occupation, Taxonomy

#: The coder's codings with a lower certainty are the ones for staff to review first (the vacancy list's
#: filter "the occupation coder, certainty under 50 %").
UNCERTAIN_BELOW = 0.5

#: A vacancy's occupation fields, which an import leaves alone once staff have corrected them.
OCCUPATION_FIELDS = ("esco_uri", "esco_version", "isco4", "occupation_source", "occupation_score")


def taxonomy() -> Taxonomy:
    """The ESCO taxonomy of the configured data directory (read once per process)."""
    from alue.matching.taxonomy import load_taxonomy

    return load_taxonomy()


def occupation_label(occupation: Occupation) -> Localised:
    """An ESCO occupation's label for a message: Finnish in the English text, else the message's language."""
    return Localised({lang: occupation.label(lang) for lang in LANGUAGES}, occupation.label("fi"))


def code_titles(session: Session, titles: Sequence[str]) -> list[Candidate | None]:
    """The coder's best occupation for each title (``None`` when it finds none), with the titles the
    area's staff have confirmed (:func:`alue.matching.confirmed.coder_for`).

    A process that already has a coder in memory (the web app) does not wait for the coder with newly
    confirmed titles to be built: it codes with the one it has and the confirmed titles on top, as the
    pages do, while the new one is built in the background."""
    from alue.matching.confirmed import coder_for

    if not titles:
        return []
    found = coder_for(session, wait=False).code_many(list(titles), top=1)
    return [candidates[0] if candidates else None for candidates in found]


def coded_fields(candidate: Candidate, version: str) -> dict[str, Any]:
    """Occupation fields of a vacancy coded by the coder (marked as its choice, with its certainty)."""
    return {
        "esco_uri": candidate.uri,
        "esco_version": version,
        "isco4": candidate.isco,
        "occupation_source": OccupationSource.CODER.value,
        "occupation_score": round(candidate.score, 4),
    }


def named_fields(uri: str | None, version: str | None, isco4: str) -> dict[str, Any]:
    """Occupation fields of a vacancy whose occupation the ad or the file names."""
    return {
        "esco_uri": uri,
        "esco_version": version if uri else None,
        "isco4": isco4,
        "occupation_source": OccupationSource.EMPLOYER.value,
        "occupation_score": None,
    }
