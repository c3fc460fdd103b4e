"""FreeDict dictionaries in the dictd format, read at run time (optional outside knowledge).

The occupation coder can expand a title's unknown words with a bilingual dictionary: FreeDict's
Finnish–English dictionary (``freedict-fin-eng``, built by WikDict from Wiktionary; CC-BY-SA 3.0;
Debian package ``dict-freedict-fin-eng``) gives each Finnish headword its English glosses and a
Finnish definition::

    mykologi /mˈykolˌoɡɪ/ <n>
    mycologist
    sienitieteen eli mykologian tutkija, sienitieteilijä

FreeDict's dictionaries *into* Finnish (:data:`INTO_FINNISH`, e.g. ``dict-freedict-eng-fin``) have the
same layout the other way round: each sense lists the Finnish words for one foreign word, which makes
them near-synonyms of each other (see :func:`thesaurus_table`)::

    journalist //ˈd͡ʒɜːnəlɪst// <n>
    1. toimittaja, lehtimies, journalisti
    one whose occupation or profession is journalism

The dictionaries are not part of the project: they are read from ``$ALUE_DICTIONARY_DIR`` (default
``/usr/share/dictd``) when they are there, and everything works without them.

The dictd format is a plain-text index, one ``headword<TAB>offset<TAB>length`` line per entry with
the offset and length in base 64 (``A–Z a–z 0–9 + /``), and the entries' text, plain (``.dict``) or
gzip/dictzip-compressed (``.dict.dz``); offsets count bytes of the uncompressed text.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alue.matching.text import normalize

#: Where the dictionary is looked for when ``$ALUE_DICTIONARY_DIR`` is not set.
DEFAULT_DICTIONARY_DIR = Path("/usr/share/dictd")
#: The dictd database name of FreeDict's Finnish–English dictionary.
FIN_ENG = "freedict-fin-eng"
#: FreeDict's dictionaries *into* Finnish (Debian packages ``dict-freedict-eng-fin`` …). Each sense
#: lists the Finnish words for one foreign word, so the words of one sense are near-synonyms
#: (``journalist``: ``toimittaja, lehtimies, journalisti``): a thesaurus built by pivoting.
INTO_FINNISH = (
    "freedict-eng-fin",
    "freedict-swe-fin",
    "freedict-deu-fin",
    "freedict-fra-fin",
    "freedict-ita-fin",
    "freedict-nld-fin",
    "freedict-pol-fin",
    "freedict-ell-fin",
)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {ch: i for i, ch in enumerate(_B64)}
_SENSE_NUMBER = re.compile(r"^\d+\.\s+")
#: A header line: the headword, then any pronunciations (``/…/``, ``//…//``), then ``<pos>``.
_HEADER = re.compile(r"^(?P<head>.*?)(?:\s+/.*?)?(?:\s+<(?P<pos>[^>]*)>)?\s*$")


def decode_number(text: str) -> int:
    """A dictd base-64 number: ``"B"`` → 1, ``"BA"`` → 64."""
    value = 0
    for ch in text:
        try:
            value = value * 64 + _B64_VALUE[ch]
        except KeyError:
            raise ValueError(f"not a dictd base-64 number: {text!r}") from None
    return value


@dataclass(frozen=True)
class Sense:
    """One meaning: its English glosses and the Finnish definition (empty when there is none)."""

    glosses: tuple[str, ...]
    definition: str


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: headword, part of speech (``n``, ``v``, ``adj``…; may be empty), senses."""

    headword: str
    pos: str
    senses: tuple[Sense, ...]


def parse_entry(text: str) -> Entry:
    """Parse the text of one entry (header line, then gloss and definition lines per sense)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return Entry(headword="", pos="", senses=())
    match = _HEADER.match(lines[0])
    headword = (match.group("head") if match else lines[0]).strip()
    pos = (match.group("pos") or "") if match else ""
    senses: list[Sense] = []
    body = lines[1:]
    numbered = any(_SENSE_NUMBER.match(line) for line in body)
    i = 0
    while i < len(body):
        line = body[i]
        if numbered and not _SENSE_NUMBER.match(line):
            i += 1  # a stray line between numbered senses
            continue
        gloss_line = _SENSE_NUMBER.sub("", line)
        definition = ""
        if i + 1 < len(body) and not (numbered and _SENSE_NUMBER.match(body[i + 1])):
            definition = body[i + 1]
            i += 1
        i += 1
        # A gloss may carry a language tag after '#' (``columbarium#Englanti``).
        cleaned = (gloss.split("#", 1)[0].strip() for gloss in gloss_line.split(","))
        glosses = tuple(gloss for gloss in cleaned if gloss)
        senses.append(Sense(glosses=glosses, definition=definition))
    return Entry(headword=headword, pos=pos, senses=tuple(senses))


def read_dictd(index_path: Path, dict_path: Path) -> list[Entry]:
    """Every entry of a dictd database (the ``00database…`` information entries excluded)."""
    raw = dict_path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    entries: list[Entry] = []
    with index_path.open(encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or not fields[0] or fields[0].startswith("00database"):
                continue
            offset, length = decode_number(fields[1]), decode_number(fields[2])
            if offset + length > len(raw):
                continue
            entry = parse_entry(raw[offset : offset + length].decode("utf-8", errors="replace"))
            if entry.senses:
                entries.append(entry)
    return entries


def dictionary_dir() -> Path:
    """The directory searched for dictd files: ``$ALUE_DICTIONARY_DIR``, else ``/usr/share/dictd``."""
    explicit = os.environ.get("ALUE_DICTIONARY_DIR")
    return Path(explicit) if explicit else DEFAULT_DICTIONARY_DIR


def dictionary_files(directory: Path | None = None, name: str = FIN_ENG) -> tuple[Path, Path] | None:
    """(index, dict) of database ``name`` in ``directory`` (compressed preferred), or None if absent."""
    directory = dictionary_dir() if directory is None else directory
    index = directory / f"{name}.index"
    if not index.is_file():
        return None
    for suffix in (".dict.dz", ".dict"):
        data = directory / f"{name}{suffix}"
        if data.is_file():
            return index, data
    return None


class Dictionary:
    """Headword (lower case) → entries."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, tuple[Entry, ...]] = {}
        for entry in entries:
            key = entry.headword.lower()
            self.entries[key] = (*self.entries.get(key, ()), entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, word: str) -> bool:
        return word.lower() in self.entries

    def lookup(self, word: str, *, pos: str | None = None) -> tuple[Entry, ...]:
        """The entries of ``word`` (only those with part of speech ``pos`` when given)."""
        found = self.entries.get(word.lower(), ())
        return tuple(e for e in found if e.pos == pos) if pos is not None else found


@lru_cache(maxsize=4)
def _load(index_path: Path, dict_path: Path, stamp: tuple[int, int, int, int]) -> Dictionary:
    del stamp  # part of the cache key only
    return Dictionary(read_dictd(index_path, dict_path))


def load_dictionary(directory: Path | None = None, name: str = FIN_ENG) -> Dictionary | None:
    """The dictionary ``name`` from ``directory`` (see :func:`dictionary_dir`), or None when absent."""
    files = dictionary_files(directory, name)
    if files is None:
        return None
    index, data = files
    return _load(index.resolve(), data.resolve(), _stamp(index, data))


def _stamp(index: Path, data: Path) -> tuple[int, int, int, int]:
    """Sizes and modification times of a dictionary's files (part of cache keys)."""
    s_index, s_data = index.stat(), data.stat()
    return (s_index.st_size, s_index.st_mtime_ns, s_data.st_size, s_data.st_mtime_ns)


def into_finnish_files(directory: Path | None = None) -> list[Path]:
    """The files of the dictionaries into Finnish that are there (for cache keys)."""
    return [path for name in INTO_FINNISH for path in dictionary_files(directory, name) or ()]


def thesaurus_table(dictionaries: Iterable[tuple[str, Dictionary]]) -> dict[str, list[str]]:
    """Normalised one-word Finnish word → its near-synonyms from dictionaries into Finnish.

    For every noun sense of a foreign headword, each one-word Finnish translation gets the other
    translations of that sense and, from the English and Swedish dictionaries, the headword itself
    (which meets ESCO's English and Swedish labels).
    """
    out: dict[str, dict[str, None]] = {}
    for name, dictionary in dictionaries:
        foreign_label_language = name in ("freedict-eng-fin", "freedict-swe-fin")
        for entries in dictionary.entries.values():
            for entry in entries:
                if entry.pos and not entry.pos.startswith("n"):
                    continue
                head = normalize(entry.headword)
                for sense in entry.senses:
                    words = [w for w in dict.fromkeys(normalize(g) for g in sense.glosses) if w]
                    for word in words:
                        if " " in word:
                            continue
                        bucket = out.setdefault(word, {})
                        for other in words:
                            if other != word:
                                bucket[other] = None
                        if foreign_label_language and head and head != word:
                            bucket[head] = None
    return {word: list(bucket) for word, bucket in out.items() if bucket}


_Files = tuple[tuple[str, Path, Path, tuple[int, int, int, int]], ...]


@lru_cache(maxsize=2)
def _thesaurus(files: _Files) -> dict[str, list[str]]:
    # Each dictionary is read here and dropped: only the (much smaller) table is kept.
    return thesaurus_table((name, Dictionary(read_dictd(index, data))) for name, index, data, _ in files)


def load_thesaurus(directory: Path | None = None) -> dict[str, list[str]]:
    """:func:`thesaurus_table` of the dictionaries into Finnish that are in ``directory`` (see
    :func:`dictionary_dir`; empty when there are none). Read once per process while the files stay the same;
    the table is shared, so callers must not change it."""
    found = ((name, dictionary_files(directory, name)) for name in INTO_FINNISH)
    files = tuple(
        (name, index.resolve(), data.resolve(), _stamp(index, data))
        for name, pair in found
        if pair is not None
        for index, data in [pair]
    )
    return _thesaurus(files) if files else {}
