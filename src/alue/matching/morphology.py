"""Finnish morphology from Voikko, read at run time when installed (optional outside knowledge).

The lexicon of :mod:`alue.matching.text` lemmatises and splits words by the vocabulary of ESCO's
labels: an ending is stripped only when what is left is a known word, and a compound is cut only at a
known head. A word the labels do not have keeps its inflected form: ``laitteiden`` (of devices) in
``mittauslaitteiden tarkastaja``, ``läänin`` (of a province) in ``lääninjohtaja``, ``hankkeen`` in
``hankkeen valvoja``, the plural ``farmarit``. Voikko, the free Finnish morphological analyser, knows
the Finnish lexicon itself: it gives those words' base forms (``laite``, ``lääni``, ``hanke``,
``farmari``) and cuts compounds whose head the labels do not have. The lexicon asks it only about the
words it does not know; known words are read as before.

The analyser is ``pyvoikko`` (PyPI; GPL-3.0; Voikko's Finnish transducer ``voikko-fi`` compiled into
a file of the package) with the ``kfst`` transducer library and its compiled lookups ``kfst-rs``
(LGPL-3.0): it installs with pip, needs no system library and reads no network. Loading the
transducer takes about half a second, done once per process on the first word asked; a word takes
about 0.15 ms, and each is asked once (cached). Everything works without it: the lexicon then reads
unknown words as it always did. The coder uses it only with ``CoderParams(morphology=True)`` (off until
its figures are settled).

See ``docs/matching.md`` (*Nineteenth round*) and ``docs/decisions/0007-voikko-morphology.md``.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The PyPI package that carries the analyser (``pyproject.toml`` pins the version whose analyses this
#: module reads).
PACKAGE = "pyvoikko"
#: The transducer file inside the package.
TRANSDUCER = "voikko.kfst"
#: Words whose readings are kept in memory (each a few hundred bytes).
WORD_CACHE = 200_000
#: Shortest compound part taken from Voikko's analysis (shorter parts are linking letters or noise).
MIN_PART = 3


@dataclass(frozen=True)
class Reading:
    """Voikko's reading of one word: its base form (None when it is not one word of letters) and, for
    a compound, its parts as written."""

    base: str | None
    parts: tuple[str, ...]


@lru_cache(maxsize=1)
def transducer_path() -> Path | None:
    """The installed transducer file, or None when the package is not installed; looked up once per
    process (the coder's cache key, which every request that looks for a coder computes, names it). The
    package is not imported: the import loads the transducer."""
    spec = importlib.util.find_spec(PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / TRANSDUCER
        if path.is_file():
            return path
    return None


def available() -> bool:
    """Whether the analyser is installed."""
    return transducer_path() is not None


def morphology_files() -> list[Path]:
    """The files whose content the coder's readings depend on (part of the coder's cache key)."""
    path = transducer_path()
    return [] if path is None else [path]


@lru_cache(maxsize=1)
def _analyser() -> Any:
    import pyvoikko

    return pyvoikko


@lru_cache(maxsize=WORD_CACHE)
def reading(word: str) -> Reading | None:
    """Voikko's reading of a lower-case word of letters (None: not a Finnish word it knows).

    Of several readings the first noun's is taken (titles name people), else the first. The base form
    loses Voikko's compound marks (``työhön=ottaja`` → ``työhönottaja``); the parts are kept only when
    they spell the word and each has at least :data:`MIN_PART` letters.
    """
    if not word.isalpha() or not available():
        return None
    try:
        analyses = _analyser().analyse(word)
    except Exception:  # an analyser failure on one word must not stop coding
        log.warning("Voikko could not analyse %r", word, exc_info=True)
        return None
    if not analyses:
        return None
    chosen = next((a for a in analyses if a.CLASS == "nimisana"), analyses[0])
    base = (chosen.BASEFORM or "").replace("=", "").lower()
    parts = tuple((p.FORM or "").lower() for p in (chosen.COMPOUND_PARTS or ()))
    if len(parts) < 2 or "".join(parts) != word or min(len(p) for p in parts) < MIN_PART:
        parts = ()
    return Reading(base=base if base.isalpha() else None, parts=parts)
