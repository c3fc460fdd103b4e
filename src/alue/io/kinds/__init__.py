"""The import/export kinds, in the order a full load imports them (references point backwards)."""

from __future__ import annotations

from alue.io.kinds.base import Kind
from alue.io.kinds.employers import EmployersKind, VacanciesKind
from alue.io.kinds.people import EpisodesKind, PersonsKind, SpellsKind
from alue.io.kinds.services import ParticipationsKind, PartnersKind, ServicesKind
from alue.io.kinds.tmt import TMT_KINDS
from alue.io.messages import Message, quote

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


#: import-only kinds of other file formats (JSON of the national job-market platform): ``alue import`` takes
#: them, exports and the CSV round trip do not
FORMAT_KINDS: dict[str, Kind] = dict(TMT_KINDS)


def get_kind(name: str) -> Kind:
    try:
        return KINDS.get(name) or FORMAT_KINDS[name]
    except KeyError:
        choices = ", ".join([*KINDS, *FORMAT_KINDS])
        raise ValueError(
            Message("unknown kind %(kind)s; choose one of: %(choices)s", kind=quote(name), choices=choices)
        ) from None


__all__ = ["FORMAT_KINDS", "KINDS", "Kind", "get_kind"]
