from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alue.matching.taxonomy import Taxonomy
from alue.matching.text import (
    Lexicon,
    Synonyms,
    TitleNoise,
    default_synonyms,
    default_title_noise,
    normalize,
    split_alternatives,
    tokenize,
)

LABELS = {
    "fi": [
        "hitsaaja", "levyseppä", "lähihoitaja", "perushoitaja", "kuljettaja", "kuorma-auto",
        "ohjelmistosuunnittelija", "sovelluskehittäjä", "rakennusmies", "työntekijä", "myyjä", "kassa",
        "myyntipäällikkö", "hoitaja", "hoitajat", "vanhustyö", "neuvottelija", "myynti",
    ],
    "sv": ["svetsare", "chaufför", "lastbil", "sjuksköterska"],
    "en": ["welder", "truck driver", "nurse"],
}  # fmt: skip


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_texts(LABELS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kuorma-Autonkuljettaja", "kuorma-autonkuljettaja"),
        ("Myyjä, rautatavara ja maalit", "myyjä , rautatavara ja maalit"),
        ("lähi- ja perushoitaja", "lähi- ja perushoitaja"),
        ("hitsaaja–levyseppä", "hitsaaja-levyseppä"),  # en dash
        ("  ICT-tuki  (helpdesk)!", "ict-tuki , helpdesk"),
        ("ﬁlologi", "filologi"),  # ligature
        ("", ""),
        ("...", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_total_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_tokenize_has_no_separators(text: str) -> None:
    tokens = tokenize(text)
    assert all(token and token not in {",", "&"} and " " not in token for token in tokens)


@pytest.mark.parametrize(
    ("token", "lemma"),
    [
        ("hitsaajana", "hitsaaja"),
        ("lähihoitajaksi", "lähihoitaja"),
        ("hitsaajia", "hitsaaja"),
        ("rakennusmiehenä", "rakennusmies"),
        ("työntekijöitä", "työntekijä"),
        ("myyntipäällikön", "myyntipäällikkö"),
        ("levysepän", "levyseppä"),
        ("hoitajat", "hoitaja"),  # inflected word of the vocabulary itself maps to its base form
        ("trukinkuljettajaksi", "trukinkuljettaja"),  # unknown compound with a known head
        ("svetsare", "svetsare"),
        ("sjuksköterskor", "sjuksköterska"),
        ("welders", "welder"),
        ("tuntematon", "tuntematon"),  # unknown words are left alone
    ],
)
def test_lemma(lexicon: Lexicon, token: str, lemma: str) -> None:
    assert lexicon.lemma(token) == lemma


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("kuorma-autonkuljettaja", ("kuorma", "auton", "kuljettaja")),
        ("kassamyyjä", ("kassa", "myyjä")),
        ("myyntineuvottelija", ("myynti", "neuvottelija")),
        ("lastbilschaufför", ("lastbils", "chaufför")),
        ("hitsaaja", ("hitsaaja",)),
        ("abc", ("abc",)),
    ],
)
def test_split(lexicon: Lexicon, word: str, parts: tuple[str, ...]) -> None:
    assert lexicon.split(word) == parts


def test_analysis_of_titles(lexicon: Lexicon) -> None:
    truck = lexicon.analyze("Kuorma-autonkuljettajaksi")
    assert truck.heads[-1] == "kuljettaja"
    assert {"kuorma", "auto", "kuljettaja"} <= set(truck.words)
    assert lexicon.analyze("lastbilschaufför").words[1:] == ("lastbil", "chaufför")
    # An inflected qualifier after the title does not become the head.
    assert lexicon.analyze("lähihoitaja vanhustyöhön").heads == ("hoitaja",)
    # The qualifier after a comma does not either.
    assert lexicon.analyze("myyjä, kassa").heads == ("myyjä",)
    # Elliptic compounds are completed.
    assert lexicon.analyze("lähi- ja perushoitaja").lemmas[0] == "lähihoitaja"
    assert lexicon.analyze("").words == ()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_analyze_never_crashes(text: str) -> None:
    lexicon = Lexicon.from_texts(LABELS)
    analysis = lexicon.analyze(text)
    assert all(word for word in analysis.words)
    assert analysis.text == analysis.text.strip()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abdefghijklmnoprstuvyäö-", min_size=1, max_size=30))
def test_lemma_and_split_are_stable(word: str) -> None:
    lexicon = Lexicon.from_texts(LABELS)
    parts = lexicon.split(word)
    assert "".join(parts) == word.replace("-", "")
    lemma = lexicon.lemma(word)
    assert lemma
    assert lexicon.lemma(word) == lemma


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bussikuski", "linja-autokuljettaja"),  # ending, then prefix
        ("Rekkakuski", "kuorma-autokuljettaja"),
        ("hitsari", "hitsaaja"),
        ("koodari", "ohjelmoija"),
        ("talonmies", "kiinteistöhuollon työntekijä"),
        ("lastbilschaufför", "lastbilsförare"),
        ("yövahti, kauppakeskus", "yövartija , kauppakeskus"),
        ("paikassa", "paikassa"),  # "kassa" is a whole-word rule only
        ("hitsaaja", "hitsaaja"),
        ("Varhaiskasvatuksen opettaja, päiväkoti", "lastentarhan opettaja , päiväkoti"),  # a phrase
        ("varhaiskasvatuksen erityisopettaja", "erityislastentarhanopettaja"),
        ("varhaiskasvatuksen johtaja", "varhaiskasvatuksen johtaja"),  # only the listed phrases
        ("perushoitaja", "lähihoitaja"),
        ("närvårdare", "undersköterska"),
        ("HR specialist", "human resources specialist"),
        ("", ""),
    ],
)
def test_shipped_synonyms(raw: str, expected: str) -> None:
    assert default_synonyms().rewrite(raw) == expected


def test_synonym_rules() -> None:
    rules = Synonyms.from_mapping(
        {
            "fi": {
                "endings": {"kuski": "kuljettaja"},
                "prefixes": {"rekka": "kuorma-auto"},
                "words": {"ope": "opettaja"},
            }
        }
    )
    assert rules.rewrite_word("kuski") == "kuljettaja"
    assert rules.rewrite_word("xkuski") == "xkuski"  # a one-letter rest is not a compound
    assert rules.rewrite_word("rekkakuski") == "kuorma-autokuljettaja"
    assert rules.rewrite_word("rekka") == "rekka"  # a prefix needs a rest
    assert rules.rewrite_word("ope") == "opettaja"
    assert rules.rewrite_word("opettaja") == "opettaja"
    phrases = Synonyms.from_mapping(
        {"fi": {"phrases": {"a b": "x", "a b c": "y z"}, "words": {"b": "w", "c": "v"}}}
    )
    assert phrases.rewrite("a b c b") == "y z w"  # the longest phrase first, then the words
    assert phrases.rewrite("a b , c") == "x , v"
    assert phrases.rewrite("b a") == "w a"
    with pytest.raises(ValueError, match="unknown kind"):
        Synonyms.from_mapping({"fi": {"suffixes": {"a": "b"}}})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Myyjä (osa-aikainen)", "myyjä"),
        ("Osa-aikainen myyjä", "myyjä"),
        ("Sairaanhoitaja, toistaiseksi voimassa oleva", "sairaanhoitaja"),
        ("Lähihoitaja vakituiseen työsuhteeseen kotihoitoon", "lähihoitaja kotihoitoon"),
        ("Myyjä, osa-aikainen ja kokoaikainen", "myyjä"),  # the conjunction left alone goes too
        ("Kokki (m/n/f)", "kokki"),
        ("Developer m/w/d", "developer"),
        ("Kirjanpitäjä 50 %", "kirjanpitäjä"),
        ("Koulunkäynninohjaaja lv. 2026–2027", "koulunkäynninohjaaja"),
        ("Senior Software Developer", "software developer"),
        ("Undersköterska, vikariat på deltid", "undersköterska , på"),
        ("Varastotyöntekijä / kesätyö", "varastotyöntekijä"),
        # nothing but noise: only normalised (and the marks removed), never emptied
        ("Kesätyöntekijä", "kesätyöntekijä"),
        ("Kesätyöntekijä 2026", "kesätyöntekijä"),
        ("2026", "2026"),
        # no noise: exactly as normalise leaves it, separators and all
        ("myyjä, rautatavara ja maalit", "myyjä , rautatavara ja maalit"),
        ("lärare i svenska", "lärare i svenska"),  # a one-letter word is a word
        ("2:e styrman", "2 , e styrman"),
        ("EU:n politiikan asiantuntija", "eu , n politiikan asiantuntija"),
        ("määräaikaishuoltoasentaja", "määräaikaishuoltoasentaja"),
        ("", ""),
    ],
)
def test_title_noise(raw: str, expected: str) -> None:
    assert default_title_noise().clean(raw) == expected


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_title_noise_is_total_and_normalised(text: str) -> None:
    stripped = default_title_noise().clean(text)
    assert stripped == normalize(stripped)
    # a title with a word keeps one
    assert bool(set(stripped.split()) - {","}) == bool(set(normalize(text).split()) - {","})


def test_title_noise_never_touches_esco_words(taxonomy: Taxonomy) -> None:
    # The listed words never occur in ESCO's labels; two hidden labels have a gender mark (m/f).
    noise = default_title_noise()
    labels = [
        label
        for occ in taxonomy.occupations.values()
        for labels in (*occ.alt_labels.values(), *occ.hidden_labels.values(), tuple(occ.labels.values()))
        for label in labels
    ]
    changed = {
        normalize(label): noise.clean(label) for label in labels if noise.clean(label) != normalize(label)
    }
    assert changed == {
        "matkavirkailija , m , f": "matkavirkailija",
        "pääsommelieeri , m , f": "pääsommelieeri",
    }
    assert not noise.words & {word for label in labels for word in normalize(label).split()}


def test_title_noise_lists() -> None:
    noise = TitleNoise.from_mapping(
        {"fi": {"words": ["Osa-aikainen"], "phrases": ["toistaiseksi voimassa oleva"]}, "sv": None}
    )
    assert noise.words == frozenset({"osa-aikainen"})
    assert noise.phrases == (("toistaiseksi", "voimassa", "oleva"),)
    assert noise.clean("myyjä toistaiseksi voimassa oleva osa-aikainen") == "myyjä"
    assert noise.clean("toistaiseksi myyjä") == "toistaiseksi myyjä"  # a phrase only as a whole
    assert noise.is_noise("osa-aikainen, toistaiseksi voimassa oleva (m/n/f)")
    assert not noise.is_noise("myyjä toistaiseksi voimassa oleva")
    assert not noise.is_noise("toistaiseksi")
    with pytest.raises(ValueError, match="unknown kind"):
        TitleNoise.from_mapping({"fi": {"endings": ["a"]}})
    with pytest.raises(ValueError, match="not one word"):
        TitleNoise.from_mapping({"fi": {"words": ["kaksi sanaa"]}})


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Sairaanhoitaja / terveydenhoitaja", ["Sairaanhoitaja", "terveydenhoitaja"]),
        ("Myyjä/kassa", ["Myyjä", "kassa"]),
        ("Lähihoitaja tai sairaanhoitaja", ["Lähihoitaja", "sairaanhoitaja"]),
        ("Sjuksköterska eller barnmorska", ["Sjuksköterska", "barnmorska"]),
        ("Nurse or Practical Nurse", ["Nurse", "Practical Nurse"]),
        ("Kokki / tarjoilija / siivooja", ["Kokki", "tarjoilija", "siivooja"]),
        # the qualifier after the title proper goes with each alternative
        (
            "Lähihoitaja tai sairaanhoitaja, kotihoito",
            ["Lähihoitaja, kotihoito", "sairaanhoitaja, kotihoito"],
        ),
        ("Myyjä / kassa (osa-aikainen)", ["Myyjä (osa-aikainen)", "kassa (osa-aikainen)"]),
        # one title: elliptic compounds, alternatives in the qualifier, marks, short pieces, one word
        ("hydrauliikka-/pneumatiikka-asentaja", ["hydrauliikka-/pneumatiikka-asentaja"]),
        ("lähi- tai perushoitaja", ["lähi- tai perushoitaja"]),
        (
            "sosiaaliohjaaja, fyysisesti tai psyykkisesti vammaiset",
            ["sosiaaliohjaaja, fyysisesti tai psyykkisesti vammaiset"],
        ),
        ("Kokki (m/n/f)", ["Kokki (m/n/f)"]),
        ("matkavirkailija//m/f", ["matkavirkailija//m/f"]),
        ("Koulunkäynninohjaaja 2026/2027", ["Koulunkäynninohjaaja 2026/2027"]),
        ("I/O-insinööri", ["I/O-insinööri"]),
        ("24/7 valvoja", ["24/7 valvoja"]),
        ("Taiteilija", ["Taiteilija"]),  # "tai" inside a word
        ("", [""]),
    ],
)
def test_split_alternatives(title: str, expected: list[str]) -> None:
    assert split_alternatives(title) == expected


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_split_alternatives_keeps_every_word(text: str) -> None:
    parts = split_alternatives(text)
    assert parts
    if len(parts) > 1:
        # every alternative is a title of its own, made of the title's own words
        assert all(sum(ch.isalpha() for ch in p) >= 3 for p in parts)
        assert {w for p in parts for w in normalize(p).split()} <= set(normalize(text).split())
