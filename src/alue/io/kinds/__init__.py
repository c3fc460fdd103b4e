"""The import/export kinds, in the order a full load imports them (references point backwards)."""

from __future__ import annotations

from alue.io.kinds.base import Kind
from alue.io.kinds.employers import EmployersKind, VacanciesKind
from alue.io.kinds.people import EpisodesKind, PersonsKind, SpellsKind
from alue.io.kinds.services import ParticipationsKind, PartnersKind, ServicesKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        PersonsKind(),
        PartnersKind(),
        EmployersKind(),
        ServicesKind(),
        VacanciesKind(),
        SpellsKind(),
        EpisodesKind(),
        ParticipationsKind(),
    )
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind {name!r}; choose one of: {', '.join(KINDS)}") from None


__all__ = ["KINDS", "Kind", "get_kind"]
