"""Occupation coder: free-text job titles (fi/sv/en) → ranked ESCO occupations and ISCO-08 groups.

A caseworker or an employer writes ``hitsaaja-levyseppä`` or ``lähihoitaja vanhustyöhön``; matching,
statistics and the labour-shortage views (R-G1, R-G2) need an ESCO occupation and its ISCO-08 unit
group (4 digits). The coder:

1. Indexes every label the taxonomy has — preferred labels in Finnish, Swedish and English, the
   Finnish alternative and hidden labels, ISCO group names (ESCO's and Statistics Finland's
   *Ammattiluokitus 2010* names from the labour-market file) and, with a lower weight, the first two
   sentences of each occupation's description.
2. Reads everyday words as their standard forms first (``bussikuski → linja-autokuljettaja``,
   ``lastbilschaufför → lastbilsförare``; the general word equivalences of ``synonyms.yaml``).
3. Represents each text (see :mod:`alue.matching.text`) by two TF-IDF vectors: character 3–5-grams
   of the lemmatised words (robust to unseen compounds and typos) and words plus compound parts plus
   the title's head word (``h:kuljettaja``). Both are L2-normalised and mixed with fixed weights.
4. Scores the ISCO-4 groups with a multinomial naive Bayes model over those vectors (one sparse
   matrix product for a batch of queries), backed off to the ISCO-3 and ISCO-2 groups.
5. Re-ranks the best groups with a **stacked logistic model** over several scorers
   (:data:`STACK_FEATURES`): the naive Bayes posterior, the nearest single label and the nearest
   description of each group (cosine), a head word → group model learnt from the labels, the
   naive Bayes mass of the group's ISCO-3 parent and two linear SVMs over the label vectors, one
   smoother than the other (the scorers that learn which words tell neighbouring groups apart). The
   best occupation of a group is the one with the most similar single label.
6. Turns the ranked scores into a **calibrated probability that the ISCO-4 group is right** with a
   logistic model. The re-ranker and the calibration are fitted on labels held out from the group
   models while the coder is built (cross-fitting), so ``score`` is an honest probability for titles
   never seen before. A generic title (``opettaja``: one word that heads the labels of several
   groups) is no surer than the largest share of those labels that one group has.

Building takes one to two minutes (most of it the SVMs); the built coder is cached on disk
(``cache_dir()``), keyed by the data files and this module's :data:`INDEX_VERSION`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import math
import multiprocessing
import os
import pickle
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import scipy.sparse as sp

from alue.matching import morphology
from alue.matching.degrees import default_degree_titles
from alue.matching.dictionary import (
    Dictionary,
    dictionary_dir,
    dictionary_files,
    into_finnish_files,
    load_dictionary,
    load_thesaurus,
)
from alue.matching.taxonomy import Taxonomy, build_taxonomy, data_files
from alue.matching.text import (
    CONJUNCTIONS,
    Analysis,
    Lexicon,
    default_synonyms,
    default_title_noise,
    normalize,
    split_alternatives,
)
from alue.matching.translation import TitleTranslations, learn_translations
from alue.matching.vectors import WordVectors, load_word_vectors, vectors_files, word_vectors_dir
from alue.shared.threads import one_library_thread

_log = logging.getLogger(__name__)


def coder_workers() -> int:
    """Threads that :meth:`OccupationCoder.code_many` codes large inputs on: ``$ALUE_CODER_THREADS``,
    else the machine's processors, at most 4 (measured on 2 cores: 1.5 times the titles per second of
    one thread; the interpreter lock leaves little to gain from more)."""
    explicit = os.environ.get("ALUE_CODER_THREADS", "").strip()
    if explicit:
        try:
            return max(1, int(explicit))
        except ValueError:
            raise ValueError(f"ALUE_CODER_THREADS must be a whole number, not {explicit!r}") from None
    return max(1, min(4, os.cpu_count() or 1))


_T = TypeVar("_T")

#: Bump when the index format or the features change, to invalidate disk caches.
INDEX_VERSION = "coder-18"
#: The score that the occupations of a degree title share (see ``degree_titles.yaml``); the coder's own
#: candidates after them share what is left.
DEGREE_SCORE = 0.9
#: A one-word title that no label is but that heads the labels of at least this many ISCO-4 groups is
#: a generic title (``CoderParams.generic_titles``).
GENERIC_MIN_GROUPS = 3
#: The rule files beside this module that the coder reads (part of the cache key: a coder is rebuilt when
#: they change).
RULE_FILES = ("synonyms.yaml", "title_noise.yaml", "degree_titles.yaml")
RULE_DIR = Path(__file__).parent

#: Weight of each kind of indexed text in the label score (an alternative label counts as much as a
#: preferred one; a description only gives weak evidence).
KIND_WEIGHTS: dict[str, float] = {
    "pref": 1.0,
    "alt": 1.0,
    "local": 1.0,  # a title the area's staff confirmed (alue.matching.confirmed)
    "hidden": 0.95,
    "isco": 0.95,
    "desc": 0.55,
}


@dataclass(frozen=True)
class CoderParams:
    """Tunable settings of the coder (chosen with ``benchmarks/occupation_coder.py``)."""

    #: Share of the character n-gram part in each text vector (the rest is word features).
    char_weight: float = 0.5
    #: Character n-gram lengths.
    ngram_min: int = 3
    ngram_max: int = 5
    #: Extra weight of the head-word feature relative to other word features.
    head_weight: float = 2.0
    #: Additive smoothing of the naive Bayes group model (small: labels are short and precise).
    alpha: float = 0.001
    #: Use the share of labels per group as the prior of the group model.
    fit_prior: bool = True
    #: Weight of the best single-label cosine similarity added to the group model's log-probability.
    knn_weight: float = 0.0
    #: Weights of the ISCO-3 and ISCO-2 group models added to the ISCO-4 model (back-off to the
    #: broader group when the unit group has little evidence).
    level3_weight: float = 0.3
    level2_weight: float = 0.2
    #: Index occupation descriptions (weak evidence, slower build).
    use_descriptions: bool = True
    #: How many leading sentences of a description to index (0 = all).
    description_sentences: int = 2
    #: Re-rank the candidate groups with a stacked logistic model over several scorers (naive Bayes,
    #: nearest label, head word → group, ISCO-3 mass); off: rank by naive Bayes alone.
    rerank: bool = True
    #: Candidate groups per query that the re-ranker sees (the best by naive Bayes and by nearest label).
    rerank_candidates: int = 20
    #: Smoothing (pseudo-count spread over the group prior) of the head word → group model.
    head_smoothing: float = 0.5
    #: The label similarity (nearest label, nearest description, the occupation named in a group)
    #: leaves out the features that more than this many indexed texts have (of about 17,000): the
    #: commonest character n-grams, about a seventh of a query's features, which weigh little but cost
    #: most of the product. A query that has no other feature keeps them. 0: none is left out.
    similarity_max_df: int = 1000
    #: Read everyday words as their standard forms (``bussikuski → linja-autonkuljettaja``, see
    #: ``synonyms.yaml``) before coding.
    use_synonyms: bool = True
    #: Remove the words of job-ad titles that say nothing about the occupation (working time,
    #: contract, seniority: ``Myyjä (osa-aikainen)`` → ``myyjä``; see ``title_noise.yaml``).
    strip_title_noise: bool = True
    #: Code a title that names alternatives (``Sairaanhoitaja / terveydenhoitaja``, ``Lähihoitaja tai
    #: sairaanhoitaja``, ``kokki-tarjoilija`` where both halves are titles) as each of them, and merge
    #: the lists (see :meth:`OccupationCoder.alternatives`).
    split_alternatives: bool = True
    #: Number of cross-fitting folds for calibration (0 = no calibration: scores are uncalibrated).
    calibration_folds: int = 3
    #: The calibration also sees the share of the query's words that labels have and whether its
    #: head is one (scores only; the ranking is the same).
    calibration_knownness: bool = True
    #: Seed of the calibration folds.
    seed: int = 20251123
    #: Dimensions of the latent semantic space (truncated SVD of the occupation × word-feature
    #: matrix: words used for the same occupations, in any of fi/sv/en, end up close); 0 = off.
    semantic_dims: int = 0
    #: Which features the semantic space uses: "words" (word features) or "all" (with n-grams).
    semantic_features: str = "words"
    #: Extra candidate groups per query from the semantic space (the best by it).
    semantic_candidates: int = 0
    #: Top-list diversity: from the third place on, a group of an ISCO-3 parent not yet listed is
    #: moved up over groups of listed parents whose log-probability is at most this much higher
    #: (0 = off).
    diversity_margin: float = 0.0
    #: Re-ranker feature from a modifier-word → group model (the query's words other than its head,
    #: e.g. ``posti`` in ``postityöntekijä``), smoothed like the head model; off when False.
    modifier_model: bool = False
    #: Expand a query's words that no label has with a Finnish–English dictionary (FreeDict
    #: ``freedict-fin-eng`` in ``$ALUE_DICTIONARY_DIR``, see :mod:`alue.matching.dictionary`): the
    #: word's English glosses and/or Finnish definition, so that ``kameramies`` can reach the labels
    #: of camera operators. Off when False, or when the dictionary is not there.
    dictionary: bool = True
    #: What of an entry expands the word: "en" (English glosses), "fi" (Finnish definition), "both",
    #: or "none" (only the thesaurus).
    dictionary_text: str = "both"
    #: How many senses of an entry give their definition (all of them give their glosses).
    dictionary_senses: int = 2
    #: Also expand the compound parts that no label has (``sadonkorjuu`` in ``sadonkorjuutyöntekijä``).
    dictionary_parts: bool = True
    #: Weight of the expansion added to the query vector itself (0: the query is left as it is).
    dictionary_weight: float = 0.5
    #: Re-ranker features from the expansion scored on its own (naive Bayes, nearest label,
    #: nearest description), and this many of its best groups as extra candidates.
    dictionary_features: bool = True
    dictionary_candidates: int = 5
    #: Fit the re-ranker and the calibration without the dictionary, and its features as a second
    #: re-ranker stage on the queries with an expansion only: the other queries keep their candidates
    #: and ranking exactly.
    dictionary_staged: bool = True
    #: Also expand with the synonyms of the dictionaries into Finnish (:data:`INTO_FINNISH`): the
    #: other Finnish words of each sense that lists the word (``lehtimies`` → ``toimittaja``), and the
    #: English or Swedish word of that sense (which meets the English and Swedish labels).
    thesaurus: bool = True
    #: An unknown compound with no entry of its own is also read with a synonym of its unknown head
    #: put in, among the synonyms that labels have (``urheilulehtimies`` → ``urheilutoimittaja``).
    thesaurus_compounds: bool = True
    #: A title that is, after its job-ad words are removed and its everyday words read, exactly an
    #: occupation's preferred label (fi/sv/en) puts the groups of the occupations so named first (see
    #: :meth:`OccupationCoder._exact_first`).
    exact_labels: bool = True
    #: A title that is, read the same way, exactly a degree title of ``degree_titles.yaml``
    #: (``merkonomi``, ``tradenomi (AMK)``, ``KTM``) and no label of the index is coded as the
    #: occupations the degree prepares for (see :meth:`OccupationCoder._degree_candidates`).
    degree_titles: bool = True
    #: Regularisation ``C`` of a linear SVM (one-vs-rest over the ISCO-4 groups) fitted on the label
    #: vectors, whose score, gap to the best and rank are re-ranker features (:data:`SVM_FEATURES`);
    #: 0 leaves it out. The only discriminative scorer: naive Bayes and the nearest label do not learn
    #: which words tell neighbouring groups apart (see *Twelfth round* in ``docs/matching.md``).
    svm_c: float = 1.0
    #: SVM weights smaller than this (absolute) are dropped, so that the model is stored sparse.
    svm_prune: float = 0.01
    #: Extra candidate groups per query from the SVM (its best), besides naive Bayes' and the nearest
    #: label's.
    svm_candidates: int = 0
    #: A generic title (one word that no label of the index is, but that heads labels of at least
    #: :data:`GENERIC_MIN_GROUPS` groups: ``opettaja``, ``hoitaja``) scores its first group at most the
    #: largest share of those labels that one group has: the title says no more than its head does.
    #: The order is kept (see :meth:`OccupationCoder._generic_cap`).
    generic_titles: bool = True
    #: Regularisation ``C`` of a second, smoother linear SVM fitted like the first (0 leaves it out). Its
    #: score, gap and rank are three more re-ranker features (:data:`SMOOTH_SVM_FEATURES`): the two
    #: SVMs disagree on the titles whose words few labels share (see *Thirteenth round*).
    svm_smooth_c: float = 0.25
    #: Re-ranker features from Finnish word vectors (:mod:`alue.matching.vectors`, when installed): the
    #: best cosine of the title to a Finnish label of the group, its gap to the best and its rank
    #: (:data:`VECTOR_FEATURES`; see *Fifteenth round*). Off when False, or when there are none.
    word_vectors: bool = True
    #: Read a Swedish or English title in Finnish as well, word by word with a table learnt from ESCO's
    #: parallel labels (:mod:`alue.matching.translation`), and merge the two lists (see *Seventeenth
    #: round*).
    translate: bool = True
    #: Read the words that no label has with Voikko, the Finnish morphological analyser
    #: (:mod:`alue.matching.morphology`, when installed): their base forms and compound parts (see
    #: *Nineteenth round*: not yet on, its figures are not settled). Off when False, or when it is not
    #: installed.
    morphology: bool = False


@dataclass(frozen=True)
class Candidate:
    """One coding candidate. ``score`` ≈ probability that ``isco`` is the right ISCO-4 group."""

    uri: str
    isco: str
    label: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"uri": self.uri, "isco": self.isco, "label": self.label, "score": round(self.score, 4)}


@dataclass(frozen=True)
class _Doc:
    text: str
    isco4: str
    occupation: str | None  # None: an ISCO group name
    kind: str
    lang: str = "fi"


def _csv_rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def labour_market_group_names(data_dir: Path) -> dict[str, set[str]]:
    """ISCO-4 code → Finnish group names from ``stats/occupation_labour_market_fi_national.csv``."""
    path = data_dir / "stats" / "occupation_labour_market_fi_national.csv"
    names: dict[str, set[str]] = {}
    if not path.is_file():
        return names
    for row in _csv_rows(path):
        value = (row.get("AMMATTI") or "").strip()
        code, _, name = value.partition(" ")
        if code.isdigit() and len(code) == 4 and name:
            names.setdefault(code, set()).add(name.replace("ym.", "").strip())
    return names


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def _leading_sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text`` (all of it when ``count`` is 0)."""
    if count <= 0:
        return text
    return " ".join(_SENTENCE_END.split(text.strip())[:count])


def collect_documents(
    taxonomy: Taxonomy,
    *,
    extra_group_names: dict[str, set[str]] | None = None,
    exclude: frozenset[str] = frozenset(),
    use_descriptions: bool = True,
    description_sentences: int = 0,
    local_titles: Sequence[tuple[str, str]] = (),
) -> list[_Doc]:
    """Every indexed text. ``exclude`` holds normalised texts never to index (held-out labels);
    ``local_titles`` are ``(title, ESCO URI)`` pairs that the area's staff have confirmed, indexed as
    labels of their occupation (titles of occupations not in ``taxonomy`` are left out)."""
    docs: list[_Doc] = []
    seen: set[tuple[str, str | None, str]] = set()

    def add(text: str, isco4: str, occupation: str | None, kind: str, lang: str = "fi") -> None:
        norm = normalize(text)
        if not norm or norm in exclude:
            return
        key = (norm, occupation, isco4)
        if key in seen:
            return
        seen.add(key)
        docs.append(_Doc(text=text, isco4=isco4, occupation=occupation, kind=kind, lang=lang))

    for occ in taxonomy.occupations.values():
        for lang, label in occ.labels.items():
            add(label, occ.isco4, occ.uri, "pref", lang)
        for lang, labels in occ.alt_labels.items():
            for label in labels:
                add(label, occ.isco4, occ.uri, "alt", lang)
        for lang, labels in occ.hidden_labels.items():
            for label in labels:
                add(label, occ.isco4, occ.uri, "hidden", lang)
        if use_descriptions and occ.description_fi:
            add(_leading_sentences(occ.description_fi, description_sentences), occ.isco4, occ.uri, "desc")
    for title, uri in local_titles:
        local = taxonomy.occupations.get(uri)
        if local is not None:
            add(title, local.isco4, local.uri, "local")
    isco4_codes = {occ.isco4 for occ in taxonomy.occupations.values()}
    for code, group in taxonomy.isco_groups.items():
        if code in isco4_codes:
            for lang, label in group.labels.items():
                add(label, code, None, "isco", lang)
    for code, names in (extra_group_names or {}).items():
        if code in isco4_codes:
            for name in sorted(names):
                add(name, code, None, "isco")
    return docs


#: ``1 + log(tf)`` of small term frequencies, as ``math.log`` gives them (the fitted vectors' values).
_LOG_TF = np.array([0.0] + [1.0 + math.log(tf) for tf in range(1, 64)])


def _log_tf(counts: np.ndarray) -> np.ndarray:
    small = counts < _LOG_TF.size
    return np.where(small, _LOG_TF[np.where(small, counts, 0)], 1.0 + np.log(np.maximum(counts, 1)))


class _Vectorizer:
    """TF-IDF over character n-grams and word features, mixed into one L2-normalised space.

    The character part and the word part are each L2-normalised and scaled by
    ``sqrt(char_weight)`` and ``sqrt(1 - char_weight)``, so a dot product of two vectors is the
    weighted mean of the two cosine similarities.
    """

    def __init__(self, params: CoderParams) -> None:
        self.params = params
        self.vocab: dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0, dtype=np.float32)
        self._gram_cache: dict[str, tuple[str, ...]] = {}
        self._column_cache: dict[str, tuple[int, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_gram_cache"] = {}
        state["_column_cache"] = {}
        return state

    def _grams(self, word: str) -> tuple[str, ...]:
        cached = self._gram_cache.get(word)
        if cached is None:
            padded = f" {word} "
            cached = tuple(
                padded[i : i + n]
                for n in range(self.params.ngram_min, self.params.ngram_max + 1)
                for i in range(len(padded) - n + 1)
            )
            if len(self._gram_cache) < 100_000:
                self._gram_cache[word] = cached
        return cached

    def features(self, analysis: Analysis) -> tuple[dict[str, int], list[str]]:
        chars: dict[str, int] = {}
        for word in analysis.text.split():
            for gram in self._grams(word):
                chars[gram] = chars.get(gram, 0) + 1
        return chars, self.word_features(analysis)

    @staticmethod
    def word_features(analysis: Analysis) -> list[str]:
        """The word features: lemmas and compound parts (``w:``), head words (``h:``)."""
        words = ["w:" + w for w in dict.fromkeys(analysis.words) if len(w) >= 2]
        words.extend("h:" + h for h in analysis.heads)
        return words

    def fit(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        self.vocab = {}
        self._column_cache = {}
        rows, cols, tfs, is_word = self._encode([self.features(a) for a in analyses])
        df = np.bincount(cols, minlength=len(self.vocab)).astype(np.float64)  # features are unique per text
        self.idf = (np.log((1.0 + len(analyses)) / (1.0 + df)) + 1.0).astype(np.float32)
        return self._weigh(rows, cols, tfs, is_word, len(analyses))

    def transform(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        """The vectors of ``analyses`` over the fitted vocabulary (unknown features left out).

        The same vectors as :meth:`fit` makes, built faster: each word's n-gram columns are looked up
        once and remembered, and a text's n-gram counts are taken in one array operation.
        """
        gram_rows: list[int] = []
        gram_cols: list[int] = []
        word_rows: list[int] = []
        word_cols: list[int] = []
        word_tfs: list[float] = []
        vocab = self.vocab
        head_weight = float(self.params.head_weight)
        for row, analysis in enumerate(analyses):
            for word in analysis.text.split():
                found = self._word_columns(word)
                gram_cols.extend(found)
                gram_rows.extend([row] * len(found))
            for key in self.word_features(analysis):
                col = vocab.get(key)
                if col is not None:
                    word_rows.append(row)
                    word_cols.append(col)
                    word_tfs.append(head_weight if key.startswith("h:") else 1.0)
        width = max(len(vocab), 1)
        keys, counts = np.unique(
            np.asarray(gram_rows, dtype=np.int64) * width + np.asarray(gram_cols, dtype=np.int64),
            return_counts=True,
        )
        rows = np.concatenate([keys // width, np.asarray(word_rows, dtype=np.int64)])
        cols = np.concatenate([keys % width, np.asarray(word_cols, dtype=np.int64)])
        tfs = np.concatenate([_log_tf(counts), np.asarray(word_tfs, dtype=np.float64)]).astype(np.float32)
        is_word = np.concatenate([np.zeros(keys.size, dtype=bool), np.ones(len(word_rows), dtype=bool)])
        return self._weigh(rows, cols, tfs, is_word, len(analyses))

    def _word_columns(self, word: str) -> tuple[int, ...]:
        """The vocabulary columns of the word's character n-grams (those the vocabulary has; repeats
        kept, as each counts)."""
        cached = self._column_cache.get(word)
        if cached is None:
            vocab = self.vocab
            cached = tuple(col for gram in self._grams(word) if (col := vocab.get(gram)) is not None)
            if len(self._column_cache) < 100_000:
                self._column_cache[word] = cached
        return cached

    def _encode(
        self, feats: Sequence[tuple[dict[str, int], list[str]]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flat (row, column, term frequency, is-word-feature) arrays of the texts being fitted, each
        unseen feature added to the vocabulary (:meth:`transform` encodes new texts)."""
        vocab = self.vocab
        head_weight = float(self.params.head_weight)
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        kinds: list[bool] = []
        for row, (chars, words) in enumerate(feats):
            for key, tf in chars.items():
                rows.append(row)
                cols.append(vocab.setdefault(key, len(vocab)))
                tfs.append(1.0 + math.log(tf))
                kinds.append(False)
            for key in words:
                rows.append(row)
                cols.append(vocab.setdefault(key, len(vocab)))
                # Head words count ``head_weight`` times (a raised term frequency keeps the idf).
                tfs.append(head_weight if key.startswith("h:") else 1.0)
                kinds.append(True)
        return (
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(tfs, dtype=np.float32),
            np.asarray(kinds, dtype=bool),
        )

    def _weigh(
        self, rows: np.ndarray, cols: np.ndarray, tfs: np.ndarray, is_word: np.ndarray, n_rows: int
    ) -> sp.csr_matrix:
        values = tfs * self.idf[cols] if cols.size else tfs
        segment = rows * 2 + is_word
        norms = np.sqrt(np.bincount(segment, weights=values.astype(np.float64) ** 2, minlength=2 * n_rows))
        scales = np.where(
            is_word, math.sqrt(1.0 - self.params.char_weight), math.sqrt(self.params.char_weight)
        )
        values = values * scales / np.maximum(norms[segment], 1e-12)
        matrix = sp.csr_matrix((values.astype(np.float32), (rows, cols)), shape=(n_rows, len(self.vocab)))
        matrix.sum_duplicates()
        return matrix


@dataclass
class _Calibration:
    """Logistic model: P(group right | model log-probability, gap to the best group, rank, and the
    query's known words).

    The query features (:meth:`OccupationCoder.knownness`: the share of the query's words that labels
    have, and whether its head is one) are the same for all of a query's groups, so they move its
    scores, never their order: a title of unknown words is right less often than its log-probability
    alone says.
    """

    coef: np.ndarray = field(default_factory=lambda: np.zeros(0))
    intercept: float = 0.0
    #: Number of query features the model was fitted with (0: none).
    n_query: int = 0

    @staticmethod
    def design(logp: np.ndarray, query: np.ndarray | None = None) -> np.ndarray:
        """Features for the ranked log-probabilities ``logp`` (queries × ranks) and query features."""
        best = logp[:, :1]
        rank = np.broadcast_to(np.arange(logp.shape[1])[None, :], logp.shape)
        second = logp[:, 1:2] if logp.shape[1] > 1 else best - 10.0
        gap = np.where(rank == 0, best - second, logp - best)
        columns = [
            np.exp(logp),
            np.maximum(logp, -30.0),
            np.minimum(gap, 30.0),
            (rank == 0).astype(float),
            np.log1p(rank),
        ]
        if query is not None:
            for j in range(query.shape[1]):
                value = np.broadcast_to(query[:, j : j + 1], logp.shape)
                columns.extend([value, value * np.exp(logp)])
        return np.stack(columns, axis=-1)

    def fit(self, logp: np.ndarray, correct: np.ndarray, query: np.ndarray | None = None) -> None:
        x = self.design(logp, query)
        x = x.reshape(-1, x.shape[-1])
        y = correct.reshape(-1).astype(np.float64)
        self.n_query = 0 if query is None else query.shape[1]
        if y.min() == y.max():
            self.coef = np.zeros(0)
            return
        self.coef, self.intercept = _fit_logistic(x, y)

    def apply(self, logp: np.ndarray, query: np.ndarray | None = None) -> np.ndarray:
        if self.coef.size == 0:
            return np.asarray(np.exp(logp))
        z = self.design(logp, query if self.n_query else None) @ self.coef + self.intercept
        prob = 1.0 / (1.0 + np.exp(-z))
        # Probabilities follow the ranking, and the groups of one query cannot sum above one.
        prob = np.minimum.accumulate(prob, axis=1)
        total = prob.sum(axis=1, keepdims=True)
        return np.where(total > 1.0, prob / np.maximum(total, 1e-12), prob)


#: Names of the re-ranker's features, in the order of :meth:`OccupationCoder._candidates`.
STACK_FEATURES = (
    "naive Bayes log-probability",
    "naive Bayes probability",
    "gap to the best naive Bayes group",
    "naive Bayes rank (log)",
    "best single-label similarity",
    "gap to the best label similarity",
    "label-similarity rank (log)",
    "head word → group log-probability",
    "query has a known head word",
    "ISCO-3 group's naive Bayes mass (log)",
    "naive Bayes top-1",
    "label-similarity top-1",
    "best description similarity",
)

#: Re-ranker features added when the modifier-word model is on (``CoderParams.modifier_model``).
MODIFIER_FEATURES = (
    "modifier words → group log-probability (mean)",
    "query has a modifier word",
)

#: Re-ranker features added when the dictionary is on (``CoderParams.dictionary``; the expansion of
#: the query's words that no label has, scored on its own).
DICTIONARY_FEATURES = (
    "expansion naive Bayes log-probability",
    "expansion best single-label similarity",
    "expansion best description similarity",
    "query has a dictionary expansion",
)

#: Re-ranker features from the word vectors (``CoderParams.word_vectors``), before the dictionary's.
VECTOR_FEATURES = (
    "best Finnish label word-vector similarity",
    "gap to the best word-vector similarity",
    "word-vector similarity rank (log)",
)
#: The indexed texts that the word-vector similarity compares a title with: Finnish labels.
VECTOR_KINDS = frozenset({"pref", "alt", "hidden", "local"})

#: Re-ranker features added when the linear SVM is on (``CoderParams.svm_c``).
SVM_FEATURES = (
    "linear SVM score",
    "gap to the best SVM score",
    "SVM rank (log)",
)

#: Re-ranker features added when the second, smoother SVM is on (``CoderParams.svm_smooth_c``).
SMOOTH_SVM_FEATURES = (
    "smooth SVM score",
    "gap to the best smooth SVM score",
    "smooth SVM rank (log)",
)

#: Re-ranker features added when the semantic space is on (``CoderParams.semantic_dims``).
SEMANTIC_FEATURES = (
    "best occupation similarity in the semantic space",
    "gap to the best semantic similarity",
    "semantic-similarity rank (log)",
)


@dataclass
class _Stacker:
    """Logistic model over the candidates' features: P(candidate group right | scorers).

    Fitted on cross-fitted candidates (labels held out from the group models); it re-ranks the
    candidates, and its log-odds, normalised over a query's candidates, go to :class:`_Calibration`.
    """

    coef: np.ndarray = field(default_factory=lambda: np.zeros(0))
    intercept: float = 0.0
    #: Second stage over the last ``len(stage2_coef) + 1`` features, whose last one is a 0/1 flag:
    #: it adds ``flag * (features @ stage2_coef + stage2_intercept)`` to the first stage's log-odds.
    stage2_coef: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stage2_intercept: float = 0.0
    #: Number of first-stage features (the rest, if any, belong to the second stage).
    n_base: int = 0

    @property
    def fitted(self) -> bool:
        return self.coef.size > 0

    def fit(self, features: np.ndarray, correct: np.ndarray, *, separate: int = 0) -> None:
        """Fit the model; the last ``separate`` features are left to :meth:`fit_stage2`."""
        base = features[..., : features.shape[-1] - separate]
        x = base.reshape(-1, base.shape[-1]).astype(np.float64)
        y = correct.reshape(-1).astype(np.float64)
        self.stage2_coef = np.zeros(0)
        self.n_base = base.shape[-1]
        if y.min() == y.max():
            self.coef = np.zeros(0)
            return
        self.coef, self.intercept = _fit_logistic(x, y)

    def fit_stage2(self, features: np.ndarray, correct: np.ndarray, separate: int) -> None:
        """Fit the second stage over the last ``separate`` features (the last one a 0/1 flag).

        Fitted only on the queries whose flag is set, with the first stage's log-odds as a fixed
        offset, so the ranking of the other queries does not depend on it.
        """
        flagged = features[:, 0, -1] > 0
        if not flagged.any():
            return
        n_base = features.shape[-1] - separate
        x2 = features[flagged][..., n_base:-1].reshape(-1, separate - 1).astype(np.float64)
        y2 = correct[flagged].reshape(-1).astype(np.float64)
        offset = features[flagged][..., :n_base].reshape(-1, n_base) @ self.coef + self.intercept
        if y2.min() < y2.max():
            self.stage2_coef, self.stage2_intercept = _fit_logistic(x2, y2, offset=offset)

    def log_odds(self, features: np.ndarray) -> np.ndarray:
        """Queries × candidates log-odds of the model."""
        n_base = self.n_base or features.shape[-1]
        z = features[..., :n_base].astype(np.float64) @ self.coef + self.intercept
        if self.stage2_coef.size:
            extra = features[..., n_base:-1].astype(np.float64) @ self.stage2_coef + self.stage2_intercept
            z = z + features[..., -1] * extra
        return np.asarray(z)

    def ranked(self, features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(order, log-probabilities) of the best ``k`` candidates per query.

        The log-probabilities are a softmax of the model's log-odds over each query's candidates;
        :class:`_Calibration` turns them into calibrated probabilities.
        """
        z = self.log_odds(features)
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        order = np.argsort(-logp, axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(logp, order, axis=1)


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3, offset: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (a handful of features).

    ``offset``: fixed log-odds added to each row's linear term (a second-stage model).
    """
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    base = np.zeros(len(x)) if offset is None else offset
    w = np.zeros(z.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w + base, -35, 35)))
        grad = z.T @ (p - y) + l2 * np.append(w[:-1], 0.0)
        hess = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef = w[:-1] / scale
    return coef, float(w[-1] - np.dot(coef, mean))


class OccupationCoder:
    """Codes job titles into ESCO occupations; build with :func:`build_coder` or :func:`load_coder`.

    Group model: multinomial naive Bayes over the label vectors of each ISCO-4 group, stored
    sparsely as ``log(1 + count / alpha)`` so that scoring is one sparse product. Within the chosen
    group the occupation is the one with the most similar label (cosine).
    """

    def __init__(
        self,
        *,
        taxonomy_version: str,
        lexicon: Lexicon,
        vectorizer: _Vectorizer,
        doc_matrix: sp.csr_matrix,
        doc_weights: np.ndarray,
        doc_occ_index: np.ndarray,
        group_codes: list[str],
        group_starts: np.ndarray,
        occ_uris: list[str],
        occ_group: np.ndarray,
        occ_labels: dict[str, dict[str, str]],
        params: CoderParams,
        doc_is_pref: np.ndarray | None = None,
        doc_is_desc: np.ndarray | None = None,
        expansions: dict[str, str] | None = None,
        synonyms: dict[str, list[str]] | None = None,
    ) -> None:
        self.taxonomy_version = taxonomy_version
        self.lexicon = lexicon
        self.vectorizer = vectorizer
        self.doc_matrix_t = doc_matrix.T.tocsr()
        self.doc_weights = doc_weights
        self.doc_occ_index = doc_occ_index
        self.group_codes = group_codes
        self.group_starts = group_starts
        self.occ_uris = occ_uris
        self.occ_group = occ_group
        self.occ_labels = occ_labels
        self.params = params
        self.calibration = _Calibration()
        self.stacker = _Stacker()
        self.doc_texts: list[str] = []  # normalised text of each document, for held-out masking
        n_docs = doc_matrix.shape[0]
        self.doc_is_pref = np.zeros(n_docs, dtype=np.float32) if doc_is_pref is None else doc_is_pref
        self.doc_is_desc = np.zeros(n_docs, dtype=bool) if doc_is_desc is None else doc_is_desc
        #: Dictionary expansion text (normalised) of each Finnish headword; empty: no dictionary.
        self.expansions: dict[str, str] = dict(expansions or {})
        #: One-word synonyms of each word (the thesaurus), for compounds (``thesaurus_compounds``).
        self.synonyms: dict[str, list[str]] = {
            word: one_word
            for word, words in (synonyms or {}).items()
            if (one_word := [w for w in words if " " not in w])
        }
        #: Code as if there were no dictionary (while the first re-ranker stage is fitted).
        self.expansion_off = False
        #: Vocabulary columns of the head-word features (``h:kuljettaja``).
        self.head_cols = np.array(
            sorted(col for key, col in vectorizer.vocab.items() if key.startswith("h:")), dtype=np.int64
        )
        #: The linear SVM (features × groups, sparse; and the groups' intercepts): fitted by
        #: :meth:`fit_svm`, or on first use.
        self.svm_weights: sp.csr_matrix | None = None
        self.svm_intercept: np.ndarray | None = None
        self.svm_smooth_weights: sp.csr_matrix | None = None
        self.svm_smooth_intercept: np.ndarray | None = None
        #: Word vectors (``params.word_vectors``): where the table is, the documents compared (indices,
        #: sorted) and their text vectors (documents × dimensions); set by :meth:`set_word_vectors`.
        self.vectors_dir: Path | None = None
        self.vector_docs: np.ndarray | None = None
        #: The compared documents' vectors as :func:`_cosine_units` makes them.
        self.vector_matrix: np.ndarray | None = None
        #: Swedish and English titles read in Finnish (``CoderParams.translate``)
        self.translations: TitleTranslations | None = None
        self._fit_groups(doc_matrix)

    def without_texts(self, texts: frozenset[str]) -> OccupationCoder:
        """A copy whose group models ignore the documents whose normalised text is in ``texts``.

        The lexicon, vocabulary and idf weights are shared with this coder, so this is cheap; it is
        used to cross-fit the calibration (a held-out label's features stay in the vocabulary but have
        no counts in any group, so they cannot favour the right group).
        """
        keep = np.array([t not in texts for t in self.doc_texts], dtype=bool)
        clone = object.__new__(OccupationCoder)
        clone.__dict__.update(self.__dict__)
        clone.doc_weights = np.where(keep, self.doc_weights, 0.0).astype(np.float32)
        clone.calibration = _Calibration()
        clone.stacker = _Stacker()
        # this one's SVMs saw the texts: fitted again when used
        clone.svm_weights = clone.svm_intercept = None
        clone.svm_smooth_weights = clone.svm_smooth_intercept = None
        clone._fit_groups(self.doc_matrix_t.T.tocsr())
        return clone

    def set_word_vectors(self, vectors: WordVectors, docs: np.ndarray) -> None:
        """Compare titles with the documents ``docs`` (indices) through ``vectors``."""
        self.vectors_dir = vectors.directory
        self.vector_docs = np.asarray(docs, dtype=np.int64)
        # (as whole numbers, :func:`_cosine_units`, for the exact products of :meth:`_vector_scores`)
        texts = [self.doc_texts[i] for i in self.vector_docs]
        self.vector_matrix = _cosine_units(vectors.text_vectors(texts))

    def _vector_scores(self, prepared: Sequence[str]) -> np.ndarray | None:
        """Queries × groups: the best word-vector cosine of each title (``prepared``: as
        :meth:`_prepared` reads it) to a Finnish label of the group; -1 for a group with none. None when
        the coder has no word vectors; zeros (no evidence) when the table has gone since the build."""
        if self.vector_docs is None or self.vector_matrix is None:
            return None
        n_groups = len(self.group_codes)
        if self.vectors_dir is None or not (self.vectors_dir / "vectors").is_file():
            _warn_vectors_missing(self.vectors_dir)
            return np.zeros((len(prepared), n_groups))
        queries = _cosine_units(load_word_vectors(self.vectors_dir).text_vectors(prepared))
        matrix, starts, has = self._of_index("_vector_cache", self._vector_index)
        if matrix.shape[0] == 0:
            return np.full((len(prepared), n_groups), -1.0)
        best = np.maximum.reduceat(_exact_cosines(queries, matrix), starts, axis=1)
        return np.where(has[None, :], best, -1.0).astype(np.float64)

    def _vector_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(vectors of the documents still indexed, as :func:`_cosine_units`; each group's first column,
        whether it has any)."""
        assert self.vector_docs is not None
        assert self.vector_matrix is not None
        alive = self.doc_weights[self.vector_docs] > 0
        matrix = self.vector_matrix if alive.all() else self.vector_matrix[alive]
        groups = self._group_of_docs(self.doc_weights.size)[self.vector_docs[alive]]
        starts = np.searchsorted(groups, np.arange(len(self.group_codes)))
        has = np.isin(np.arange(len(self.group_codes)), groups)
        return matrix, np.minimum(starts, max(groups.size - 1, 0)), has

    def _group_of_docs(self, n_docs: int) -> np.ndarray:
        """The group (index) of each of the ``n_docs`` documents, which are sorted by group."""
        return np.repeat(np.arange(len(self.group_codes)), np.diff(np.append(self.group_starts, n_docs)))

    def _doc_groups(self, values: np.ndarray) -> sp.csr_matrix:
        """Documents × groups: each document's value (``values``) in the column of its group."""
        n_docs = values.size
        return sp.csr_matrix(
            (values, (np.arange(n_docs), self._group_of_docs(n_docs))), shape=(n_docs, len(self.group_codes))
        )

    def _fit_groups(self, doc_matrix: sp.csr_matrix) -> None:
        n_docs = doc_matrix.shape[0]
        group_of_doc = self._group_of_docs(n_docs)
        matrix64 = doc_matrix.astype(np.float64)
        # The levels are summed into one features × ISCO-4 table, so scoring is a single product:
        # sum_L w_L * (q @ T_L)[:, parent_L] == q @ sum_L w_L * T_L[:, parent_L].
        n_groups = len(self.group_codes)
        combined = sp.csr_matrix((doc_matrix.shape[1], n_groups), dtype=np.float64)
        self.nb_offset = np.zeros(n_groups)
        self.nb_prior = np.zeros(n_groups)
        for level, weight in ((4, 1.0), (3, self.params.level3_weight), (2, self.params.level2_weight)):
            if weight == 0:
                continue
            codes = sorted({code[:level] for code in self.group_codes})
            position = {code: i for i, code in enumerate(codes)}
            parent = np.array([position[code[:level]] for code in self.group_codes], dtype=np.int64)
            table, offset, prior = self._naive_bayes(matrix64, parent[group_of_doc], len(codes))
            expand = sp.csr_matrix(
                (np.full(n_groups, weight), (parent, np.arange(n_groups))), shape=(len(codes), n_groups)
            )
            combined = combined + table.astype(np.float64) @ expand
            self.nb_offset += weight * offset[parent]
            self.nb_prior += weight * prior[parent]
        self.nb_table = combined.tocsr().astype(np.float32)
        # Head word → group model: how the labels with each head word spread over the groups.
        weights = sp.diags(self.doc_weights.astype(np.float64))
        heads = (doc_matrix[:, self.head_cols] > 0).astype(np.float64)
        assign = self._doc_groups(np.ones(n_docs))
        self.head_counts = (heads.T @ weights @ assign).tocsr().astype(np.float32)
        sizes = np.asarray((weights @ assign).sum(axis=0)).ravel() + 1e-3
        self.head_prior = (sizes / sizes.sum()).astype(np.float64)
        self._fit_semantic(doc_matrix, group_of_doc)
        self._fit_modifiers(doc_matrix, weights, assign)
        # Word features that some label (not a description) of the group models has: a query word
        # among them needs no dictionary.
        label_rows = ((self.doc_weights > 0) & ~self.doc_is_desc).astype(np.float64)
        self.label_word_known = np.asarray(doc_matrix.T @ label_rows).ravel() > 0

    def _fit_modifiers(
        self, doc_matrix: sp.csr_matrix, weights: sp.dia_matrix, assign: sp.csr_matrix
    ) -> None:
        """Word → group model over all word features; applied to a query's non-head words."""
        self.mod_table = None
        if not self.params.modifier_model:
            return
        vocab = self.vectorizer.vocab
        self.word_cols = np.array(
            sorted(col for key, col in vocab.items() if key.startswith("w:")), dtype=np.int64
        )
        word_pos = {int(col): i for i, col in enumerate(self.word_cols)}
        keys = {col: key for key, col in vocab.items() if key.startswith("h:")}
        self.head_word_pos = np.array(
            [word_pos.get(vocab.get("w:" + keys[int(col)][2:], -1), -1) for col in self.head_cols],
            dtype=np.int64,
        )
        present = (doc_matrix[:, self.word_cols] > 0).astype(np.float64)
        counts = (present.T @ weights @ assign).tocsr()  # words × groups
        beta = self.params.head_smoothing
        prior = self.head_prior
        totals = np.asarray(counts.sum(axis=1)).ravel()
        counts = counts.tocoo()
        values = np.log1p(counts.data / (beta * prior[counts.col]))
        self.mod_table = sp.csr_matrix((values, (counts.row, counts.col)), shape=counts.shape).astype(
            np.float32
        )
        self.mod_word_offset = np.log(beta / (totals + beta)).astype(np.float64)

    def _modifier_scores(self, queries: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray] | None:
        """(queries × groups mean log P(group | non-head word), has-modifier flag) or None."""
        if getattr(self, "mod_table", None) is None:
            return None
        words = (queries[:, self.word_cols] > 0).astype(np.float32).tolil()
        if self.head_cols.size:
            heads = (queries[:, self.head_cols] > 0).tocoo()
            for row, col in zip(heads.row, heads.col, strict=True):
                pos = self.head_word_pos[col]
                if pos >= 0:
                    words[row, pos] = 0
        words = words.tocsr()
        words.eliminate_zeros()
        n_words = np.asarray(words.sum(axis=1)).ravel()
        score = (words @ self.mod_table).toarray().astype(np.float64)
        score += (words @ self.mod_word_offset)[:, None] + n_words[:, None] * np.log(self.head_prior)[None, :]
        score /= np.maximum(n_words, 1.0)[:, None]
        return score, (n_words > 0).astype(np.float64)

    def _fit_semantic(self, doc_matrix: sp.csr_matrix, group_of_doc: np.ndarray) -> None:
        """Latent semantic space of occupations: truncated SVD of occupation × feature sums.

        Every text of an occupation (fi/sv/en labels, description) is summed into one row, so words
        that name the same occupations (``toimittaja``/``journalisti``/``journalist``) get close
        directions even when no single label has both. A query is projected into the space and
        compared with each occupation (cosine); a group scores its best occupation.
        """
        dims = self.params.semantic_dims
        self.sem_projection = None
        if dims <= 0:
            return
        from scipy.sparse.linalg import svds

        n_docs = doc_matrix.shape[0]
        n_occ = len(self.occ_uris)
        unit = np.where(self.doc_occ_index >= 0, self.doc_occ_index, n_occ + group_of_doc)
        unit_group = np.append(self.occ_group, np.arange(len(self.group_codes)))
        keep_units = np.unique(unit[self.doc_weights > 0])
        order = keep_units[np.argsort(unit_group[keep_units], kind="stable")]
        position = np.full(n_occ + len(self.group_codes), -1, dtype=np.int64)
        position[order] = np.arange(order.size)
        if self.params.semantic_features == "words":
            cols = np.array(
                sorted(col for key, col in self.vectorizer.vocab.items() if key[:2] in ("w:", "h:")),
                dtype=np.int64,
            )
        else:
            cols = np.arange(doc_matrix.shape[1], dtype=np.int64)
        rows = position[unit]
        valid = (rows >= 0) & (self.doc_weights > 0)
        assign = sp.csr_matrix(
            (self.doc_weights[valid].astype(np.float64), (rows[valid], np.arange(n_docs)[valid])),
            shape=(order.size, n_docs),
        )
        units = (assign @ doc_matrix[:, cols].astype(np.float64)).tocsr()
        norms = np.sqrt(np.asarray(units.multiply(units).sum(axis=1)).ravel())
        units = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ units
        k = min(dims, min(units.shape) - 1)
        u, sigma, vt = svds(units, k=k, random_state=0)
        emb = u * sigma[None, :]
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        self.sem_cols = cols
        self.sem_projection = vt.T.astype(np.float32)  # features × dims
        self.sem_units = emb.astype(np.float32).T.copy()  # dims × units, units sorted by group
        groups_sorted = unit_group[order]
        starts = np.searchsorted(groups_sorted, np.arange(len(self.group_codes)))
        self.sem_starts = np.minimum(starts, max(order.size - 1, 0))
        self.sem_has_units = np.isin(np.arange(len(self.group_codes)), groups_sorted)

    @property
    def uses_svm(self) -> bool:
        return self.params.rerank and self.params.svm_c > 0

    def fit_svm(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Fit the linear SVMs of the re-ranker (:data:`SVM_FEATURES`, :data:`SMOOTH_SVM_FEATURES`) on
        the indexed labels; return the first.

        One-vs-rest over the ISCO-4 groups (liblinear), on the label vectors with their weights; the
        descriptions are left out (they hold 60 % of the vectors' entries, and the labels alone scored
        as well on the development splits). Weights under ``params.svm_prune`` are dropped. A group
        with no label left (all held out) gets an intercept far below the others.
        """
        data = self.svm_data()
        for smooth, c in self.svm_settings():
            self.set_svm(smooth, _linear_svm(*data, c=c, prune=self.params.svm_prune))
        return cast(sp.csr_matrix, self.svm_weights), cast(np.ndarray, self.svm_intercept)

    def svm_settings(self) -> list[tuple[bool, float]]:
        """(smooth, C) of each SVM to fit: the smooth one (when on), then the first."""
        smooth = [(True, self.params.svm_smooth_c)] if self.params.svm_smooth_c > 0 else []
        return [*smooth, (False, self.params.svm_c)]

    def svm_data(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]:
        """(label vectors, their groups, their weights, number of groups): what the SVMs are fitted on."""
        doc_matrix = self.doc_matrix_t.T.tocsr()
        group_of_doc = self._group_of_docs(doc_matrix.shape[0])
        keep = (self.doc_weights > 0) & ~self.doc_is_desc
        return doc_matrix[keep], group_of_doc[keep], self.doc_weights[keep], len(self.group_codes)

    def set_svm(self, smooth: bool, fitted: tuple[sp.csr_matrix, np.ndarray]) -> None:
        if smooth:
            self.svm_smooth_weights, self.svm_smooth_intercept = fitted
        else:
            self.svm_weights, self.svm_intercept = fitted

    def _svm_scores(self, queries: sp.csr_matrix, *, smooth: bool = False) -> np.ndarray | None:
        """Queries × groups: the (``smooth``: the second) linear SVM's scores (None when it is off)."""
        if not self.uses_svm or (smooth and self.params.svm_smooth_c <= 0):
            return None
        if self.svm_weights is None or (self.params.svm_smooth_c > 0 and self.svm_smooth_weights is None):
            self.fit_svm()
        if smooth:
            weights, intercept = self.svm_smooth_weights, self.svm_smooth_intercept
        else:
            weights, intercept = self.svm_weights, self.svm_intercept
        if weights is None or intercept is None:
            raise RuntimeError("the linear SVM was not fitted")
        product = (queries.astype(np.float32, copy=False) @ weights).toarray().astype(np.float64)
        return product + intercept[None, :]

    def _semantic(self, queries: sp.csr_matrix) -> np.ndarray | None:
        """Queries × groups: the best cosine of the query to an occupation of the group, or None."""
        if getattr(self, "sem_projection", None) is None:
            return None
        q = np.asarray((queries[:, self.sem_cols] @ self.sem_projection), dtype=np.float32)
        q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        sims = q @ self.sem_units
        best = np.maximum.reduceat(sims, self.sem_starts, axis=1)
        return np.where(self.sem_has_units[None, :], best, -1.0).astype(np.float64)

    def _naive_bayes(
        self, matrix: sp.csr_matrix, group_of_doc: np.ndarray, n_groups: int
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Sparse multinomial naive Bayes: (log table features × groups, per-mass offset, log prior)."""
        n_docs, n_feat = matrix.shape
        assign = sp.csr_matrix(
            (self.doc_weights.astype(np.float64), (group_of_doc, np.arange(n_docs))), shape=(n_groups, n_docs)
        )
        counts = (assign @ matrix).tocsr()
        counts.data = np.maximum(counts.data, 0.0)
        alpha = self.params.alpha
        totals = np.asarray(counts.sum(axis=1)).ravel()
        counts.data = np.log1p(counts.data / alpha)
        counts.eliminate_zeros()
        offset = (math.log(alpha) - np.log(totals + alpha * n_feat)).astype(np.float64)
        sizes = np.maximum(np.asarray(assign.sum(axis=1)).ravel(), 1e-3)
        prior = np.log(sizes / sizes.sum()) if self.params.fit_prior else np.zeros(n_groups)
        return counts.T.tocsr().astype(np.float32), offset, prior.astype(np.float64)

    # -- scoring ---------------------------------------------------------------------------------

    def _scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """(queries × groups log-posteriors, queries × docs weighted label similarities, query vectors)."""
        logp, sims, queries, _, _ = self._scores_expanded(texts)
        return logp, sims, queries

    def _prepared(self, texts: Sequence[str]) -> list[str]:
        """Normalised texts without job-ad words (``params.strip_title_noise``), everyday words read
        as their standard forms (``params.use_synonyms``)."""
        return [self._rewritten(t) for t in self._cleaned(texts)]

    def _cleaned(self, texts: Sequence[str]) -> list[str]:
        """Normalised texts without job-ad words (``params.strip_title_noise``)."""
        if self.params.strip_title_noise:
            noise = default_title_noise()
            return [noise.clean(t) for t in texts]
        return [normalize(t) for t in texts]

    def _rewritten(self, cleaned: str) -> str:
        """A text of :meth:`_cleaned` with everyday words read as their standard forms
        (``params.use_synonyms``)."""
        return normalize(default_synonyms().rewrite(cleaned)) if self.params.use_synonyms else cleaned

    def dictionary_expansions(self, texts: Sequence[str]) -> list[str]:
        """The dictionary expansion of each text ("" when none: no dictionary, or no unknown word)."""
        if not (self.params.dictionary and self.expansions) or self.expansion_off:
            return ["" for _ in texts]
        return self._expansion_texts(*self._analysed(texts))

    def _analysed(
        self, texts: Sequence[str], prepared: Sequence[str] | None = None
    ) -> tuple[list[str], list[Analysis]]:
        """(:meth:`_prepared` texts, their analyses); ``prepared`` when the caller has them already."""
        ready = self._prepared(texts) if prepared is None else list(prepared)
        return ready, [self.lexicon.analyze(t, normalized=True) for t in ready]

    def _scores_expanded(
        self, texts: Sequence[str], prepared: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray | None, list[Analysis]]:
        """:meth:`_scores`, the dictionary features (queries × groups × features, or None) and the
        queries' analyses."""
        texts, analyses = self._analysed(texts, prepared)
        queries = self.vectorizer.transform(analyses)
        expansion: np.ndarray | None = None
        if self.params.dictionary and self.expansions and not self.expansion_off:
            expanded = self._expansion_texts(texts, analyses)
            rows = [i for i, t in enumerate(expanded) if t]
            if self.params.dictionary_features:
                expansion = np.zeros((len(texts), len(self.group_codes), len(DICTIONARY_FEATURES)))
            if rows:
                vectors = self.vectorizer.transform(
                    [self.lexicon.analyze(expanded[i], normalized=True) for i in rows]
                )
                if expansion is not None:
                    expansion[rows] = self._expansion_features(vectors)
                if self.params.dictionary_weight:
                    # the expansion vectors put in their queries' rows
                    place = sp.csr_matrix(
                        (np.ones(len(rows), dtype=vectors.dtype), (rows, np.arange(len(rows)))),
                        shape=(len(texts), len(rows)),
                    )
                    # (sorted, as a transform's are, so the products below sum in the same order)
                    placed = (place @ vectors).sorted_indices()
                    queries = (queries + self.params.dictionary_weight * placed).tocsr()
        logp, sims = self._group_scores(queries)
        return logp, sims, queries, expansion, analyses

    def _similarity_queries(self, queries: sp.csr_matrix) -> sp.csr_matrix:
        """``queries`` without the features of more than ``params.similarity_max_df`` indexed texts,
        for the label similarity; a query that has no other feature keeps all of its own."""
        limit = self.params.similarity_max_df
        if limit <= 0 or queries.nnz == 0:
            return queries
        common = self._of_index("_common_features", lambda: self.doc_matrix_t.getnnz(axis=1) > limit)
        drop = common[queries.indices]
        if not drop.any():
            return queries
        rows = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))
        kept = np.bincount(rows[~drop], minlength=queries.shape[0])
        drop &= kept[rows] > 0
        pruned = queries.copy()
        pruned.data[drop] = 0
        pruned.eliminate_zeros()
        return pruned

    def _group_scores(self, queries: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(queries × groups naive Bayes log-posteriors, queries × docs weighted label similarities)."""
        mass = np.asarray(queries.sum(axis=1)).ravel()
        joint = (queries @ self.nb_table).toarray().astype(np.float64)
        joint += mass[:, None] * self.nb_offset[None, :] + self.nb_prior[None, :]
        sims = (self._similarity_queries(queries) @ self.doc_matrix_t).toarray()
        sims *= self.doc_weights[None, :]
        if self.params.knn_weight:
            joint += self.params.knn_weight * np.maximum.reduceat(sims, self.group_starts, axis=1)
        joint -= joint.max(axis=1, keepdims=True)
        logp = joint - np.log(np.exp(joint).sum(axis=1, keepdims=True))
        return logp, sims

    def _known_label_word(self, word: str) -> bool:
        col = self.vectorizer.vocab.get("w:" + word.replace("-", ""))
        return col is not None and bool(self.label_word_known[col])

    def knownness(self, texts: Sequence[str]) -> np.ndarray:
        """Queries × 2: the share of a query's words that some label has, and whether its head is one."""
        return self._knownness(self._analysed(texts)[1])

    def _knownness(self, analyses: Sequence[Analysis]) -> np.ndarray:
        out = np.zeros((len(analyses), 2))
        for i, analysis in enumerate(analyses):
            words = [w for w in analysis.lemmas if len(w) > 1 and w not in CONJUNCTIONS]
            if words:
                out[i, 0] = sum(self._known_label_word(w) for w in words) / len(words)
            out[i, 1] = float(any(self._known_label_word(h) for h in analysis.heads))
        return out

    def _expansion_texts(self, texts: Sequence[str], analyses: Sequence[Analysis]) -> list[str]:
        """Per (normalised) query: the dictionary expansions of its words that no label has, or ""."""
        out: list[str] = []
        for text, analysis in zip(texts, analyses, strict=True):
            tokens = [t for t in text.split() if t not in {",", "&"}]
            parts: list[str] = []
            for token, lemma in zip(tokens, analysis.lemmas, strict=False):
                if self._known_label_word(token) or self._known_label_word(lemma):
                    continue
                found = self.expansions.get(token) or self.expansions.get(lemma)
                if found is None and "-" in token:
                    last = token.rsplit("-", 1)[-1]
                    if not self._known_label_word(last):
                        found = self.expansions.get(last)
                if found is None and self.params.thesaurus_compounds and self.synonyms:
                    found = self._compound_substitutes(lemma.replace("-", ""))
                if found and found not in parts:
                    parts.append(found)
            if self.params.dictionary_parts:
                for word in analysis.words:
                    found = None if self._known_label_word(word) else self.expansions.get(word)
                    if found and found not in parts:
                        parts.append(found)
            out.append(" , ".join(parts))
        return out

    def _compound_substitutes(self, word: str, limit: int = 6) -> str | None:
        """``word`` with a synonym that labels have put in for its longest unknown head."""
        for i in range(3, len(word) - 5):
            head = word[i:]
            if self._known_label_word(head) or head not in self.synonyms:
                continue
            known = [synonym for synonym in self.synonyms[head] if self._known_label_word(synonym)]
            if known:
                return " , ".join(word[:i] + synonym for synonym in known[:limit])
        return None

    def _expansion_features(self, vectors: sp.csr_matrix) -> np.ndarray:
        """Expansions × groups × :data:`DICTIONARY_FEATURES` for non-empty expansion vectors."""
        logp, sims = self._group_scores(vectors)
        knn, desc = self._group_maxima(sims)
        return np.stack([np.maximum(logp, -30.0), knn, desc, np.ones_like(knn)], axis=-1)

    def _group_maxima(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Queries × groups: the best similarity (``sims``: queries × documents, none negative) of a
        label of each group, and of a description; 0 where the group has none.

        The descriptions' similarities are negated: a group's maximum is then its best label's, and
        its minimum minus its best description's (when it has both kinds; a similarity of 0 comes out
        as 0 either way).
        """
        sign, has_label, has_desc = self._document_kinds()
        signed = sims * sign
        best = np.maximum.reduceat(signed, self.group_starts, axis=1)
        least = np.minimum.reduceat(signed, self.group_starts, axis=1)
        return np.where(has_label, best, 0.0), np.where(has_desc, -least, 0.0)

    def _document_kinds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(1 for a label and -1 for a description, per document; whether each group has a label, a
        description)."""

        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            desc = self.doc_is_desc.astype(bool)
            group = self._group_of_docs(desc.size)
            n_groups = len(self.group_codes)
            has_label = np.bincount(group[~desc], minlength=n_groups) > 0
            has_desc = np.bincount(group[desc], minlength=n_groups) > 0
            sign = np.where(desc, -1.0, 1.0).astype(np.float32)
            return sign, has_label[None, :], has_desc[None, :]

        return self._kept("_kinds", self.doc_is_desc, build)

    def _candidates(
        self,
        logp: np.ndarray,
        sims: np.ndarray,
        queries: sp.csr_matrix,
        *,
        at_least: int = 0,
        expansion: np.ndarray | None = None,
        vectors: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate groups per query (queries × m) and their features (queries × m × features).

        The candidates are the best groups by naive Bayes and by nearest label; the features are
        those of :data:`STACK_FEATURES`.
        """
        n, n_groups = logp.shape
        k = min(self.params.rerank_candidates, n_groups)
        nb_rank = _ranks(logp)
        knn, desc = self._group_maxima(sims)
        knn_rank = _ranks(knn, ties_likely=True)
        chosen = (nb_rank < k) | (knn_rank < max(1, k // 2))
        sem = self._semantic(queries)
        extra = 0
        if sem is not None:
            sem_rank = _ranks(sem)
            extra = self.params.semantic_candidates
            if extra:
                chosen |= sem_rank < extra
        svm = self._svm_scores(queries)
        if svm is not None:
            svm_rank = _ranks(svm)
            if self.params.svm_candidates:
                chosen |= svm_rank < self.params.svm_candidates
                extra += self.params.svm_candidates
        use_expansion = self.params.dictionary and self.params.dictionary_features and bool(self.expansions)
        if use_expansion and expansion is None:
            expansion = np.zeros((n, n_groups, len(DICTIONARY_FEATURES)))
        if expansion is not None and self.params.dictionary_candidates:
            exp_rank = _ranks(expansion[:, :, 0], ties_likely=True)
            forced = (exp_rank < self.params.dictionary_candidates) & (expansion[:, :, 3] > 0)
            if self.params.dictionary_staged:
                # The same number of candidates: an expanded query's best expansion groups replace its
                # weakest candidates, and the other queries keep theirs.
                boost = np.where(forced, 1e7, 0.0)
            else:
                chosen |= forced
                extra += self.params.dictionary_candidates
                boost = np.zeros_like(logp)
        else:
            boost = np.zeros_like(logp)
        m = min(n_groups, max(k + max(1, k // 2) + extra, at_least))
        # (every key of a row differs: the naive Bayes ranks do; so the best m, sorted, are the order)
        key = np.where(chosen, 0.0, -1e6) - nb_rank + boost
        if m < n_groups:
            best = np.argpartition(-key, m - 1, axis=1)[:, :m]
            order = np.argsort(-np.take_along_axis(key, best, axis=1), axis=1)
            cand = np.take_along_axis(best, order, axis=1)
        else:
            cand = np.argsort(-key, axis=1)

        c_logp = np.maximum(np.take_along_axis(logp, cand, axis=1), -30.0)
        best_logp = np.maximum(logp.max(axis=1, keepdims=True), -30.0)
        c_knn = np.take_along_axis(knn, cand, axis=1)
        best_knn = knn.max(axis=1, keepdims=True)
        # Head word model: P(group | the query's head words), smoothed towards the group prior.
        head_rows = (queries[:, self.head_cols] > 0).astype(np.float32) if self.head_cols.size else None
        if head_rows is not None:
            counts = (head_rows @ self.head_counts).toarray().astype(np.float64)
        else:
            counts = np.zeros((n, n_groups))
        totals = counts.sum(axis=1, keepdims=True)
        beta = self.params.head_smoothing
        head_logp = np.log((counts + beta * self.head_prior[None, :]) / (totals + beta))
        has_head = np.broadcast_to((totals > 0).astype(np.float64), cand.shape)
        c_head = np.where(has_head > 0, np.take_along_axis(head_logp, cand, axis=1), 0.0)
        # Mass of the candidate's ISCO-3 group under naive Bayes (back-off evidence).
        mass3 = self._isco3_mass(np.exp(logp))
        c_mass3 = np.log(np.maximum(np.take_along_axis(mass3, cand, axis=1), 1e-12))
        c_nb_rank = np.take_along_axis(nb_rank, cand, axis=1)
        c_knn_rank = np.take_along_axis(knn_rank, cand, axis=1)
        columns = [
            c_logp,
            np.exp(c_logp),
            np.maximum(c_logp - best_logp, -30.0),
            np.log1p(c_nb_rank),
            c_knn,
            c_knn - best_knn,
            np.log1p(c_knn_rank),
            np.maximum(c_head, -30.0),
            has_head,
            c_mass3,
            (c_nb_rank == 0).astype(np.float64),
            (c_knn_rank == 0).astype(np.float64),
            np.take_along_axis(desc, cand, axis=1),
        ]
        mod = self._modifier_scores(queries)
        if mod is not None:
            c_mod = np.take_along_axis(mod[0], cand, axis=1)
            flag = np.broadcast_to(mod[1][:, None], cand.shape)
            columns += [np.where(flag > 0, np.maximum(c_mod, -30.0), 0.0), flag]
        if sem is not None:
            columns += _scorer_columns(sem, sem_rank, cand)
        if svm is not None:
            columns += _scorer_columns(svm, svm_rank, cand)
        smooth = self._svm_scores(queries, smooth=True)
        if smooth is not None:
            columns += _scorer_columns(smooth, _ranks(smooth), cand)
        if vectors is not None:
            # (every row has ties: the groups without a Finnish label)
            columns += _scorer_columns(vectors, _ranks(vectors, ties_likely=True), cand)
        if expansion is not None:
            # Last, so that the staged re-ranker (``dictionary_staged``) can fit them on their own.
            columns += [np.take_along_axis(part, cand, axis=1) for part in np.moveaxis(expansion, 2, 0)]
        features = np.stack(columns, axis=-1)
        return cand, features

    def _isco3_mass(self, prob: np.ndarray) -> np.ndarray:
        """Queries × groups: the sum of ``prob`` over the groups of each group's ISCO-3 group.

        Summed group by group (not by a matrix product, whose order of summing can depend on a row's
        place in the batch), so a title's sums do not depend on the other titles.
        """

        def build() -> tuple[np.ndarray, np.ndarray]:
            # the codes are sorted, so the groups of an ISCO-3 group are next to each other
            prefix = np.array([code[:3] for code in self.group_codes])
            first = np.r_[True, prefix[1:] != prefix[:-1]]
            return np.flatnonzero(first), np.cumsum(first) - 1

        starts, parent = self._kept("_isco3", self.group_codes, build)
        if prob.shape[1] == 0:
            return prob
        sums = np.add.reduceat(prob, starts, axis=1)
        return np.asarray(sums[:, parent])

    def _ranked(
        self, texts: Sequence[str], k: int, prepared: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[Analysis]]:
        """(queries × k group indices, their scores, label similarities, the texts as read by
        :meth:`_prepared` and their analyses), best group first; ``prepared`` when the caller has them.

        The ranking is the re-ranker's when it is fitted, else naive Bayes'; the scores are the
        calibrated probabilities (the raw posterior when there is no calibration).
        """
        prepared = self._prepared(texts) if prepared is None else list(prepared)
        logp, sims, queries, expansion, analyses = self._scores_expanded(texts, prepared)
        width = max(k, 5)
        if self.params.rerank and self.stacker.fitted:
            margin = self.params.diversity_margin
            cand, features = self._candidates(
                logp,
                sims,
                queries,
                at_least=width + (10 if margin else 0),
                expansion=expansion,
                vectors=self._vector_scores(prepared),
            )
            order, ranked = self.stacker.ranked(features, width + (10 if margin else 0))
            groups = np.take_along_axis(cand, order, axis=1)
            if margin > 0:
                groups, ranked = self._diversify(groups, ranked, width, margin)
            groups, ranked = groups[:, :k], ranked[:, :width]
        else:
            order = np.argsort(-logp, axis=1, kind="stable")[:, :width]
            ranked = np.take_along_axis(logp, order, axis=1)
            groups = order[:, :k]
        if self.params.exact_labels:
            groups = self._exact_first(prepared, groups)
        query = self._knownness(analyses) if self.calibration.n_query else None
        scores = self.calibration.apply(ranked, query)[:, :k]
        # The groups of one query cannot sum above one.
        total = scores.sum(axis=1, keepdims=True)
        scores = np.where(total > 1.0, scores / np.maximum(total, 1e-12), scores)
        return groups, scores, sims, prepared, analyses

    def _exact_first(self, prepared: Sequence[str], groups: np.ndarray) -> np.ndarray:
        """``groups`` with, for each text that is exactly an occupation's preferred label (``prepared``:
        as :meth:`_prepared` reads it), the groups of the occupations so named moved to the front.

        The re-ranker cannot learn this: it is fitted on labels held out of the index, which never
        meet themselves there, so an occupation's own name could lose to a group with more labels like
        it (``taidemaalari``, a painter and artist, went to the surface treaters of ships). Alternative
        labels do not count: many are the generic word of several occupations (``siivooja`` is one of
        the domestic cleaner's, while most cleaners in Finland clean offices and institutions).
        Only the order changes: the scores stay with the places, so they stay non-increasing.
        """
        exact = self._exact_index()
        out = groups
        for row, text in enumerate(prepared):
            holders = exact.get(text)
            if not holders:
                continue
            listed = [int(g) for g in groups[row]]
            first = sorted(holders, key=lambda g: listed.index(g) if g in listed else len(listed))
            order = first + [g for g in listed if g not in holders]
            if out is groups:
                out = groups.copy()
            out[row] = order[: len(listed)]
        return out

    def _exact_index(self) -> dict[str, tuple[int, ...]]:
        """The groups of the occupations whose preferred label (fi/sv/en) each normalised text is."""

        def build() -> dict[str, tuple[int, ...]]:
            group_of_doc = self._group_of_docs(len(self.doc_texts))
            found: dict[str, set[int]] = {}
            for text, weight, pref, group in zip(
                self.doc_texts,
                self.doc_weights.tolist(),
                self.doc_is_pref.tolist(),
                group_of_doc.tolist(),
                strict=True,
            ):
                if weight > 0 and pref and text:
                    found.setdefault(text, set()).add(int(group))
            return {text: tuple(sorted(g)) for text, g in found.items()}

        return self._of_index("_exact", build)

    def _of_index(self, name: str, build: Callable[[], _T]) -> _T:
        """``build()``, kept under ``name`` until the documents' weights change (a copy made by
        :meth:`without_texts` has weights of its own, so it builds its own)."""
        return self._kept(name, self.doc_weights, build)

    def _kept(self, name: str, source: object, build: Callable[[], _T]) -> _T:
        """``build()``, kept under ``name`` while ``source`` (an array it is made from) is the same object."""
        cached = self.__dict__.get(name)
        if cached is None or cached[0] is not source:
            cached = (source, build())
            self.__dict__[name] = cached
        return cast(_T, cached[1])

    def _diversify(
        self, groups: np.ndarray, logp: np.ndarray, width: int, margin: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Reorder each row so that places 3.. prefer ISCO-3 parents not yet listed (see params)."""
        parents = np.array([code[:3] for code in self.group_codes])
        out_g = np.empty((groups.shape[0], width), dtype=groups.dtype)
        out_p = np.empty((groups.shape[0], width))
        for row in range(groups.shape[0]):
            rest = list(range(groups.shape[1]))
            picked: list[int] = []
            seen: set[str] = set()
            while len(picked) < width and rest:
                choice = rest[0]
                if len(picked) >= 2 and parents[groups[row, choice]] in seen:
                    for j in rest[1:]:
                        if logp[row, j] < logp[row, choice] - margin:
                            break
                        if parents[groups[row, j]] not in seen:
                            choice = j
                            break
                rest.remove(choice)
                picked.append(choice)
                seen.add(parents[groups[row, choice]])
            out_g[row, : len(picked)] = groups[row, picked]
            out_p[row, : len(picked)] = logp[row, picked]
        return out_g, out_p

    def _best_occupations(self, sims: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Queries × places: the occupation (index into ``occ_uris``, -1 for none) of each listed group
        (``groups``) whose label is most like the query (``sims``: queries × documents).

        On equal similarity an occupation's preferred label beats another's alternative label, and
        the first document wins; a document of no occupation (a group name) is never chosen. A group
        whose documents are all of no occupation gets its first occupation.
        """
        n, places = groups.shape
        if groups.size == 0:
            return np.full((n, places), -1, dtype=np.int64)
        ends = np.append(self.group_starts[1:], self.doc_occ_index.size)
        lo, hi = self.group_starts[groups].ravel(), ends[groups].ravel()
        lengths = hi - lo  # (none is 0: every group has documents, or it would not be one)
        # every listed group's documents, one segment after the other
        seg_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        cols = np.arange(lengths.sum()) - np.repeat(seg_starts - lo, lengths)
        rows = np.repeat(np.repeat(np.arange(n), places), lengths)
        values = sims[rows, cols] + self._occupation_bonus()[cols]
        best = np.repeat(np.maximum.reduceat(values, seg_starts), lengths)
        hits = np.flatnonzero(values == best)
        # the first hit of each segment
        segment = np.repeat(np.arange(lengths.size), lengths)[hits]
        first = hits[np.flatnonzero(np.diff(segment, prepend=-1))]
        occ = self.doc_occ_index[cols[first]]
        if (occ < 0).any():
            occ = np.where(occ >= 0, occ, self._first_occupations()[groups.ravel()])
        return occ.reshape(n, places)

    def _occupation_bonus(self) -> np.ndarray:
        """What :meth:`_best_occupations` adds to a document's similarity: 0.01 for a preferred label,
        minus infinity for a document of no occupation."""
        return self._kept(
            "_bonus",
            self.doc_occ_index,
            lambda: np.where(self.doc_occ_index >= 0, 0.01 * self.doc_is_pref, -np.inf),
        )

    def _first_occupations(self) -> np.ndarray:
        """Each group's first occupation (index into ``occ_uris``), -1 for a group with none."""
        out = np.full(len(self.group_codes), -1, dtype=np.int64)
        members = np.flatnonzero(self.occ_group >= 0)
        groups, first = np.unique(self.occ_group[members], return_index=True)
        out[groups] = members[first]
        return out

    def code_many(
        self,
        texts: Sequence[str],
        *,
        top: int = 5,
        lang: str = "fi",
        batch_size: int = 256,
        workers: int | None = None,
    ) -> list[list[Candidate]]:
        """Candidates for each text, best first, one ISCO-4 group per candidate.

        An empty text, or one with no character or word in common with any label, gets no candidates.
        More than ``batch_size`` texts are coded in batches on up to ``workers`` threads (default:
        :func:`coder_workers`); the candidates are the same whatever the number of threads.
        """
        workers = coder_workers() if workers is None else max(1, workers)
        with one_library_thread():
            return self._code_many(texts, top=top, lang=lang, batch_size=batch_size, workers=workers)

    def alternatives(self, text: str) -> list[str]:
        """The titles that ``text`` names as alternatives (``[text]`` when it names one).

        Split at a slash or a whole-word "or" (:func:`alue.matching.text.split_alternatives`; a piece
        of nothing but job-ad words, as in ``Varastotyöntekijä / kesätyö``, is no alternative), or at
        the hyphens of a word whose hyphenated parts are each a one-word title of the index and which
        is not one itself (``kokki-tarjoilija``, ``hitsaaja-levyseppä``; not ``linja-autonkuljettaja``).
        """
        if not self.params.split_alternatives:
            return [text]
        parts = split_alternatives(text)
        if len(parts) > 1 and self.params.strip_title_noise:
            # "Varastotyöntekijä / kesätyö": one title and job-ad words, which the cleaning removes
            noise = default_title_noise()
            parts = [p for p in parts if not noise.is_noise(p)]
        if len(parts) > 1:
            return parts
        words = normalize(text).split()
        if len(words) == 1 and "-" in words[0]:
            titles = self._one_word_titles()
            halves = words[0].split("-")
            if words[0] not in titles and len(halves) > 1 and all(h in titles for h in halves):
                return halves
        return [text]

    def _one_word_titles(self) -> frozenset[str]:
        """The indexed one-word texts that are not descriptions (labels and group names)."""
        return self._of_index(
            "_titles", lambda: frozenset(text for text in self._label_texts() if " " not in text)
        )

    def _label_texts(self) -> frozenset[str]:
        """The indexed texts that are not descriptions (labels, group names, confirmed titles)."""
        return self._of_index(
            "_labels",
            lambda: frozenset(
                text
                for text, weight, desc in zip(self.doc_texts, self.doc_weights, self.doc_is_desc, strict=True)
                if weight > 0 and not desc and text
            ),
        )

    def _degree_occupations(self) -> dict[str, tuple[int, ...]]:
        """Each degree title of ``degree_titles.yaml`` → the occupations (indices) it prepares for.

        The occupations are named by their Finnish preferred labels; a label this taxonomy does not
        have is left out with a warning, and so is a second occupation of the same ISCO-4 group.
        """
        table = default_degree_titles()
        cached = self.__dict__.get("_degrees")
        if cached is not None and cached[0] is table:  # (a coder read from the cache has another's)
            return cast(dict[str, tuple[int, ...]], cached[1])
        by_label: dict[str, int] = {}
        for index, uri in enumerate(self.occ_uris):
            label = self.occ_labels.get(uri, {}).get("fi")
            if label:
                by_label.setdefault(label, index)
        out: dict[str, tuple[int, ...]] = {}
        for title, degree in table.items():
            found: list[int] = []
            for label in degree.occupations:
                occ = by_label.get(label)
                if occ is None:
                    _log.warning(
                        "degree title %r: no occupation is labelled %r in this taxonomy", title, label
                    )
                elif all(self.occ_group[occ] != self.occ_group[other] for other in found):
                    found.append(occ)
            if found:
                out[title] = tuple(found)
        self.__dict__["_degrees"] = (table, out)
        return out

    def _degree_candidates(
        self, prepared: str, coded: list[Candidate], top: int, lang: str
    ) -> list[Candidate] | None:
        """The candidates of a degree title (``prepared``: as :meth:`_prepared` reads it), or None.

        A text that is exactly a degree title of ``degree_titles.yaml`` and no label of the index
        (ESCO's labels and confirmed titles win) gets the degree's occupations first, one per ISCO-4
        group, sharing :data:`DEGREE_SCORE` equally: the table says which work the degree prepares for,
        not which of it this person does. The coder's own candidates (``coded``) follow, scaled to share
        what is left, so the scores still sum to at most 1.
        """
        if not self.params.degree_titles or prepared in self._label_texts():
            return None
        occupations = self._degree_occupations().get(prepared)
        if not occupations:
            return None
        share = DEGREE_SCORE / len(occupations)
        first = [
            Candidate(
                uri=self.occ_uris[occ],
                isco=self.group_codes[int(self.occ_group[occ])],
                label=self.occupation_label(self.occ_uris[occ], lang),
                score=share,
            )
            for occ in occupations
        ]
        return lead_with(first, coded, DEGREE_SCORE, top)

    def readings(self, text: str) -> list[str]:
        """The texts that ``text`` is coded as: its alternatives (:meth:`alternatives`), each followed
        by its Finnish reading when it has one (:meth:`finnish_reading`)."""
        out: list[str] = []
        for alternative in self.alternatives(text):
            out.append(alternative)
            finnish = self.finnish_reading(alternative)
            if finnish:
                out.append(finnish)
        return out

    def finnish_reading(self, title: str) -> str | None:
        """``title`` read in Finnish word by word (:mod:`alue.matching.translation`;
        ``CoderParams.translate``) when, as the coder reads it (:meth:`_prepared`), it reads as Swedish or
        English, is not a label of the index and was not rewritten by the everyday-word rules
        (``synonyms.yaml``: ``HR specialist`` is read as ``human resources specialist`` and no further);
        else None."""
        cleaned = self._cleaned([title])[0]
        return self._finnish_reading(cleaned, self._rewritten(cleaned))

    def _finnish_reading(self, cleaned: str, prepared: str) -> str | None:
        """:meth:`finnish_reading` of a title read by :meth:`_cleaned` and then :meth:`_rewritten`."""
        if self.translations is None:
            return None
        if prepared in self._label_texts() or prepared != cleaned:
            return None  # an occupation's own name, or a title the rules read
        return self.translations.reading(prepared)

    def _code_many(
        self, texts: Sequence[str], *, top: int, lang: str, batch_size: int, workers: int = 1
    ) -> list[list[Candidate]]:
        """Each text coded as its alternatives (:meth:`alternatives`), each alternative with its Finnish
        reading (:meth:`finnish_reading`) when it has one, the lists merged.

        An alternative and its Finnish reading: the reading's scores weigh ``w = (1 - p) / 2`` and the
        alternative's ``1 - w``, where ``p`` is the alternative's first score, so the reading counts for
        more the less sure the coder is of the title as written (a word-by-word reading can be wrong).
        Alternatives: the merged score of a group is the mean of its scores over the alternatives (a
        title of two occupations is either with equal probability), so a group both name comes first.
        The candidate's occupation is that of the list that scores the group highest.
        """
        parts = [self.alternatives(t) for t in texts]
        flat = [p for alternatives in parts for p in alternatives]
        cleaned = self._cleaned(flat)
        prepared = [self._rewritten(c) for c in cleaned]
        readings = [self._finnish_reading(c, p) for c, p in zip(cleaned, prepared, strict=True)]
        read = [i for i, reading in enumerate(readings) if reading]
        # a merged list needs more than ``top`` groups from each list
        width = top if len(flat) == len(texts) else max(top, 5)

        def code(indices: list[int], extra: list[str], top: int) -> list[list[Candidate]]:
            texts = [flat[i] for i in indices] + extra
            ready = [prepared[i] for i in indices] + self._prepared(extra)
            return self._code_plain(
                texts, top=top, lang=lang, batch_size=batch_size, workers=workers, prepared=ready
            )

        plain = [i for i, reading in enumerate(readings) if not reading]
        coded: list[list[Candidate]] = [[] for _ in flat]
        for i, candidates in zip(plain, code(plain, [], width), strict=True):
            coded[i] = candidates
        if read:
            both = code(read, [readings[i] or "" for i in read], max(width, 10))
            for i, written, finnish in zip(read, both[: len(read)], both[len(read) :], strict=True):
                weight = (1.0 - (written[0].score if written else 0.0)) / 2
                coded[i] = _merged([(written, 1.0 - weight), (finnish, weight)], width)
        results: list[list[Candidate]] = []
        position = 0
        for alternatives in parts:
            lists = coded[position : position + len(alternatives)]
            position += len(alternatives)
            if len(lists) == 1:
                results.append(lists[0][: max(1, top)])
            else:
                results.append(_merged([(candidates, 1 / len(lists)) for candidates in lists], max(1, top)))
        return results

    def _code_plain(
        self,
        texts: Sequence[str],
        *,
        top: int,
        lang: str,
        batch_size: int,
        workers: int = 1,
        prepared: Sequence[str] | None = None,
    ) -> list[list[Candidate]]:
        """Each text coded as one title, in batches of ``batch_size``, on up to ``workers`` threads
        (``prepared``: the texts as :meth:`_prepared` reads them, when the caller has them).

        Batches are independent (a text's candidates do not depend on the others of its batch), so
        they can be coded at once: most of the time goes to sparse products and array operations that
        run without the interpreter lock.
        """
        top = max(1, top)
        ready = self._prepared(texts) if prepared is None else list(prepared)
        batches = [
            (list(texts[start : start + batch_size]), ready[start : start + batch_size])
            for start in range(0, len(texts), batch_size)
        ]
        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
                coded = list(pool.map(lambda b: self._code_batch(b[0], b[1], top, lang), batches))
        else:
            coded = [self._code_batch(batch, batch_ready, top, lang) for batch, batch_ready in batches]
        return [candidates for batch in coded for candidates in batch]

    def _code_batch(
        self, batch: list[str], batch_prepared: list[str], top: int, lang: str
    ) -> list[list[Candidate]]:
        nonempty = [i for i, t in enumerate(batch) if normalize(t)]
        out: list[list[Candidate]] = [[] for _ in batch]
        if not nonempty:
            return out
        k = min(top, len(self.group_codes))
        groups, probs, sims, prepared, analyses = self._ranked(
            [batch[i] for i in nonempty], k, [batch_prepared[i] for i in nonempty]
        )
        occupations = self._best_occupations(sims, groups)
        for row, i in enumerate(nonempty):
            if not np.any(sims[row] > 0):
                # nothing in common with any label; a degree title (``KTM``) still names its work
                out[i] = self._degree_candidates(prepared[row], [], top, lang) or []
                continue
            for rank in range(groups.shape[1]):
                group = int(groups[row, rank])
                occ = int(occupations[row, rank])
                if occ < 0:
                    continue
                uri = self.occ_uris[occ]
                out[i].append(
                    Candidate(
                        uri=uri,
                        isco=self.group_codes[group],
                        label=self.occupation_label(uri, lang),
                        score=float(probs[row, rank]),
                    )
                )
            cap = self._generic_cap(prepared[row], analyses[row])
            if cap is not None and out[i] and out[i][0].score > cap:
                scale = cap / out[i][0].score
                out[i] = [replace(c, score=c.score * scale) for c in out[i]]
            out[i] = self._degree_candidates(prepared[row], out[i], top, lang) or out[i]
        return out

    def _generic_cap(self, prepared: str, analysis: Analysis | None = None) -> float | None:
        """The highest score a generic title (``prepared``: as :meth:`_prepared` reads it; ``analysis``:
        its analysis, when already made) may have, or None when it is not one.

        A generic title is one word, no compound, that no label of the index is (nor its base form),
        and that is the head of labels of at least :data:`GENERIC_MIN_GROUPS` ISCO-4 groups
        (``opettaja`` heads ``kemian opettaja``, ``erityisopettaja``, ``musiikin opettaja``…). Labels
        that share a head are told apart by their other words; the title has none, so it can be no
        surer of a group than the share of those labels that the group has (labels weighted as in the
        index). The re-ranker cannot learn this: it is fitted on ESCO's labels, and few of them are a
        bare head.
        """
        if not self.params.generic_titles or " " in prepared or prepared in self._label_texts():
            return None
        if analysis is None:
            analysis = self.lexicon.analyze(prepared, normalized=True)
        if len(analysis.lemmas) != 1 or tuple(analysis.heads) != (analysis.words[0],):
            return None
        if analysis.words[0] in self._label_texts():  # an inflected label: leipurit is leipuri
            return None
        shares = self._head_shares()
        found = shares.get(analysis.heads[0])
        if found is None or found[0] < GENERIC_MIN_GROUPS:
            return None
        return found[1]

    def _head_shares(self) -> dict[str, tuple[int, float]]:
        """Head word → (how many groups have labels with that head, the largest group's share of
        them), over the indexed labels (not descriptions)."""

        def build() -> dict[str, tuple[int, float]]:
            label_weights = np.where(~self.doc_is_desc, self.doc_weights, 0.0).astype(np.float64)
            assign = self._doc_groups(label_weights)
            counts = ((self.doc_matrix_t[self.head_cols] > 0).astype(np.float64) @ assign).toarray()
            totals = counts.sum(axis=1)
            spread = (counts > 0).sum(axis=1)
            best = counts.max(axis=1) if counts.size else np.zeros(0)
            names = {col: key[2:] for key, col in self.vectorizer.vocab.items() if key.startswith("h:")}
            return {
                names[int(col)]: (int(spread[i]), float(best[i] / totals[i]))
                for i, col in enumerate(self.head_cols)
                if totals[i] > 0
            }

        return self._of_index("_shares_of_heads", build)

    def occupation_label(self, uri: str, lang: str = "fi") -> str:
        """An occupation's preferred label in ``lang`` (else Finnish, English, the URI)."""
        labels = self.occ_labels.get(uri, {})
        return labels.get(lang) or labels.get("fi") or labels.get("en") or uri

    def code(self, text: str, *, top: int = 5, lang: str = "fi") -> list[Candidate]:
        """Candidates for one text, best first (empty for an empty text)."""
        return self.code_many([text], top=top, lang=lang)[0]

    def ranked_groups(self, texts: Sequence[str], *, k: int = 10) -> tuple[list[list[str]], np.ndarray]:
        """The top ``k`` ISCO-4 codes per text and their scores (for evaluation)."""
        codes: list[list[str]] = []
        parts = []
        k = min(k, len(self.group_codes))
        for start in range(0, len(texts), 256):
            groups, scores, *_ = self._ranked(list(texts[start : start + 256]), k)
            parts.append(scores)
            codes.extend([[self.group_codes[g] for g in row] for row in groups])
        return codes, np.vstack(parts) if parts else np.zeros((0, k))

    def candidate_features(self, texts: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
        """The re-ranker's candidate ISCO-4 codes per text and their features (for fitting)."""
        codes: list[list[str]] = []
        parts = []
        for start in range(0, len(texts), 256):
            batch = list(texts[start : start + 256])
            prepared = self._prepared(batch)
            logp, sims, queries, expansion, _ = self._scores_expanded(batch, prepared)
            vectors = self._vector_scores(prepared)
            cand, features = self._candidates(logp, sims, queries, expansion=expansion, vectors=vectors)
            parts.append(features)
            codes.extend([[self.group_codes[g] for g in row] for row in cand])
        return codes, np.concatenate(parts) if parts else np.zeros((0, 0, len(STACK_FEATURES)))


#: Word-vector cosines are products of whole numbers (:func:`_cosine_units`): a unit vector's
#: components times this, rounded. Such a vector of d numbers is at most ``scale + sqrt(d) / 2`` long, so
#: every partial sum of the product of two is a whole number below 2**24 (Cauchy–Schwarz; d = 300):
#: exact in float32.
_COSINE_SCALE = 4000.0


def _cosine_units(vectors: np.ndarray) -> np.ndarray:
    """Rows of length 1 (or 0) as whole numbers of 1 / :data:`_COSINE_SCALE` (float32)."""
    return np.rint(np.asarray(vectors, dtype=np.float64) * _COSINE_SCALE).astype(np.float32)


def _exact_cosines(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Rows × matrix rows: the cosines of vectors made by :func:`_cosine_units` (to about 1e-4).

    Each product and every partial sum of it is a whole number that float32 holds exactly, so the
    result does not depend on how the BLAS library orders the sums, which depends on a row's place in
    the batch, the number of threads and the processor: a title's scores do not depend on its batch.
    """
    if (_COSINE_SCALE + 0.5 * np.sqrt(rows.shape[1])) ** 2 >= 2**24:
        raise ValueError(f"vectors of {rows.shape[1]} numbers are too long for exact cosines")
    return np.asarray(rows @ matrix.T) / np.float32(_COSINE_SCALE * _COSINE_SCALE)


def _merged(lists: Sequence[tuple[Sequence[Candidate], float]], top: int) -> list[Candidate]:
    """Candidate lists merged, each with its weight: a group's score is the weighted sum of its scores,
    its occupation that of the list that scores it highest; best first (on equal scores, the group of
    the earlier list), at most ``top``."""
    total: dict[str, float] = {}
    best: dict[str, Candidate] = {}
    for candidates, weight in lists:
        for cand in candidates:
            total[cand.isco] = total.get(cand.isco, 0.0) + cand.score * weight
            if cand.isco not in best or cand.score > best[cand.isco].score:
                best[cand.isco] = cand
    order = sorted(total, key=lambda isco: -total[isco])  # stable
    return [replace(best[isco], score=total[isco]) for isco in order[:top]]


def _ranks(scores: np.ndarray, *, ties_likely: bool = False) -> np.ndarray:
    """Queries × groups: each group's place (0 = best) in its row of ``scores``, ties in order.

    The order is a stable sort's. A row without equal scores has only one order, so it is sorted with
    the faster unstable sort, and only the rows with equal scores again with the stable one; with
    ``ties_likely`` (most rows have some: zeros), every row is sorted stably at once.
    """
    n, m = scores.shape
    neg = -scores
    if ties_likely:
        order = np.argsort(neg, axis=1, kind="stable")
    else:
        order = np.argsort(neg, axis=1)
        ordered = np.take_along_axis(neg, order, axis=1)
        tied = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if tied.size:
            order[tied] = np.argsort(neg[tied], axis=1, kind="stable")
    ranks = np.empty((n, m), dtype=np.int64)
    # (a flat scatter: faster than indexing with a row and a column array)
    flat = (order + (np.arange(n, dtype=np.int64) * m)[:, None]).reshape(-1)
    ranks.reshape(-1)[flat] = np.tile(np.arange(m, dtype=np.int64), n)
    return ranks


def _scorer_columns(scores: np.ndarray, ranks: np.ndarray, cand: np.ndarray) -> list[np.ndarray]:
    """A scorer's re-ranker features for the candidates: its score, gap to the best and rank (log)."""
    picked = np.take_along_axis(scores, cand, axis=1)
    return [
        picked,
        picked - scores.max(axis=1, keepdims=True),
        np.log1p(np.take_along_axis(ranks, cand, axis=1)),
    ]


def lead_with(
    first: Sequence[Candidate], coded: Sequence[Candidate], lead: float, top: int
) -> list[Candidate]:
    """``first`` (whose scores sum to ``lead``), then the candidates of ``coded`` in the other groups,
    scaled to share what is left so that the scores still sum to at most 1; at most ``top``."""
    listed = {c.isco for c in first}
    rest = [c for c in coded if c.isco not in listed]
    total = sum(c.score for c in rest)
    scale = min(1.0, (1.0 - lead) / total) if total > 0 else 1.0
    return [*first, *(replace(c, score=c.score * scale) for c in rest)][: max(1, top)]


def expansion_table(
    dictionary: Dictionary | None,
    params: CoderParams,
    thesaurus: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """Normalised one-word Finnish noun headword → its expansion text (normalised).

    The expansion is the English glosses of every sense and/or the Finnish definitions of the first
    ``params.dictionary_senses`` senses (``params.dictionary_text``), separated by commas.
    """
    use_en = params.dictionary_text in ("en", "both")
    use_fi = params.dictionary_text in ("fi", "both")
    out: dict[str, str] = {}
    for word, synonyms in (thesaurus or {}).items():
        out[word] = normalize(" , ".join(synonyms))
    for headword, entries in (dictionary.entries if dictionary is not None else {}).items():
        key = normalize(headword)
        if not key or " " in key:
            continue
        parts: list[str] = []
        for entry in entries:
            if entry.pos != "n":
                continue
            for i, sense in enumerate(entry.senses):
                if use_en:
                    parts.extend(sense.glosses)
                if use_fi and sense.definition and i < params.dictionary_senses:
                    parts.append(sense.definition)
        text = normalize(" , ".join(parts))
        if text:
            out[key] = f"{out[key]} , {text}" if key in out else text
    return out


def _lexicon_texts(docs: Sequence[_Doc], taxonomy: Taxonomy) -> dict[str, list[str]]:
    """Label texts per language for the lexicon (descriptions excluded: they are inflected prose)."""
    by_text_lang: dict[str, str] = {}
    for occ in taxonomy.occupations.values():
        for lang, label in occ.labels.items():
            by_text_lang.setdefault(label, lang)
        for lang, labels in occ.alt_labels.items():
            for label in labels:
                by_text_lang.setdefault(label, lang)
    for group in taxonomy.isco_groups.values():
        for lang, label in group.labels.items():
            by_text_lang.setdefault(label, lang)
    texts: dict[str, list[str]] = {"fi": [], "sv": [], "en": []}
    for doc in docs:
        if doc.kind == "desc":
            continue
        texts.setdefault(by_text_lang.get(doc.text, "fi"), []).append(doc.text)
    return texts


def _build_index(
    taxonomy: Taxonomy,
    docs: Sequence[_Doc],
    params: CoderParams,
    lexicon_class: type[Lexicon] = Lexicon,
    dictionary: Dictionary | None = None,
    thesaurus: dict[str, list[str]] | None = None,
) -> OccupationCoder:
    lexicon = lexicon_class.from_texts(
        _lexicon_texts(docs, taxonomy), morphology=params.morphology and morphology.available()
    )
    # Sort documents by (group, occupation) so that groups are contiguous column ranges.
    ordered = sorted(docs, key=lambda d: (d.isco4, d.occupation or "", d.kind, d.text))
    group_codes = sorted({d.isco4 for d in ordered})
    group_pos = {code: i for i, code in enumerate(group_codes)}
    group_starts = np.zeros(len(group_codes), dtype=np.int64)
    for i in range(len(ordered) - 1, -1, -1):
        group_starts[group_pos[ordered[i].isco4]] = i
    occ_uris = sorted(taxonomy.occupations, key=lambda u: (taxonomy.occupations[u].isco4, u))
    occ_pos = {uri: i for i, uri in enumerate(occ_uris)}
    occ_group = np.array([group_pos.get(taxonomy.occupations[u].isco4, -1) for u in occ_uris], dtype=np.int64)
    doc_occ_index = np.array([occ_pos[d.occupation] if d.occupation else -1 for d in ordered], dtype=np.int64)
    doc_weights = np.array([KIND_WEIGHTS[d.kind] for d in ordered], dtype=np.float32)

    vectorizer = _Vectorizer(params)
    norms = [normalize(d.text) for d in ordered]
    matrix = vectorizer.fit([lexicon.analyze(text, normalized=True) for text in norms])
    occ_labels = {uri: dict(occ.labels) for uri, occ in taxonomy.occupations.items()}
    coder = OccupationCoder(
        taxonomy_version=taxonomy.version,
        lexicon=lexicon,
        vectorizer=vectorizer,
        doc_matrix=matrix,
        doc_weights=doc_weights,
        doc_occ_index=doc_occ_index,
        group_codes=group_codes,
        group_starts=group_starts,
        occ_uris=occ_uris,
        occ_group=occ_group,
        occ_labels=occ_labels,
        params=params,
        doc_is_pref=np.array([d.kind == "pref" for d in ordered], dtype=np.float32),
        doc_is_desc=np.array([d.kind == "desc" for d in ordered], dtype=bool),
        expansions=(
            expansion_table(dictionary, params, thesaurus)
            if dictionary is not None or thesaurus is not None
            else None
        ),
        synonyms=thesaurus,
    )
    coder.doc_texts = norms
    directory = word_vectors_dir() if params.word_vectors and params.rerank else None
    if directory is not None:
        docs_compared = [i for i, d in enumerate(ordered) if d.lang == "fi" and d.kind in VECTOR_KINDS]
        coder.set_word_vectors(load_word_vectors(directory), np.array(docs_compared, dtype=np.int64))
    return coder


def held_out_queries(
    taxonomy: Taxonomy, *, fraction: float, seed: int, exclude: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """A grouped random sample of Finnish alternative labels as (label, ISCO-4) queries.

    Labels are grouped by their normalised text, so a held-out text is removed from every occupation
    that has it. Labels that equal a preferred label (always indexed) are never chosen. The caller
    indexes without ``{normalize(label) for label, _ in result}``.
    """
    preferred = {normalize(label) for occ in taxonomy.occupations.values() for label in occ.labels.values()}
    groups: dict[str, list[tuple[str, str]]] = {}
    for occ in taxonomy.occupations.values():
        for label in occ.alt_labels.get("fi", ()):
            norm = normalize(label)
            if norm and norm not in preferred and norm not in exclude:
                groups.setdefault(norm, []).append((label, occ.isco4))
    keys = sorted(groups)
    rng = random.Random(seed)
    rng.shuffle(keys)
    chosen = keys[: round(len(keys) * fraction)]
    out = []
    for key in chosen:
        label, isco = groups[key][0]
        # A text shared by occupations of different groups counts the group of its first holder.
        out.append((label, isco))
    return out


def build_coder(
    taxonomy: Taxonomy,
    *,
    extra_group_names: dict[str, set[str]] | None = None,
    exclude: frozenset[str] = frozenset(),
    params: CoderParams | None = None,
    lexicon_class: type[Lexicon] = Lexicon,
    dictionary: Dictionary | None = None,
    thesaurus: dict[str, list[str]] | None = None,
    local_titles: Sequence[tuple[str, str]] = (),
) -> OccupationCoder:
    """Build the coder for ``taxonomy``, never indexing the normalised texts in ``exclude``.

    ``local_titles``: ``(title, ESCO URI)`` pairs confirmed by the area's staff
    (:mod:`alue.matching.confirmed`), indexed like alternative labels.

    ``lexicon_class`` replaces the text normalisation (the benchmark compares alternatives).
    With ``params.dictionary``, query words that no label has are expanded with ``dictionary``
    (Finnish–English) and ``thesaurus`` (:func:`alue.matching.dictionary.thesaurus_table`); by default
    both are read from
    :func:`alue.matching.dictionary.dictionary_dir`, and what is not there expands nothing.

    Calibration is cross-fitted: the Finnish alternative labels are split into folds, each fold is
    coded by an index built without it, and a logistic model maps the raw scores to probabilities.
    """
    params = params or CoderParams()
    docs = collect_documents(
        taxonomy,
        extra_group_names=extra_group_names,
        exclude=exclude,
        use_descriptions=params.use_descriptions,
        description_sentences=params.description_sentences,
        local_titles=local_titles,
    )
    if not params.dictionary:
        dictionary, thesaurus = None, None
    else:
        if dictionary is None and params.dictionary_text != "none":
            dictionary = load_dictionary()
        if not params.thesaurus:
            thesaurus = None
        elif thesaurus is None:
            thesaurus = load_thesaurus()
    coder = _build_index(taxonomy, docs, params, lexicon_class, dictionary, thesaurus)
    if params.translate:
        coder.translations = learn_translations(
            [
                *(occ.labels for occ in taxonomy.occupations.values()),
                *(group.labels for group in taxonomy.isco_groups.values()),
                *(skill.labels for skill in taxonomy.skills.values()),
            ],
            (doc.text for doc in docs if doc.lang == "fi"),
            exclude=exclude,
            lemma=coder.lexicon.lemma,
        )
    if params.dictionary and not coder.expansions:
        _log.warning(
            "no FreeDict dictionaries in %s: the occupation coder codes without them "
            "(Debian: apt-get install dict-freedict-fin-eng dict-freedict-eng-fin …; see README)",
            dictionary_dir(),
        )
    if params.morphology and not morphology.available():
        _log.warning(
            "Voikko (PyPI package %s) is not installed: the occupation coder reads the words its labels "
            "do not have without it (make install)",
            morphology.PACKAGE,
        )
    if params.calibration_folds > 0:
        queries = held_out_queries(taxonomy, fraction=1.0, seed=params.seed, exclude=exclude)
        logps: list[np.ndarray] = []
        corrects: list[np.ndarray] = []
        stack_x: list[np.ndarray] = []
        stack_y: list[np.ndarray] = []
        stage2_x: list[np.ndarray] = []
        stage2_y: list[np.ndarray] = []
        known: list[np.ndarray] = []
        staged = params.dictionary and params.dictionary_staged and bool(coder.expansions)
        folds = params.calibration_folds
        parts = [queries[fold::folds] for fold in range(folds)]
        fold_coders = [
            coder.without_texts(frozenset(normalize(label) for label, _ in part)) if part else None
            for part in parts
        ]
        _fit_svms([coder, *(c for c in fold_coders if c is not None)])
        for fold, part in enumerate(parts):
            fold_coder, fold_coders[fold] = fold_coders[fold], None  # (let it go when the fold is done)
            if not part or fold_coder is None:
                continue
            # Staged: the first stage and the calibration are fitted without the dictionary.
            fold_coder.expansion_off = staged
            texts = [label for label, _ in part]
            codes, logp = fold_coder.ranked_groups(texts, k=5)  # naive Bayes order: not yet fitted
            logps.append(np.log(np.maximum(logp, 1e-300)))
            corrects.append(
                np.array([[c == isco for c in row] for row, (_, isco) in zip(codes, part, strict=True)])
            )
            if params.calibration_knownness:
                known.append(fold_coder.knownness(texts))
            if params.rerank:
                cand_codes, features = fold_coder.candidate_features(texts)
                stack_x.append(features)
                stack_y.append(
                    np.array(
                        [[c == isco for c in row] for row, (_, isco) in zip(cand_codes, part, strict=True)]
                    )
                )
                if staged and params.dictionary_features:
                    fold_coder.expansion_off = False
                    expanded = [i for i, e in enumerate(fold_coder.dictionary_expansions(texts)) if e]
                    if expanded:
                        cand_codes, features = fold_coder.candidate_features([texts[i] for i in expanded])
                        stage2_x.append(features)
                        stage2_y.append(
                            np.array(
                                [
                                    [c == part[i][1] for c in row]
                                    for row, i in zip(cand_codes, expanded, strict=True)
                                ]
                            )
                        )
        if stack_x:
            features, correct = np.concatenate(stack_x), np.concatenate(stack_y)
            separate = len(DICTIONARY_FEATURES) if staged and params.dictionary_features else 0
            coder.stacker.fit(features, correct, separate=separate)
            if coder.stacker.fitted:
                order, ranked = coder.stacker.ranked(features, 5)
                query = np.concatenate(known) if known else None
                coder.calibration.fit(ranked, np.take_along_axis(correct, order, axis=1), query)
                if stage2_x:
                    coder.stacker.fit_stage2(np.concatenate(stage2_x), np.concatenate(stage2_y), separate)
        if logps and not coder.stacker.fitted:
            coder.calibration.fit(np.vstack(logps), np.vstack(corrects))
    return coder


def _linear_svm(
    matrix: sp.csr_matrix, groups: np.ndarray, weights: np.ndarray, n_groups: int, *, c: float, prune: float
) -> tuple[sp.csr_matrix, np.ndarray]:
    """(features × groups sparse weights, the groups' intercepts) of a one-vs-rest linear SVM; weights
    under ``prune`` (absolute) are dropped."""
    from sklearn.svm import LinearSVC

    n_features = matrix.shape[1]
    model = LinearSVC(C=c, tol=1e-3, random_state=0)
    model.fit(matrix, groups, sample_weight=weights)
    classes = np.asarray(model.classes_, dtype=np.int64)
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
    if classes.size == 2:  # liblinear keeps one vector for two classes
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    rows, cols = np.nonzero(np.abs(coef) >= prune)
    sparse = sp.csr_matrix(
        (coef[rows, cols], (cols, classes[rows])), shape=(n_features, n_groups), dtype=np.float32
    )
    full = np.full(n_groups, float(intercept.min()) - 10.0)
    full[classes] = intercept
    return sparse, full


def _fit_svms(coders: Sequence[OccupationCoder]) -> None:
    """Fit the linear SVMs of ``coders`` (the coder and its calibration folds) in up to
    :func:`coder_workers` processes.

    Processes, not threads: liblinear draws from the C library's process-wide ``rand()``, so fits on
    threads of one process disturb each other's draws and the built coder differed from build to build
    (scikit-learn issue #8410). In processes of their own, each fit is the same as alone.
    """
    todo = [c for c in coders if c.uses_svm]
    fits = [(coder, smooth, c) for coder in todo for smooth, c in coder.svm_settings()]
    workers = min(coder_workers(), len(fits))
    if workers <= 1:
        for coder in todo:
            coder.fit_svm()
        return
    data = {id(coder): coder.svm_data() for coder in todo}
    # Forked when this process runs no other thread (a script, a test worker, the command line): the
    # children start at once and do not import the script again. A process with threads (the web app,
    # which builds in the background) spawns fresh ones, since a fork can copy a lock another thread holds.
    method = (
        "fork"
        if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
        else "spawn"
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        futures = [
            pool.submit(_linear_svm, *data[id(coder)], c=c, prune=coder.params.svm_prune)
            for coder, _, c in fits
        ]
        for (coder, smooth, _), future in zip(fits, futures, strict=True):
            coder.set_svm(smooth, future.result())


@lru_cache(maxsize=8)
def _warn_vectors_missing(directory: Path | None) -> None:
    _log.warning(
        "the occupation coder was built with the word vectors of %s, which are no longer there: it "
        "codes without them (rebuild it, or install them again: make install)",
        directory,
    )


def cache_dir() -> Path:
    """Where built coders are cached: ``$ALUE_CACHE_DIR`` or ``$XDG_CACHE_HOME/alue`` (``~/.cache/alue``)."""
    explicit = os.environ.get("ALUE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alue"


@lru_cache(maxsize=16)
def _file_digest(path: Path, size: int, mtime_ns: int) -> bytes:
    """SHA-256 of a file's contents, read again only when its size or modification time changes (the
    cache key is computed on every request that looks for a coder)."""
    del size, mtime_ns  # part of the cache key only
    return hashlib.sha256(path.read_bytes()).digest()


def _cache_key(data_dir: Path, params: CoderParams, local_titles: Sequence[tuple[str, str]] = ()) -> str:
    digest = hashlib.sha256()
    digest.update(INDEX_VERSION.encode())
    if local_titles:
        digest.update(json.dumps(sorted(local_titles), ensure_ascii=False).encode())
    digest.update(repr(params).encode())
    digest.update(repr(sorted(KIND_WEIGHTS.items())).encode())
    # The rule files shipped beside this module: the build codes labels with them (calibration).
    for name in RULE_FILES:
        path = RULE_DIR / name
        stat = path.stat()
        digest.update(_file_digest(path, stat.st_size, stat.st_mtime_ns))
    stats_file = data_dir / "stats" / "occupation_labour_market_fi_national.csv"
    files = [*data_files(data_dir), stats_file]
    if params.dictionary:
        files.extend(dictionary_files() or [])
    if params.dictionary and params.thesaurus:
        files.extend(into_finnish_files())
    if params.word_vectors and params.rerank:
        files.extend(vectors_files())
    if params.morphology:
        files.extend(morphology.morphology_files())
    for path in files:
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


_LOADED: dict[tuple[Path, CoderParams, str], OccupationCoder] = {}
_LOADED_LOCK = threading.Lock()
#: Cached coders kept on disk besides the one just built.
_CACHE_KEEP = 2


def _resolve(data_dir: Path | None, params: CoderParams | None) -> tuple[Path, CoderParams]:
    if data_dir is None:
        from alue.settings import get_settings

        data_dir = get_settings().data_dir
    return Path(data_dir).resolve(), params or CoderParams()


def find_coder(
    data_dir: Path | None = None,
    *,
    params: CoderParams | None = None,
    use_cache: bool = True,
    local_titles: Sequence[tuple[str, str]] = (),
) -> OccupationCoder | None:
    """The coder :func:`load_coder` would give if it is in memory or in the disk cache, else None
    (nothing is built)."""
    data_dir, params = _resolve(data_dir, params)
    local_titles = tuple(local_titles)
    key = _cache_key(data_dir, params, local_titles)
    memo_key = (data_dir, params, key)
    with _LOADED_LOCK:
        if memo_key in _LOADED:
            return _LOADED[memo_key]
    path = cache_dir() / f"occupation-coder-{key}.pickle"
    if not (use_cache and path.is_file()):
        return None
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)  # noqa: S301 - our own cache file
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(loaded, OccupationCoder):
        return None
    with contextlib.suppress(OSError):
        path.touch()  # last used: kept longest when other coders are cached
    _remember(memo_key, loaded, local_titles)
    return loaded


def latest_coder(
    data_dir: Path | None = None, *, params: CoderParams | None = None
) -> OccupationCoder | None:
    """The coder this process loaded last for ``data_dir`` and ``params`` (whatever its confirmed
    titles), or None."""
    data_dir, params = _resolve(data_dir, params)
    with _LOADED_LOCK:
        found = [coder for (d, p, _key), coder in _LOADED.items() if (d, p) == (data_dir, params)]
    return found[-1] if found else None


def _remember(
    memo_key: tuple[Path, CoderParams, str], coder: OccupationCoder, local_titles: tuple[Any, ...]
) -> None:
    with _LOADED_LOCK:
        if local_titles:
            # each change of the confirmed titles builds a new coder: keep the last two in memory
            older = [k for k in _LOADED if k[:2] == memo_key[:2] and k != memo_key]
            for stale_key in older[:-1]:
                del _LOADED[stale_key]
        _LOADED.pop(memo_key, None)
        _LOADED[memo_key] = coder  # the last entry is the latest (latest_coder)


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """Held while a coder is built for the disk cache, so that other processes and threads that need a
    coder (web workers, test workers) wait and then read it from the cache instead of building it at
    the same time. An exclusive ``flock`` on ``occupation-coder.lock`` in :func:`cache_dir`; where that
    is not possible (no ``fcntl``, a cache directory that cannot be written) nothing is locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    path = cache_dir() / "occupation-coder.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_coder(
    data_dir: Path | None = None,
    *,
    params: CoderParams | None = None,
    use_cache: bool = True,
    local_titles: Sequence[tuple[str, str]] = (),
) -> OccupationCoder:
    """The coder for the ESCO data in ``data_dir`` (default: the configured data directory).

    Kept in memory per process and on disk under :func:`cache_dir` (rebuilt when the data files
    change, or the ``local_titles`` confirmed by staff). A cache that cannot be written is silently
    skipped. The disk keeps the last three coders used; the memory keeps the last two per data
    directory and parameters once titles are confirmed. One coder is built at a time
    (:func:`_build_lock`): a caller that finds another building the same coder waits for it.
    """
    data_dir, params = _resolve(data_dir, params)
    local_titles = tuple(local_titles)
    found = find_coder(data_dir, params=params, use_cache=use_cache, local_titles=local_titles)
    if found is not None:
        return found
    if not use_cache:
        coder = _build_for(data_dir, params, local_titles)
        _remember((data_dir, params, _cache_key(data_dir, params, local_titles)), coder, local_titles)
        return coder
    with _build_lock():
        # Another process or thread may have built it while this one waited.
        found = find_coder(data_dir, params=params, local_titles=local_titles)
        if found is not None:
            return found
        key = _cache_key(data_dir, params, local_titles)
        coder = _build_for(data_dir, params, local_titles)
        _write_cache(cache_dir() / f"occupation-coder-{key}.pickle", coder)
        _remember((data_dir, params, key), coder, local_titles)
    return coder


def _build_for(
    data_dir: Path, params: CoderParams, local_titles: tuple[tuple[str, str], ...]
) -> OccupationCoder:
    return build_coder(
        build_taxonomy(data_dir),
        extra_group_names=labour_market_group_names(data_dir),
        params=params,
        local_titles=local_titles,
    )


def _write_cache(path: Path, coder: OccupationCoder) -> None:
    """Write ``coder`` to the disk cache (atomically) and drop the older coders but the last used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        with tmp.open("wb") as handle:
            pickle.dump(coder, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        # Older coders (other data, code or confirmed titles) go, but for the two last used: the
        # command line without the confirmed titles and the application with them share the cache.
        others = sorted(
            (p for p in path.parent.glob("occupation-coder-*.pickle") if p != path),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for stale in others[_CACHE_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
