"""Finnish word vectors (floret), read at run time when installed (optional outside knowledge).

The occupation coder's own features count shared letters and words. Word vectors learnt from a large
Finnish corpus add what that corpus knows about words that share neither: ``kokki`` and ``keittäjä``
(cook), ``ohjelmoija`` and ``koodari`` (programmer), ``myyjä`` and ``kauppias`` (salesperson) are close,
``kokki`` and ``hitsaaja`` (welder) are not. The coder's re-ranker uses how close a title is to the
labels of each ISCO group (see ``docs/matching.md``, *Fifteenth round*).

The vectors are the floret table of the Finnish spaCy pipeline ``spacy-fi-experimental-web-md``
(PyPI; MIT licence; trained on the Finnish part of mC4 and on TurkuONE): 50,000 rows of 300 numbers.
Only the table (``vocab/vectors``, a NumPy file) and its settings (``vocab/vectors.cfg``) are read,
so spaCy itself is not needed: ``make install`` installs the package without its dependencies. They
are looked for in ``$ALUE_WORD_VECTORS`` (a directory with those two files; ``none`` turns them off),
else in the installed package. Everything works without them.

floret gives every word a vector, also a word that the corpus never had: the vector is the mean of
the table rows of the word's pieces, the whole word between boundary marks (``<kokki>``) and its
character n-grams of ``minn``–``maxn`` characters (``<kok``, ``kokk``, …, ``kki>``). Each piece is
hashed with 128-bit MurmurHash3 (x64) and the table's seed; the first ``hash_count`` of the hash's four
32-bit parts, each modulo the number of rows, are the piece's rows.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

#: The PyPI package that carries the table (``make install`` installs version 0.15.0, whose layout this
#: module reads).
PACKAGE = "spacy_fi_experimental_web_md"
#: Words kept in each table's memory of word vectors (about 1.2 kB each).
WORD_CACHE = 20_000

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class FloretSettings:
    """How a word is cut into pieces and the pieces hashed into rows (``vectors.cfg``)."""

    minn: int
    maxn: int
    hash_count: int
    hash_seed: int
    bow: str
    eow: str

    @classmethod
    def read(cls, path: Path) -> FloretSettings:
        cfg = json.loads(path.read_text(encoding="utf-8"))
        if cfg.get("mode") != "floret":
            raise ValueError(f"{path}: mode {cfg.get('mode')!r}, expected 'floret'")
        settings = cls(
            minn=int(cfg["minn"]),
            maxn=int(cfg["maxn"]),
            hash_count=int(cfg["hash_count"]),
            hash_seed=int(cfg["hash_seed"]),
            bow=str(cfg["bow"]),
            eow=str(cfg["eow"]),
        )
        if not (1 <= settings.minn <= settings.maxn and 1 <= settings.hash_count <= 4):
            raise ValueError(f"{path}: unusable floret settings {cfg}")
        return settings


class WordVectors:
    """A floret table: the vector of any word, and of a text as the mean of its words' vectors."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.settings = FloretSettings.read(directory / "vectors.cfg")
        table = np.load(directory / "vectors", mmap_mode="r", allow_pickle=False)
        if table.ndim != 2 or table.shape[0] == 0:
            raise ValueError(f"{directory / 'vectors'}: not a table of vectors (shape {table.shape})")
        self.table = table
        self.dims = int(table.shape[1])
        self._cached_word = lru_cache(maxsize=WORD_CACHE)(self._word_vector)

    def pieces(self, word: str) -> list[str]:
        """The word between boundary marks, then its character n-grams, shortest first."""
        s = self.settings
        marked = s.bow + word + s.eow
        grams = [marked[i : i + n] for n in range(s.minn, s.maxn + 1) for i in range(len(marked) - n + 1)]
        return [marked, *grams]

    def rows(self, word: str) -> np.ndarray:
        """The table rows whose mean is the word's vector."""
        import mmh3

        s = self.settings
        out: list[int] = []
        for piece in self.pieces(word):
            low, high = mmh3.hash64(piece.encode("utf-8"), s.hash_seed, x64arch=True, signed=False)
            parts = (low & 0xFFFFFFFF, low >> 32, high & 0xFFFFFFFF, high >> 32)
            out.extend(parts[: s.hash_count])
        return np.asarray(out, dtype=np.int64) % self.table.shape[0]

    def _word_vector(self, word: str) -> np.ndarray:
        vector = np.asarray(self.table[self.rows(word)], dtype=np.float32).mean(axis=0)
        vector.setflags(write=False)
        return vector

    def word_vector(self, word: str) -> np.ndarray:
        """The vector of one word (lower-case, as :func:`alue.matching.text.normalize` gives it)."""
        return self._cached_word(word)

    def text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Texts × dimensions, float32: the mean of each text's word vectors, scaled to length 1.

        Words are runs of letters; a text without any gets a row of zeros.
        """
        words_of = [_WORD.findall(text) for text in texts]
        width = max((len(words) for words in words_of), default=0)
        if width == 0:
            return np.zeros((len(texts), self.dims), dtype=np.float32)
        # Row 0 is zeros, for the places after a text's last word.
        distinct = {
            word: i + 1 for i, word in enumerate(dict.fromkeys(w for words in words_of for w in words))
        }
        table = np.zeros((len(distinct) + 1, self.dims), dtype=np.float32)
        if distinct:
            table[1:] = np.stack([self.word_vector(w) for w in distinct])
        places = np.zeros((len(texts), width), dtype=np.int64)
        for i, words in enumerate(words_of):
            places[i, : len(words)] = [distinct[w] for w in words]
        # A text's words are added in their order, one place at a time: the sum (the mean's direction)
        # is then the same whatever other texts are in the batch.
        out = table[places[:, 0]]
        for place in range(1, width):
            out += table[places[:, place]]
        norms = np.sqrt(np.einsum("ij,ij->i", out, out))[:, None]
        np.divide(out, norms, out=out, where=norms > 0)
        return out


def _usable(directory: Path) -> bool:
    return (directory / "vectors").is_file() and (directory / "vectors.cfg").is_file()


def word_vectors_dir() -> Path | None:
    """Where the table is: ``$ALUE_WORD_VECTORS`` when set (``none`` or empty: nowhere), else the
    installed package's; None when there is none."""
    explicit = os.environ.get("ALUE_WORD_VECTORS")
    if explicit is not None:
        if explicit.strip().lower() in ("", "none", "off"):
            return None
        path = Path(explicit)
        return path if _usable(path) else None
    return _installed_vectors_dir()


@lru_cache(maxsize=1)
def _installed_vectors_dir() -> Path | None:
    """The installed package's table, looked for once per process: the coder's cache key, which every
    request that looks for a coder computes, names its files."""
    # find_spec does not import the package (which would import spaCy)
    spec = importlib.util.find_spec(PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        for candidate in sorted(Path(location).glob("fi_experimental_web_md-*/vocab")):
            if _usable(candidate):
                return candidate
    return None


def vectors_files(directory: Path | None = None) -> list[Path]:
    """The files of the table in use (part of the coder's cache key); empty when there is none."""
    directory = word_vectors_dir() if directory is None else directory
    return [] if directory is None else [directory / "vectors", directory / "vectors.cfg"]


@lru_cache(maxsize=4)
def load_word_vectors(directory: Path) -> WordVectors:
    """The table in ``directory``, read once per process (memory-mapped: its pages are shared)."""
    return WordVectors(directory)
