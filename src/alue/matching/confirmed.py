"""Job titles confirmed by the area's staff (vahvistetut ammattinimikkeet), and the coder that reads them.

A vacancy imported without an ESCO occupation gets the occupation coder's best guess for its title
(:mod:`alue.io.kinds.tmt`), and the guess is wrong for about one title in five. Employer-services staff
correct it on the vacancy's page; with the correction, the title as the area writes it is stored as a
:class:`~alue.matching.models.ConfirmedTitle`. The coder indexes the confirmed titles like ESCO's own
alternative labels (:func:`alue.matching.coder.build_coder`), so the same title is coded right from then
on and similar titles gain from it (``docs/matching.md``, *Confirmed titles*).

The coder is rebuilt when the confirmed titles change: the importers and the command line build it
before they code (:func:`coder_for` with ``wait``, :func:`read_confirmed_titles`); the web application
does not keep a user waiting for a build (about a minute): it builds in the background and meanwhile
codes with the coder it has, a confirmed title as its occupation (:class:`ConfirmedOverlay`). When it
has none yet (a new server, or the first start after an update of the data or the software), it prepares
one as it starts (:func:`serve_without_waiting`) and a page that needs it meanwhile says that it is being
prepared (:class:`CoderNotReady`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from alue.employers.models import OccupationSource
from alue.matching.models import ConfirmedTitle
from alue.matching.text import default_title_noise
from alue.shared.readiness import N_, NotReady

if TYPE_CHECKING:
    from alue.employers.models import Vacancy
    from alue.matching.coder import Candidate, OccupationCoder
    from alue.matching.taxonomy import Taxonomy

_log = logging.getLogger(__name__)


def title_key(title: str) -> str:
    """The key of a title: normalised, without the words that job ads add
    (``Myyjä (osa-aikainen)`` → ``myyjä``); empty when no words are left."""
    return default_title_noise().clean(title)[:200].strip(" ,")


def _confirmed_rows(db: Session) -> list[tuple[str, str, str, str]]:
    """``(title, ESCO URI, key, ISCO-08 group)`` of every confirmed title, oldest first."""
    query = select(
        ConfirmedTitle.title, ConfirmedTitle.esco_uri, ConfirmedTitle.title_key, ConfirmedTitle.isco4
    ).order_by(ConfirmedTitle.id)
    return [(title, uri, key, isco) for title, uri, key, isco in db.execute(query)]


def confirmed_titles(db: Session) -> list[tuple[str, str]]:
    """``(title, ESCO URI)`` of every confirmed title, oldest first."""
    return [(title, uri) for title, uri, _key, _isco in _confirmed_rows(db)]


def listed_titles(db: Session) -> list[ConfirmedTitle]:
    """Every confirmed title as staff read them, by title (page and API)."""
    return list(db.scalars(select(ConfirmedTitle).order_by(ConfirmedTitle.title_key)))


def read_confirmed_titles(database_url: str) -> list[tuple[str, str]]:
    """The confirmed titles in the database at ``database_url``, for the command line.

    An SQLite file that does not exist is not created, and a database that cannot be read (not
    migrated yet, not reachable) gives no titles: the coder then codes with ESCO's labels only, and a
    line on the log says why.
    """
    from sqlalchemy.engine import make_url

    from alue.shared.db import make_engine, redact_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            return []
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            return confirmed_titles(db)
    except SQLAlchemyError as exc:
        _log.warning(
            "confirmed titles not read from %s (%s): coding with ESCO's labels only",
            redact_url(database_url),
            type(exc).__name__,
        )
        return []
    finally:
        engine.dispose()


#: Score of a confirmed title's occupation while the coder that indexes it is being built
#: (:class:`ConfirmedOverlay`); the rest of the list shares what is left.
CONFIRMED_SCORE = 0.9


@dataclass(frozen=True)
class ConfirmedOverlay:
    """A coder built before some titles were confirmed, with those titles on top: a text whose
    :func:`title_key` is confirmed gets its occupation first (score :data:`CONFIRMED_SCORE`), the
    coder's other candidates after it; other texts are coded by the coder alone."""

    base: OccupationCoder
    #: title key → (ESCO URI, ISCO-08 group)
    confirmed: Mapping[str, tuple[str, str]]

    def code_many(self, texts: Sequence[str], *, top: int = 5, lang: str = "fi") -> list[list[Candidate]]:
        from alue.matching.coder import Candidate, lead_with

        coded = self.base.code_many(texts, top=top, lang=lang)
        out: list[list[Candidate]] = []
        for text, candidates in zip(texts, coded, strict=True):
            hit = self.confirmed.get(title_key(text))
            if hit is None:
                out.append(candidates)
                continue
            uri, isco = hit
            first = Candidate(
                uri=uri, isco=isco, label=self.base.occupation_label(uri, lang), score=CONFIRMED_SCORE
            )
            out.append(lead_with([first], candidates, CONFIRMED_SCORE, top))
        return out

    def code(self, text: str, *, top: int = 5, lang: str = "fi") -> list[Candidate]:
        return self.code_many([text], top=top, lang=lang)[0]


#: the coders being built in the background, by their confirmed titles
_BUILDS: dict[tuple[tuple[str, str], ...], threading.Thread] = {}
_BUILDS_LOCK = threading.Lock()
#: background builds that failed, by their confirmed titles: (when to try again, failures in a row)
_FAILED: dict[tuple[tuple[str, str], ...], tuple[float, int]] = {}
#: a failed background build is tried again after this many seconds, doubled after each further
#: failure up to :data:`RETRY_MAX_S` (meanwhile pages keep the coder they have, with the overlay)
RETRY_AFTER_S = 60.0
RETRY_MAX_S = 3600.0


def _may_retry(titles: tuple[tuple[str, str], ...], now: float) -> bool:
    return now >= _FAILED.get(titles, (now, 0))[0]


class CoderNotReady(NotReady):
    """No occupation coder is in memory or in the disk cache yet, and the web application does not wait
    for one to be built (:func:`serve_without_waiting`): it is being built in the background."""

    message = N_(
        "The occupation coder is being prepared after an update of the data or the software. It takes "
        "about a minute or two. Try again shortly."
    )
    failed_message = N_(
        "The occupation coder could not be prepared. It is tried again in a while; if this goes on, tell "
        "the administrator (the server's log says why)."
    )

    def __init__(self, *, failed: bool = False) -> None:
        super().__init__("the occupation coder", retry_after=CODER_RETRY_AFTER_S, failed=failed)


#: ``Retry-After`` of a request that found no coder ready: about the time a build takes
CODER_RETRY_AFTER_S = 60

#: set by :func:`serve_without_waiting` (the web application): a request never waits for a build
_SERVING = threading.Event()


def coder_for(
    db: Session, data_dir: Path | None = None, *, wait: bool = True
) -> OccupationCoder | ConfirmedOverlay:
    """The occupation coder with the confirmed titles of ``db`` indexed (built once per set of titles).

    Without ``wait``, when that coder is not built yet but an earlier one is in memory, the earlier one
    is returned under a :class:`ConfirmedOverlay` and the new one is built on a background thread. In the
    web application (:func:`serve_without_waiting`), without ``wait`` and with no coder at all in memory
    or in the disk cache, the coder is built on a background thread and :class:`CoderNotReady` raised.
    """
    from alue.matching.coder import find_coder, latest_coder, load_coder

    rows = _confirmed_rows(db)
    titles = tuple((title, uri) for title, uri, _key, _isco in rows)
    serving = not wait and _SERVING.is_set()
    # (while a background thread builds or reads this coder, a request does not read the cache as well)
    ready = find_coder(data_dir, local_titles=titles, use_cache=not (serving and _running(titles)))
    if ready is not None:
        return ready
    previous = None if wait else latest_coder(data_dir)
    if previous is None:
        if not serving:
            return load_coder(data_dir, local_titles=titles)
        raise CoderNotReady(failed=_build_in_background(data_dir, titles))
    _build_in_background(data_dir, titles)
    return ConfirmedOverlay(previous, {key: (uri, isco) for _title, uri, key, isco in rows})


def serve_without_waiting(db: Session, data_dir: Path | None = None) -> None:
    """Make this process a server that never waits for a coder to be built (:func:`coder_for` raises
    :class:`CoderNotReady` instead), and prepare the coder of ``db``'s confirmed titles now, on a
    background thread (read from the disk cache, or built when the data or the software changed)."""
    _SERVING.set()
    titles = tuple(confirmed_titles(db))
    _build_in_background(data_dir, titles)


def _running(titles: tuple[tuple[str, str], ...]) -> bool:
    with _BUILDS_LOCK:
        thread = _BUILDS.get(titles)
        return thread is not None and thread.is_alive()


def _build_in_background(data_dir: Path | None, titles: tuple[tuple[str, str], ...]) -> bool:
    """Start building the coder of ``titles`` on a background thread unless one is building it or the last
    build failed a short while ago; True in that last case."""
    with _BUILDS_LOCK:
        for done in [k for k, t in _BUILDS.items() if not t.is_alive() and k != titles]:
            del _BUILDS[done]
        for stale in [k for k in _FAILED if k != titles]:
            del _FAILED[stale]
        running = _BUILDS.get(titles)
        if running is not None and running.is_alive():
            return False
        if not _may_retry(titles, time.monotonic()):
            return True
        thread = threading.Thread(
            target=_build, args=(data_dir, titles), name="alue-coder-build", daemon=True
        )
        _BUILDS[titles] = thread
        thread.start()
        return False


def _build(data_dir: Path | None, titles: Sequence[tuple[str, str]]) -> None:
    from alue.matching.coder import load_coder

    key = tuple(titles)
    try:
        load_coder(data_dir, local_titles=titles)
    except Exception:  # a background thread has no caller to tell: log it, and try again later
        with _BUILDS_LOCK:
            count = _FAILED.get(key, (0.0, 0))[1] + 1
            delay = min(RETRY_AFTER_S * 2 ** (count - 1), RETRY_MAX_S)
            _FAILED[key] = (time.monotonic() + delay, count)
        _log.exception(
            "building the occupation coder with %d confirmed titles failed (%d in a row); tried again "
            "in %.0f s at the earliest",
            len(titles),
            count,
            delay,
        )
    else:
        with _BUILDS_LOCK:
            _FAILED.pop(key, None)


def wait_for_builds(timeout: float | None = None) -> None:
    """Wait for the coders being built in the background (tests, an orderly shutdown)."""
    with _BUILDS_LOCK:
        threads = list(_BUILDS.values())
    for thread in threads:
        thread.join(timeout)


def confirm_title(
    db: Session, *, title: str, uri: str, taxonomy: Taxonomy, user_id: int | None, now: dt.datetime
) -> ConfirmedTitle:
    """Store ``title`` as confirmed to the occupation ``uri``; a title with the same key is replaced.

    Raises ``KeyError`` for an occupation that is not in ``taxonomy`` and ``ValueError`` for a title
    with nothing left after normalisation.
    """
    occupation = taxonomy.occupations[uri]
    key = title_key(title)
    if not key:
        raise ValueError(f"the title {title!r} has no words to confirm")
    values = {
        "title": title.strip()[:200],
        "esco_uri": occupation.uri,
        "esco_version": taxonomy.version,
        "isco4": occupation.isco4,
        "confirmed_by": user_id,
        "confirmed_at": now,
    }
    row = _confirmed(db, key)
    if row is None:
        try:
            with db.begin_nested():  # another user may confirm the same title at the same moment
                row = ConfirmedTitle(title_key=key, **values)
                db.add(row)
            return row
        except IntegrityError:
            row = _confirmed(db, key)
            if row is None:
                raise
    for name, value in values.items():
        setattr(row, name, value)
    db.flush()
    return row


def _confirmed(db: Session, key: str) -> ConfirmedTitle | None:
    return db.scalar(select(ConfirmedTitle).where(ConfirmedTitle.title_key == key))


def set_vacancy_occupation(
    db: Session,
    vacancy: Vacancy,
    uri: str,
    *,
    taxonomy: Taxonomy,
    user_id: int | None,
    remember: bool,
    now: dt.datetime,
) -> ConfirmedTitle | None:
    """Give ``vacancy`` the occupation ``uri``, chosen by staff; with ``remember`` its title is confirmed
    to it too (:func:`confirm_title`). Raises ``KeyError`` for an occupation not in ``taxonomy``."""
    occupation = taxonomy.occupations[uri]
    vacancy.esco_uri = occupation.uri
    vacancy.esco_version = taxonomy.version
    vacancy.isco4 = occupation.isco4
    vacancy.occupation_source = OccupationSource.STAFF.value
    vacancy.occupation_score = None
    confirmed = None
    if remember and title_key(vacancy.title):
        confirmed = confirm_title(
            db, title=vacancy.title, uri=uri, taxonomy=taxonomy, user_id=user_id, now=now
        )
    db.flush()
    return confirmed


def delete_confirmed_title(db: Session, title_id: int) -> ConfirmedTitle | None:
    """Remove a confirmed title (a mistaken confirmation): the removed row, or None if there was none."""
    row = db.get(ConfirmedTitle, title_id)
    if row is not None:
        db.delete(row)
        db.flush()
    return row
