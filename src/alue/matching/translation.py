"""Swedish and English titles read in Finnish, with a word table learnt from ESCO's own labels.

ESCO names each occupation, ISCO group and skill in Finnish, Swedish and English: about 17,000 short texts
in each language pair (``ilmavoimien upseeri`` = ``flygvapenofficer`` = ``air force officer``). The index
holds many Finnish labels per occupation (alternative and hidden labels, confirmed titles) but one Swedish
and one English label, so a Swedish or English title whose words are not those of its occupation's one
label has little to go on. Read word by word in Finnish, it can meet the Finnish labels as well.

:func:`learn_translations` learns, for each Swedish and English word, its likeliest Finnish word from
those parallel texts with IBM Model 1 (expectation–maximisation over which word of the Finnish text each
word translates; Brown et al. 1993), and keeps the translations whose probability is at least
:data:`MIN_PROBABILITY`. A Swedish compound that no text has whole is read as its parts when they are
words of Swedish texts (``tråd|buss|förare``), the longest known ending first.
:meth:`TitleTranslations.reading` gives the Finnish reading of a title that reads as Swedish or English
(:meth:`TitleTranslations.language`), else None. The coder codes such a title both as written and as its
Finnish reading and merges the two lists (:meth:`alue.matching.coder.OccupationCoder.readings`).
``docs/matching.md``, *Seventeenth round*, has the measurements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from alue.matching.text import normalize

#: Languages read in Finnish.
SOURCE_LANGS = ("sv", "en")
#: Words of letters (hyphenated words kept whole), as :func:`words` splits a normalised text.
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
#: Shortest part of a Swedish compound that is looked up on its own.
MIN_PART = 3
#: A word's likeliest Finnish word is its translation when at least this probable (chosen on a development
#: split of held-out Swedish and English labels, ``docs/matching.md``, *Seventeenth round*).
MIN_PROBABILITY = 0.1
#: Linking letters between the parts of a Swedish compound (``förvaltnings|chef``).
_LINKS = ("s", "e", "")


def words(text: str) -> list[str]:
    """The words of ``text``, normalised (:func:`alue.matching.text.normalize`)."""
    return _WORD.findall(normalize(text))


@dataclass(frozen=True)
class TitleTranslations:
    """Word tables into Finnish (``tables[lang][word]``), the words of each language's texts
    (``vocabularies[lang]``) and the words of Finnish texts."""

    tables: dict[str, dict[str, str]]
    vocabularies: dict[str, frozenset[str]]
    finnish: frozenset[str]

    def language(self, title_words: Sequence[str]) -> str | None:
        """The language (``sv`` or ``en``) that ``title_words`` read as, or None (a Finnish title, or an
        undecided one).

        A title reads as a language when more of its words are words of that language's texts (a Swedish
        compound: when its parts are) than are words only of Finnish texts, and at least as many as are
        words of neither; of two such languages, the one with more words, none on a tie. A word of both
        (``manager``, ``officer``) counts for the language: Finnish labels have such loan words too.
        """
        found = []
        for lang in self.tables:
            unknown_here = [w for w in title_words if not self._known(lang, w)]
            known = len(title_words) - len(unknown_here)
            finnish_only = sum(1 for w in unknown_here if w in self.finnish)
            unknown = len(unknown_here) - finnish_only
            if known > finnish_only and known >= unknown:
                found.append((known, lang))
        found.sort(reverse=True)
        if not found or (len(found) > 1 and found[1][0] == found[0][0]):
            return None
        return found[0][1]

    def reading(self, title: str) -> str | None:
        """The Finnish reading of ``title`` word by word, when it reads as Swedish or English and the
        reading differs from it; else None. Words without a translation are kept as they are."""
        title_words = words(title)
        if not title_words:
            return None
        lang = self.language(title_words)
        if lang is None:
            return None
        out: list[str] = []
        for word in title_words:
            for finnish in self._translate(lang, word):
                if not out or out[-1] != finnish:
                    out.append(finnish)
        reading = " ".join(out)
        return reading if reading != " ".join(title_words) else None

    def _known(self, lang: str, word: str) -> bool:
        return word in self.vocabularies[lang] or (lang == "sv" and bool(self._parts(word)))

    def _translate(self, lang: str, word: str) -> list[str]:
        table = self.tables[lang]
        if word in table:
            return [table[word]]
        if lang == "sv":
            parts = self._parts(word)
            if parts:
                return [table.get(part, part) for part in parts]
        return [word]

    def _parts(self, word: str) -> tuple[str, ...]:
        """``word`` as words of Swedish texts, the longest known ending first; () when it is not."""
        table = self.vocabularies.get("sv", frozenset())
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head = word[cut:]
            if head not in table:
                continue
            for link in _LINKS:
                stem = word[:cut]
                if link and not stem.endswith(link):
                    continue
                stem = stem[: len(stem) - len(link)] if link else stem
                if len(stem) < MIN_PART:
                    continue
                if stem in table:
                    return (stem, head)
                front = self._parts(stem)
                if front:
                    return (*front, head)
        return ()


def parallel_texts(
    triples: Iterable[dict[str, str]],
    lang: str,
    exclude: frozenset[str] = frozenset(),
    lemma: Callable[[str], str] | None = None,
) -> list[tuple[list[str], list[str]]]:
    """(``lang`` words, Finnish words) of each text that has both, leaving out the texts in ``exclude``
    (normalised; held-out labels); the Finnish words in their base form by ``lemma`` when it is given
    (``kuljettajien`` → ``kuljettaja``), so that a word's translation is not spread over its forms."""
    out = []
    for labels in triples:
        source, finnish = labels.get(lang), labels.get("fi")
        if not source or not finnish or normalize(source) in exclude or normalize(finnish) in exclude:
            continue
        source_words, finnish_words = words(source), words(finnish)
        if lemma is not None:
            finnish_words = [lemma(w) for w in finnish_words]
        if source_words and finnish_words:
            out.append((source_words, finnish_words))
    return out


def model_one(
    pairs: Sequence[tuple[list[str], list[str]]], *, iterations: int = 8, floor: float = 0.01
) -> dict[str, dict[str, float]]:
    """``t(finnish | source)`` under IBM Model 1 fitted on ``pairs`` (source words, Finnish words): for each
    source word, its Finnish words with a probability of at least ``floor``.

    Every Finnish word of a text is explained by one of the text's source words or by none (the empty
    word); the translation probabilities start equal and are re-estimated ``iterations`` times from the
    expected counts.
    """
    source_ids: dict[str, int] = {"": 0}  # the empty word
    finnish_ids: dict[str, int] = {}
    rows: list[int] = []  # per (Finnish word occurrence, source word): the occurrence
    source_of: list[int] = []
    finnish_of: list[int] = []
    occurrence = 0
    for source_words, finnish_words in pairs:
        sources = [0] + [source_ids.setdefault(w, len(source_ids)) for w in source_words]
        for word in finnish_words:
            f = finnish_ids.setdefault(word, len(finnish_ids))
            for s in sources:
                rows.append(occurrence)
                source_of.append(s)
                finnish_of.append(f)
            occurrence += 1
    if not rows:
        return {}
    # each distinct (source, Finnish) pair, and which pair each row is
    keys = np.asarray(source_of, dtype=np.int64) * len(finnish_ids) + np.asarray(finnish_of, dtype=np.int64)
    unique, pair_of_row = np.unique(keys, return_inverse=True)
    pair_source = unique // len(finnish_ids)
    pair_finnish = unique % len(finnish_ids)
    row_occurrence = np.asarray(rows, dtype=np.int64)
    t = np.ones(unique.size)
    for _ in range(iterations):
        weight = t[pair_of_row]
        share = weight / np.bincount(row_occurrence, weights=weight, minlength=occurrence)[row_occurrence]
        counts = np.bincount(pair_of_row, weights=share, minlength=unique.size)
        totals = np.bincount(pair_source, weights=counts, minlength=len(source_ids))
        t = counts / totals[pair_source]
    source_words_by_id = {i: w for w, i in source_ids.items()}
    finnish_words_by_id = {i: w for w, i in finnish_ids.items()}
    out: dict[str, dict[str, float]] = {}
    for p in np.flatnonzero((pair_source != 0) & (t >= floor)):
        word = source_words_by_id[int(pair_source[p])]
        out.setdefault(word, {})[finnish_words_by_id[int(pair_finnish[p])]] = float(t[p])
    return out


def choose_translation(
    probabilities: dict[str, float], min_probability: float = MIN_PROBABILITY
) -> str | None:
    """A source word's likeliest Finnish word under Model 1 (``probabilities``), when at least
    ``min_probability`` likely (on a tie, the alphabetically last)."""
    if not probabilities:
        return None
    word, probability = max(probabilities.items(), key=lambda item: (item[1], item[0]))
    return word if probability >= min_probability else None


def learn_translations(
    triples: Sequence[dict[str, str]],
    finnish_texts: Iterable[str],
    *,
    exclude: frozenset[str] = frozenset(),
    min_probability: float = MIN_PROBABILITY,
    lemma: Callable[[str], str] | None = None,
) -> TitleTranslations:
    """Word tables from Swedish and English into Finnish (base forms by ``lemma``, when given), learnt
    from ``triples`` (each a text's labels by language: ESCO's occupations, ISCO groups and skills), and
    the words of ``finnish_texts`` (which tell a Finnish title from a Swedish or English one)."""
    parallel = {lang: parallel_texts(triples, lang, exclude, lemma) for lang in SOURCE_LANGS}
    finnish = frozenset(w for text in finnish_texts for w in words(text))
    tables: dict[str, dict[str, str]] = {}
    for lang, pairs in parallel.items():
        chosen = {word: choose_translation(p, min_probability) for word, p in model_one(pairs).items()}
        tables[lang] = {word: finnish_word for word, finnish_word in chosen.items() if finnish_word}
    vocabularies = {lang: frozenset(w for ws, _ in pairs for w in ws) for lang, pairs in parallel.items()}
    return TitleTranslations(tables, vocabularies, finnish)
