"""Text normalisation for job titles in Finnish, Swedish and English.

Job titles are short and, in Finnish and Swedish, mostly compounds whose last part (the *head*)
carries the occupation: ``kuorma-autonkuljettaja`` is a ``kuljettaja`` (driver), ``lastbilschaufför``
a ``chaufför``. People also write titles inflected (``hitsaajana`` "as a welder", ``lähihoitajaksi``
"to become a practical nurse"). This module turns such text into comparable features:

1. :func:`normalize` — Unicode NFKC, lower case, all dashes to ``-``, other punctuation to spaces.
2. :class:`Lexicon` — a vocabulary of known words taken from the taxonomy's labels. It
   *lemmatises* by stripping Finnish, Swedish and English inflection endings (with the usual stem
   changes: ``työntekijöitä → työntekijä``, ``rakennusmiehenä → rakennusmies``, ``päällikön →
   päällikkö``), accepting a candidate only when it is a known word or ends in a known head; and it
   *splits compounds* at the longest known suffix (``ohjelmistokehittäjä → ohjelmisto + kehittäjä``).
   The words it does not know it can read with Voikko (:mod:`alue.matching.morphology`, when
   installed): ``mittauslaitteiden → mittauslaite``, modifier ``kunnan → kunta``.
3. :func:`analyze` — the features of one text: lemmas, compound parts and the head word of the title
   (the last word before a comma, as in ESCO's ``myyjä, rautatavara ja maalit``).

The measured comparison with a dictionary lemmatiser (``simplemma``) and with no lemmatisation is in
``docs/matching.md``: on base-form labels the three are within noise of each other; on inflected titles
the vocabulary-guided lexicon loses nothing, it needs no data files and builds in about half a second,
whereas ``simplemma``'s Finnish dictionary takes seconds to load. Voikko, asked only about the words the
vocabulary does not know, is an option of the coder, measured in *Nineteenth round*.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Self

from alue.matching import morphology

#: Dash-like characters that join compound parts or pair titles (``hitsaaja-levyseppä``).
_DASHES = frozenset("-‐‑‒–—―−﹘﹣－")
#: Characters that separate a title from its qualifier (``myyjä, rautatavara``) or alternatives.
_SEPARATORS = frozenset(",;/|()[]{}:")
#: Words that join an elliptic compound to the next one (``lähi- ja perushoitaja``).
CONJUNCTIONS = frozenset({"ja", "tai", "sekä", "och", "eller", "samt", "and", "or", "&"})

#: Shortest word accepted as a compound head; shorter endings (``-ja``, ``-ri``) are mostly suffixes.
MIN_HEAD = 4
#: Shortest compound modifier (``yö-`` in ``yövartija`` is shorter but rare in titles).
MIN_MODIFIER = 2
#: Shortest token that is lemmatised.
MIN_LEMMA_TOKEN = 4

# Inflection endings, longest first within each language, with the stem repairs to try. A candidate
# is accepted only if the lexicon knows it, so the lists can be generous.
_FI_PLURAL_I = (
    "itten", "iden", "ihin", "iksi", "issa", "issä", "ista", "istä", "illa", "illä", "ilta", "iltä",
    "ille", "ien", "ita", "itä", "ina", "inä", "ine", "ia", "iä", "in", "it",
)  # fmt: skip
_FI_OTHER = (
    "seen", "ksi", "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "tta", "ttä", "jen",
    "han", "hen", "hin", "hon", "hän", "hön", "aan", "ään", "een", "iin", "oon", "öön", "uun", "yyn",
    "na", "nä", "ta", "tä", "ja", "jä", "en", "n", "t", "a", "ä",
)  # fmt: skip
_SV = (
    "arnas",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ens",
    "ets",
    "ar",
    "er",
    "or",
    "en",
    "et",
    "na",
    "s",
    "n",
)
_EN = ("'s", "ies", "es", "s")

_VOWELS = frozenset("aeiouyäöå")
#: Endings of nominative plurals (fi -t, sv -ar/-er/-or/-na, en -s), which do not mark a qualifier.
_PLURAL_ENDINGS = ("t", "s", "ar", "er", "or", "na")
# Consonant gradation: weak grade in the stem → strong grade in the lemma.
_GRADATION = (
    ("kk", "k"), ("pp", "p"), ("tt", "t"), ("nt", "nn"), ("lt", "ll"), ("rt", "rr"), ("mp", "mm"),
    ("nk", "ng"), ("t", "d"), ("k", ""),
)  # fmt: skip


@lru_cache(maxsize=65_536)
def normalize(text: str) -> str:
    """Lower-cased, NFKC-normalised text with dashes as ``-`` and other punctuation as spaces.

    Commas and similar separators are kept (as `` , ``) because they separate a title from its
    qualifier. Idempotent: ``normalize(normalize(x)) == normalize(x)``. Remembered for the latest
    65,536 texts: the coder normalises a title at several steps.
    """
    current = _normalize_once(text)
    if _STABLE.fullmatch(current):
        return current  # plain Latin letters, digits and separators are already a fixed point
    # Iterate to a fixed point: removing a character can let NFKC compose its neighbours.
    previous = None
    for _ in range(4):
        if current == previous:
            break
        previous = current
        current = _normalize_once(current)
    return current


_TRANSLATE = {ord(c): "-" for c in _DASHES} | {ord(c): " , " for c in _SEPARATORS} | {ord("&"): " & "}
_NOT_WORD = re.compile(r"[^\w\s,&-]|_")
_MULTI_DASH = re.compile(r"-{2,}")
_STABLE = re.compile(r"[a-z0-9åäöüéèàáóúíñçßøæõšž ,&-]*")


def _normalize_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())
    text = _NOT_WORD.sub(" ", text.translate(_TRANSLATE))
    words: list[str] = []
    for word in text.split():
        if not word.isalnum():
            if not all(ch.isalnum() or ch == "-" for ch in word) and word not in {",", "&"}:
                # \w also matches marks and connectors that are not alphanumeric: drop them.
                word = "".join(ch for ch in word if ch.isalnum() or ch == "-")
            word = _MULTI_DASH.sub("-", word).lstrip("-") if word not in {",", "&"} else word
            if not word:
                continue
        if word == "," and (not words or words[-1] == ","):
            continue
        words.append(word)
    while words and words[-1] == ",":
        words.pop()
    return " ".join(words)


def tokenize(text: str) -> list[str]:
    """Normalised word tokens, without separators."""
    return [token for token in normalize(text).split() if token not in {",", "&"}]


def _gradation_variants(stem: str) -> list[str]:
    """Strong-grade variants of a weak-grade stem: ``koki → kokki``, ``sepä → seppä``."""
    variants = []
    if len(stem) >= 3 and stem[-1] in _VOWELS:
        body, vowel = stem[:-1], stem[-1]
        for strong, weak in _GRADATION:
            if weak and body.endswith(weak):
                variants.append(body[: -len(weak)] + strong + vowel)
            elif not weak and body and body[-1] in _VOWELS:
                variants.append(body + strong + vowel)
    return variants


def _stem_repairs(stem: str) -> list[str]:
    """Lemma candidates for a Finnish stem left after an ending was stripped."""
    out = [stem]
    if not stem:
        return out
    last = stem[-1]
    if last in _VOWELS:
        out.extend(_gradation_variants(stem))
    else:
        out.extend((stem + "a", stem + "ä", stem + "i", stem + "e"))
    if last == "e":
        out.append(stem[:-1] + "i")  # koodare(iksi) → koodari
        if stem.endswith("ehe"):
            out.append(stem[:-3] + "es")  # miehe(nä) → mies
        if stem.endswith("kse"):
            out.append(stem[:-3] + "s")  # rakennukse(n) → rakennus
        if stem.endswith("se"):
            out.append(stem[:-2] + "nen")  # naise(na) → nainen
        if stem.endswith("ime"):
            out.append(stem[:-3] + "in")  # avaime(n) → avain
    if last in "oö":
        out.append(stem[:-1] + ("a" if last == "o" else "ä"))  # työntekijö(itä) → työntekijä
        out.extend(_gradation_variants(stem[:-1] + ("a" if last == "o" else "ä")))
    if stem.endswith("mieh"):
        out.append(stem[:-1] + "s")  # mieh(iä) → mies
    return out


def _fi_candidates(token: str) -> Iterable[str]:
    for suffix in _FI_PLURAL_I:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[: -len(suffix)]
            yield from _stem_repairs(stem)
            yield stem + "a"
            yield stem + "ä"
    for suffix in _FI_OTHER:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            yield from _stem_repairs(token[: -len(suffix)])


def _sv_candidates(token: str) -> Iterable[str]:
    for suffix in _SV:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[: -len(suffix)]
            yield stem
            yield stem + "a"  # sjuksköterskor → sjuksköterska
            yield stem + "e"


def _en_candidates(token: str) -> Iterable[str]:
    for suffix in _EN:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[: -len(suffix)]
            yield stem
            if suffix == "ies":
                yield stem + "y"


#: Inflection-stripping candidates per language; other languages' words are kept as they are.
_CANDIDATES = {"fi": _fi_candidates, "sv": _sv_candidates, "en": _en_candidates}


def lemma_candidates(token: str, lang: str) -> Iterable[str]:
    """Possible lemmas of an inflected ``token`` in ``lang``, most specific ending first."""
    generate = _CANDIDATES.get(lang)
    if generate is None:
        return ()
    return (c for c in generate(token) if len(c) >= 3 and c != token)


@dataclass(frozen=True)
class Analysis:
    """The features of one text."""

    #: Lemmatised tokens, in order (separators removed).
    lemmas: tuple[str, ...]
    #: Word features: each lemma and the atomic parts of compound lemmas.
    words: tuple[str, ...]
    #: The head words of the title (see :meth:`Lexicon._heads_of`); empty when there is none.
    heads: tuple[str, ...]
    #: Lemmatised text for character n-grams (hyphens removed).
    text: str


class Lexicon:
    """Known words (lemmas) per language that guide lemmatisation and compound splitting."""

    def __init__(
        self,
        words_by_lang: Mapping[str, Iterable[str]],
        *,
        lemma_map: dict[str, str] | None = None,
        morphology: bool = False,
    ) -> None:
        self.words_by_lang: dict[str, frozenset[str]] = {
            lang: frozenset(w for w in words if w and len(w) >= 2) for lang, words in words_by_lang.items()
        }
        self.words: frozenset[str] = frozenset().union(*self.words_by_lang.values())
        self.heads: frozenset[str] = frozenset(w for w in self.words if len(w) >= MIN_HEAD and "-" not in w)
        self._max_head = max((len(w) for w in self.heads), default=0)
        self._lemma_map: dict[str, str] = dict(lemma_map or {})
        #: Ask Voikko (:mod:`alue.matching.morphology`) about the words the vocabulary does not know.
        self.morphology = morphology
        # Finnish first: most queries are Finnish, and its endings are the most specific.
        self._langs = sorted(self.words_by_lang, key=lambda lang: (lang != "fi", lang))
        self._lemma_cache: dict[str, str] = {}
        self._split_cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_texts(cls, texts_by_lang: Mapping[str, Iterable[str]], *, morphology: bool = False) -> Self:
        """A lexicon of the words in the texts, with inflected forms mapped to known base forms.

        A word that is an inflection of another word of the same language (the plural ``hitsaajat``
        next to ``hitsaaja``) is mapped to that base form. ``morphology``: read the words it does not
        know with Voikko (see :meth:`_lemma`, :meth:`part_lemma`, :meth:`split`).
        """
        vocabulary: dict[str, set[str]] = {}
        for lang, texts in texts_by_lang.items():
            words = vocabulary.setdefault(lang, set())
            for text in texts:
                for token in tokenize(text):
                    words.add(token)
                    if "-" in token:
                        words.update(part for part in token.split("-") if part)
        lemma_map: dict[str, str] = {}
        for lang, words in vocabulary.items():
            for word in words:
                if len(word) < MIN_LEMMA_TOKEN or word in lemma_map:
                    continue
                for candidate in lemma_candidates(word, lang):
                    if candidate in words:
                        lemma_map[word] = candidate
                        break
        # Follow chains (a → b → c) to their end.
        for word in list(lemma_map):
            seen = {word}
            target = lemma_map[word]
            while target in lemma_map and target not in seen:
                seen.add(target)
                target = lemma_map[target]
            lemma_map[word] = target
        known = {lang: {lemma_map.get(w, w) for w in words} for lang, words in vocabulary.items()}
        return cls(known, lemma_map=lemma_map, morphology=morphology)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_lemma_cache"] = {}
        state["_split_cache"] = {}
        return state

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def lemma(self, token: str) -> str:
        """The base form of ``token`` (itself when no known base form is found)."""
        cached = self._lemma_cache.get(token)
        if cached is not None:
            return cached
        result = self._lemma(token)
        if len(self._lemma_cache) < 200_000:
            self._lemma_cache[token] = result
        return result

    def _lemma(self, token: str) -> str:
        if token in self._lemma_map:
            return self._lemma_map[token]
        if "-" in token:
            parts = token.split("-")
            return "-".join([*parts[:-1], self.lemma(parts[-1])])
        if token in self.words or not token.isalpha():
            return token
        if len(token) < MIN_LEMMA_TOKEN:
            return self._voikko_base(token) or token
        for lang in self._langs:
            known = self.words_by_lang[lang]
            for candidate in lemma_candidates(token, lang):
                if candidate in known:
                    return self._lemma_map.get(candidate, candidate)
        # An unknown compound: keep the reading whose known head is longest, so that the essive
        # "kaarihitsaajana" becomes "kaarihitsaaja" (head "hitsaaja") rather than ending in "jana".
        best, best_len = token, self._known_head_length(token)
        for candidate in lemma_candidates(token, "fi"):
            length = self._known_head_length(candidate)
            if length > best_len:
                best, best_len = candidate, length
        if best == token:
            # Nothing known in it: Voikko's base form (``laitteiden → laite``, ``farmarit → farmari``).
            return self._voikko_base(token) or token
        return best

    def _voikko_base(self, word: str) -> str | None:
        """Voikko's base form of ``word`` when the lexicon asks Voikko (None: no reading)."""
        if not self.morphology:
            return None
        found = morphology.reading(word)
        return None if found is None else found.base

    def _known_head_length(self, word: str) -> int:
        """Length of the longest known head that ``word`` ends in after a plausible modifier (0: none)."""
        start = max(MIN_MODIFIER, len(word) - self._max_head)
        for i in range(start, len(word) - MIN_HEAD + 1):
            if word[i:] in self.heads:
                return len(word) - i
        return 0

    def split(self, word: str) -> tuple[str, ...]:
        """Atomic compound parts of ``word`` (itself alone when it does not split).

        The word is cut at its longest known proper suffix; both sides are split again.
        Hyphens always split: ``kuorma-autonkuljettaja → kuorma, auton, kuljettaja``.
        """
        cached = self._split_cache.get(word)
        if cached is not None:
            return cached
        if "-" in word:
            parts: tuple[str, ...] = tuple(p for piece in word.split("-") if piece for p in self.split(piece))
        else:
            parts = self._split_plain(word, depth=0)
            if len(parts) == 1 and self.morphology and word not in self.words:
                # No known head: Voikko's compound parts (``reskontranhoitaja`` when ``hoitaja`` is
                # unknown would be ``reskontran + hoitaja``).
                found = morphology.reading(word)
                if found is not None and found.parts:
                    parts = found.parts
        if len(self._split_cache) < 200_000:
            self._split_cache[word] = parts
        return parts

    def _split_plain(self, word: str, depth: int) -> tuple[str, ...]:
        if depth > 4 or len(word) < MIN_HEAD + MIN_MODIFIER:
            return (word,)
        start = max(MIN_MODIFIER, len(word) - self._max_head)
        for i in range(start, len(word) - MIN_HEAD + 1):
            head = word[i:]
            if head in self.heads:
                modifier = word[:i]
                return (*self._split_plain(modifier, depth + 1), *self._split_plain(head, depth + 1))
        return (word,)

    def part_lemma(self, part: str) -> str:
        """Base form of a compound part: genitive ``auton → auto``, linking ``lastbils → lastbil``."""
        if part in self._lemma_map:
            return self._lemma_map[part]
        if part in self.words:
            return part
        if part.endswith(("n", "s")) and part[:-1] in self.words:
            return self._lemma_map.get(part[:-1], part[:-1])
        # An unknown modifier: Voikko's base form (``kunnan → kunta``, ``reskontran → reskontra``).
        return self._voikko_base(part) or self.lemma(part)

    def analyze(self, text: str, *, normalized: bool = False) -> Analysis:
        """Features of ``text`` (``normalized``: it is already the output of :func:`normalize`)."""
        segments: list[list[str]] = [[]]
        for word in (text if normalized else normalize(text)).split():
            if word == ",":
                segments.append([])
            elif word != "&":
                segments[-1].append(word)
        segments = [segment for segment in segments if segment]
        lemmas: list[str] = []
        words: list[str] = []
        heads: list[str] = []
        for index, segment in enumerate(segments):
            seg_lemmas = self._complete_elliptic(
                [token if token.endswith("-") else self.lemma(token) for token in segment]
            )
            for lemma in seg_lemmas:
                lemmas.append(lemma)
                words.append(lemma.replace("-", ""))
                parts = self.split(lemma)
                if len(parts) > 1:
                    words.extend(self.part_lemma(part) for part in parts)
                    # Right-branching sub-compounds: työn+tekijä inside varasto+työn+tekijä.
                    for k in range(1, len(parts) - 1):
                        joined = "".join(parts[k:])
                        if joined in self.words:
                            words.append(self.part_lemma(joined))
            if index == 0 and seg_lemmas:
                heads = self._heads_of(segment, seg_lemmas)
        text_for_ngrams = " ".join(lemma.replace("-", "") for lemma in lemmas)
        return Analysis(lemmas=tuple(lemmas), words=tuple(words), heads=tuple(heads), text=text_for_ngrams)

    def _heads_of(self, tokens: list[str], lemmas: list[str]) -> list[str]:
        """The title's head words: the compound head of its last uninflected content word.

        In ``lähihoitaja vanhustyöhön`` the inflected ``vanhustyöhön`` is a qualifier, so the head is
        ``hoitaja``. Both the atomic head and the longest known head are returned.
        """
        content = [
            (token, lemma)
            for token, lemma in zip(tokens, lemmas, strict=False)
            if lemma not in CONJUNCTIONS and len(lemma) >= 2
        ]
        if not content:
            return []
        # A plural (hitsaajat, svetsarna, drivers) is still the title itself, not a qualifier.
        uninflected = [lemma for token, lemma in content if token == lemma or token.endswith(_PLURAL_ENDINGS)]
        word = (uninflected or [content[-1][1]])[-1]
        parts = self.split(word)
        heads = [self.part_lemma(parts[-1])]
        if len(parts) > 2:
            for k in range(1, len(parts) - 1):
                joined = "".join(parts[k:])
                if joined in self.words:
                    heads.insert(0, self.part_lemma(joined))
                    break
        return heads

    def _complete_elliptic(self, lemmas: list[str]) -> list[str]:
        """``lähi- ja perushoitaja`` → ``lähihoitaja ja perushoitaja``."""
        out = list(lemmas)
        for i, lemma in enumerate(out):
            if not lemma.endswith("-"):
                continue
            stem = lemma.rstrip("-")
            following = [w for w in out[i + 1 :] if w not in CONJUNCTIONS and not w.endswith("-")]
            if stem and following:
                out[i] = stem + self.split(following[0])[-1]
            else:
                out[i] = stem
        return [w for w in out if w]


def analyze(text: str, lexicon: Lexicon) -> Analysis:
    """Features of ``text`` with ``lexicon`` (a function form of :meth:`Lexicon.analyze`)."""
    return lexicon.analyze(text)


#: Shortest rest of a word after a rewritten prefix or before a rewritten ending.
_MIN_REST = 3


@dataclass(frozen=True)
class Synonyms:
    """Everyday words read as their standard forms (see ``synonyms.yaml`` beside this module).

    ``endings`` rewrite a word that is, or ends in, a form (``bussikuski → bussikuljettaja``),
    ``prefixes`` the start of a compound (``rekka… → kuorma-auto…``), ``words`` whole words and
    ``phrases`` word sequences (``varhaiskasvatuksen opettaja → lastentarhan opettaja``; these first).
    """

    endings: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, Mapping[str, str] | None]]) -> Synonyms:
        """Merge the per-language sections (``{"fi": {"endings": {…}, …}, …}``) into one rule set."""
        merged: dict[str, dict[str, str]] = {"endings": {}, "prefixes": {}, "words": {}, "phrases": {}}
        for section in data.values():
            for kind, rules in (section or {}).items():
                if kind not in merged:
                    raise ValueError(f"unknown kind of synonym rule: {kind!r}")
                for source, target in (rules or {}).items():
                    merged[kind][normalize(str(source))] = normalize(str(target))
        return cls(**merged)

    def rewrite_word(self, word: str) -> str:
        """``word`` (normalised, one token) with the rules applied: whole word, then ending, then prefix."""
        if word in self.words:
            return self.words[word]
        for source, target in self.endings.items():
            if word.endswith(source) and (len(word) == len(source) or len(word) - len(source) >= 2):
                word = word[: len(word) - len(source)] + target
                break
        for source, target in self.prefixes.items():
            if word.startswith(source) and len(word) - len(source) >= _MIN_REST:
                word = target + word[len(source) :]
                break
        return word

    def rewrite(self, text: str) -> str:
        """Normalised ``text`` with its phrases, then each other word rewritten (separators kept)."""
        tokens = normalize(text).split()
        out: list[str] = []
        i = 0
        while i < len(tokens):
            phrase = _phrase_at(tokens, i, self._phrase_order)
            if phrase is None:
                out.append(self.rewrite_word(tokens[i]))
                i += 1
            else:
                out.append(self._phrase_targets[phrase])
                i += len(phrase)
        return " ".join(out)

    @cached_property
    def _phrase_targets(self) -> dict[tuple[str, ...], str]:
        return {tuple(source.split()): target for source, target in self.phrases.items()}

    @cached_property
    def _phrase_order(self) -> tuple[tuple[str, ...], ...]:
        return _longest_first(self._phrase_targets)


def _longest_first(phrases: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(phrases, key=lambda phrase: (-len(phrase), phrase)))


def _phrase_at(tokens: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The first of ``phrases`` (word tuples, longest first) that ``tokens`` has at position ``i``."""
    return next((phrase for phrase in phrases if tuple(tokens[i : i + len(phrase)]) == phrase), None)


def read_rule_file(path: Path) -> Any:
    """A YAML rule file of this package, read with libyaml's safe loader when PyYAML has it (about ten
    times faster than the pure-Python one: the coder's first titles wait for these files)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


@cache
def default_synonyms() -> Synonyms:
    """The rules of ``synonyms.yaml`` shipped with the package."""
    return Synonyms.from_mapping(read_rule_file(Path(__file__).with_name("synonyms.yaml")) or {})


#: The token that :func:`normalize` makes of a separator.
_SEPARATOR = ","
#: Job-ad marks removed from the raw title: percentages (``50 %``), gender marks (``(m/n/f)``,
#: ``m/w/d``) and years or school years (``2026``, ``2026–2027``).
_RAW_NOISE = re.compile(
    r"\d+(?:[.,]\d+)?\s*%"
    r"|\(?\b[mnfhwdx](?:\s*/\s*[mnfhwdx])+\b\)?"
    r"|\b(?:19|20)\d\d(?:\s*[-\u2013/]\s*(?:19|20)?\d\d)?\b",
    re.IGNORECASE,
)


#: Where the title proper ends: what follows the first comma or bracket qualifies every alternative.
_QUALIFIER_START = re.compile(r"[,;|:(\[{]")
#: Separators of alternative titles: a slash, or a whole-word "or" (fi/sv/en).
_ALTERNATIVE = re.compile(r"\s*/\s*|\s+(?:tai|eller|or)\s+", re.IGNORECASE)
#: Letters an alternative needs to count as a title of its own (``I/O-insinööri`` is one title).
_MIN_ALTERNATIVE_LETTERS = 3


def split_alternatives(text: str) -> list[str]:
    """The titles of a job-ad title that names alternatives, else ``[text]``.

    ``"Sairaanhoitaja / terveydenhoitaja"`` and ``"Lähihoitaja tai sairaanhoitaja"`` name two
    occupations; a qualifier after the title proper goes with each (``"Lähihoitaja tai
    sairaanhoitaja, kotihoito"`` → ``"Lähihoitaja, kotihoito"``, ``"sairaanhoitaja, kotihoito"``).
    Not split: an elliptic compound (``hydrauliikka-/pneumatiikka-asentaja``, ``lähi- tai
    perushoitaja``), alternatives inside the qualifier, gender marks (``(m/n/f)``) and years, and a
    text whose pieces are not all words of a few letters (``I/O-insinööri``).
    """
    raw = _RAW_NOISE.sub(" ", text)
    end = _QUALIFIER_START.search(raw)
    title, qualifier = (raw[: end.start()], raw[end.start() :]) if end else (raw, "")
    pieces: list[str] = []
    start = 0
    for separator in _ALTERNATIVE.finditer(title):
        left = title[start : separator.start()]
        if left.rstrip().endswith(tuple(_DASHES)):
            continue  # "lähi- tai perushoitaja": one elliptic compound
        pieces.append(left)
        start = separator.end()
    pieces.append(title[start:])
    if len(pieces) < 2 or any(sum(ch.isalpha() for ch in p) < _MIN_ALTERNATIVE_LETTERS for p in pieces):
        return [text]
    qualifier = qualifier.strip()
    space = " " if qualifier[:1] in ("(", "[", "{") else ""
    return [f"{piece.strip()}{space}{qualifier}" for piece in pieces]


@dataclass(frozen=True)
class TitleNoise:
    """Words of job-ad titles that say nothing about the occupation (see ``title_noise.yaml``).

    :meth:`clean` removes them, and percentages, gender marks and years, from a title:
    ``"Myyjä (osa-aikainen)"`` → ``"myyjä"``; a title of nothing else is only normalised.
    """

    words: frozenset[str] = frozenset()
    #: Word sequences removed as a whole, longest first.
    phrases: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, Iterable[str] | None] | None]) -> TitleNoise:
        """Merge the per-language sections (``{"fi": {"words": […], "phrases": […]}, …}``)."""
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for section in data.values():
            for kind, entries in (section or {}).items():
                if kind not in ("words", "phrases"):
                    raise ValueError(f"unknown kind of title-noise entry: {kind!r}")
                for entry in entries or ():
                    tokens = tuple(normalize(str(entry)).split())
                    if kind == "words" and len(tokens) != 1:
                        raise ValueError(f"title-noise word {entry!r} is not one word")
                    if tokens and kind == "words":
                        words.add(tokens[0])
                    elif tokens:
                        phrases.add(tokens)
        return cls(frozenset(words), _longest_first(phrases))

    def clean(self, text: str) -> str:
        """``text`` normalised, without its noise; only normalised if it has none or nothing else.

        Where words were removed, separators and conjunctions left at the ends or next to each other
        go too (``"myyjä , osa-aikainen ja kokoaikainen"`` → ``"myyjä"``).
        """
        tokens = normalize(text).split()
        marked = normalize(_RAW_NOISE.sub(" ", text)).split()
        if marked != tokens and _has_words(marked):
            tokens, removed = marked, True
        else:
            removed = False
        kept = self._kept(tokens)
        if len(kept) == len(tokens) and not removed:
            return " ".join(tokens)  # nothing removed: the text as it was, separators and all
        return " ".join(_tidy_separators(kept) or _tidy_separators(tokens))

    def is_noise(self, text: str) -> bool:
        """Whether ``text`` has nothing but job-ad words (``kesätyö``, ``osa-aikainen``) and marks."""
        tokens = normalize(_RAW_NOISE.sub(" ", text)).split()
        return not _has_words(self._kept(tokens))

    def _kept(self, tokens: list[str]) -> list[str]:
        """``tokens`` without the listed words and phrases."""
        kept: list[str] = []
        i = 0
        while i < len(tokens):
            phrase = _phrase_at(tokens, i, self.phrases)
            if phrase is not None:
                i += len(phrase)
                continue
            if tokens[i] not in self.words:
                kept.append(tokens[i])
            i += 1
        return kept


def _has_words(tokens: list[str]) -> bool:
    """Whether ``tokens`` hold a word other than separators and conjunctions."""
    return any(t not in CONJUNCTIONS and t != _SEPARATOR for t in tokens)


def _tidy_separators(tokens: list[str]) -> list[str]:
    """Tokens without leading, trailing or repeated separators, or conjunctions left next to them."""
    out: list[str] = []
    for token in tokens:
        if token == _SEPARATOR and (not out or out[-1] == _SEPARATOR):
            continue
        if token == _SEPARATOR and out[-1] in CONJUNCTIONS:
            out.pop()
            if not out or out[-1] == _SEPARATOR:
                continue
        out.append(token)
    while out and (out[-1] == _SEPARATOR or out[-1] in CONJUNCTIONS):
        out.pop()
    while out and (out[0] == _SEPARATOR or out[0] in CONJUNCTIONS):
        out.pop(0)
    # a conjunction right after a separator joins nothing any more
    return [t for i, t in enumerate(out) if not (t in CONJUNCTIONS and i > 0 and out[i - 1] == _SEPARATOR)]


@cache
def default_title_noise() -> TitleNoise:
    """The lists of ``title_noise.yaml`` shipped with the package."""
    return TitleNoise.from_mapping(read_rule_file(Path(__file__).with_name("title_noise.yaml")) or {})
