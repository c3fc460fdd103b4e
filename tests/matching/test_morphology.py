"""Voikko's readings of the words the label vocabulary does not know (alue.matching.morphology)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alue.matching import morphology
from alue.matching.coder import CoderParams, _cache_key
from alue.matching.text import Lexicon

# A small vocabulary: "hoitaja" and "tarkastaja" are known heads; "laite", "kunta", "liha", "leikkaaja"
# and "farmari" are not known words.
LABELS = {
    "fi": ["hoitaja", "tarkastaja", "johtaja", "mittaus", "kaupunginjohtaja", "lähihoitaja", "hitsaaja"],
    "sv": ["svetsare"],
    "en": ["welder"],
}

pytestmark = pytest.mark.skipif(not morphology.available(), reason="pyvoikko is a dependency: make install")


@pytest.fixture(scope="module")
def voikko_lexicon() -> Lexicon:
    return Lexicon.from_texts(LABELS, morphology=True)


@pytest.fixture(scope="module")
def plain_lexicon() -> Lexicon:
    return Lexicon.from_texts(LABELS)


def test_reading_of_words() -> None:
    reading = morphology.reading("reskontranhoitaja")
    assert reading is not None
    assert reading.base == "reskontranhoitaja"
    assert reading.parts == ("reskontran", "hoitaja")
    assert morphology.reading("laitteiden") == morphology.Reading(base="laite", parts=())
    assert morphology.reading("farmarit") == morphology.Reading(base="farmari", parts=())
    # Compound marks are dropped from the base form.
    lexicalised = morphology.reading("työhönottaja")
    assert lexicalised is not None
    assert lexicalised.base == "työhönottaja"
    # Not words of letters, and words Voikko does not know: no reading.
    for word in ("", "ict-tuki", "b2b", "xqzvt"):
        assert morphology.reading(word) is None


@pytest.mark.parametrize(
    ("token", "plain", "voikko"),
    [
        ("laitteiden", "laitteiden", "laite"),  # genitive plural with a stem change
        ("farmarit", "farmarit", "farmari"),
        ("mittauslaitteiden", "mittauslaitteiden", "mittauslaite"),
        # Known words and forms the vocabulary resolves are read as before.
        ("hitsaajana", "hitsaaja", "hitsaaja"),
        ("lähihoitajaksi", "lähihoitaja", "lähihoitaja"),
        ("hoitaja", "hoitaja", "hoitaja"),
        ("svetsare", "svetsare", "svetsare"),
    ],
)
def test_lemma_of_unknown_words(
    voikko_lexicon: Lexicon, plain_lexicon: Lexicon, token: str, plain: str, voikko: str
) -> None:
    assert plain_lexicon.lemma(token) == plain
    assert voikko_lexicon.lemma(token) == voikko


def test_modifiers_and_compounds(voikko_lexicon: Lexicon, plain_lexicon: Lexicon) -> None:
    # An inflected modifier the vocabulary does not know gets its base form.
    assert plain_lexicon.part_lemma("kunnan") == "kunnan"
    assert voikko_lexicon.part_lemma("kunnan") == "kunta"
    # A compound whose head the vocabulary does not know is cut where Voikko cuts it.
    assert plain_lexicon.split("lihanleikkaaja") == ("lihanleikkaaja",)
    assert voikko_lexicon.split("lihanleikkaaja") == ("lihan", "leikkaaja")
    # A known head still decides the cut.
    assert voikko_lexicon.split("kunnanjohtaja") == ("kunnan", "johtaja")
    assert plain_lexicon.split("kunnanjohtaja") == ("kunnan", "johtaja")
    title = voikko_lexicon.analyze("mittauslaitteiden tarkastaja")
    assert title.lemmas == ("mittauslaite", "tarkastaja")
    assert {"mittaus", "laite"} <= set(title.words)
    assert title.heads == ("tarkastaja",)
    assert "laite" not in plain_lexicon.analyze("mittauslaitteiden tarkastaja").words
    assert "kunta" in voikko_lexicon.analyze("kunnanjohtaja").words


def test_without_the_analyser(monkeypatch: pytest.MonkeyPatch, plain_lexicon: Lexicon) -> None:
    monkeypatch.setattr(morphology, "transducer_path", lambda: None)
    morphology.reading.cache_clear()
    try:
        assert not morphology.available()
        assert morphology.morphology_files() == []
        assert morphology.reading("laitteiden") is None
        lexicon = Lexicon.from_texts(LABELS, morphology=True)
        for word in ("laitteiden", "farmarit", "kunnan", "lihanleikkaaja", "mittauslaitteiden tarkastaja"):
            assert lexicon.analyze(word) == plain_lexicon.analyze(word)
    finally:
        morphology.reading.cache_clear()


def test_the_transducer_is_part_of_the_cache_key(data_dir: Path) -> None:
    files = morphology.morphology_files()
    assert [f.name for f in files] == [morphology.TRANSDUCER]
    assert _cache_key(data_dir, CoderParams(morphology=True)) != _cache_key(
        data_dir, CoderParams(morphology=False)
    )


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abdefghijklmnoprstuvyäö-", min_size=1, max_size=30))
def test_lemma_and_split_are_stable(word: str) -> None:
    lexicon = Lexicon.from_texts(LABELS, morphology=True)
    assert "".join(lexicon.split(word)) == word.replace("-", "")
    assert lexicon.lemma(word)
    assert all(part for part in lexicon.analyze(word).words)
