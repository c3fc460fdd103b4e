"""Swedish and English titles read in Finnish: the word table learnt from parallel labels, the language of a
title, Swedish compounds, and the coder coding a title as written and as its Finnish reading."""

from __future__ import annotations

import pytest

from alue.matching.coder import OccupationCoder
from alue.matching.text import normalize
from alue.matching.translation import TitleTranslations, choose_translation, model_one, parallel_texts, words

#: A small parallel text: every English word has one Finnish word, met in two contexts.
PAIRS = [
    (["red", "house"], ["punainen", "talo"]),
    (["red", "car"], ["punainen", "auto"]),
    (["big", "house"], ["iso", "talo"]),
    (["big", "car"], ["iso", "auto"]),
    (["house"], ["talo"]),
]


def test_model_one_finds_the_word_each_word_translates() -> None:
    probabilities = model_one(PAIRS)
    table = {word: choose_translation(p) for word, p in probabilities.items()}
    assert table == {"red": "punainen", "house": "talo", "car": "auto", "big": "iso"}
    for word, p in probabilities.items():
        assert sum(p.values()) == pytest.approx(1.0, abs=0.05), word  # (the rest below the floor)


def test_a_translation_below_the_probability_asked_is_not_kept() -> None:
    # "blue" is met once, with two Finnish words, neither of them explained by another word
    probabilities = model_one([*PAIRS, (["blue"], ["sininen", "väri"])])
    assert choose_translation(probabilities["blue"], min_probability=0.6) is None
    assert choose_translation(probabilities["blue"], min_probability=0.1) in {"sininen", "väri"}
    assert choose_translation(probabilities["house"], min_probability=0.6) == "talo"


def _translations() -> TitleTranslations:
    return TitleTranslations(
        tables={
            "sv": {"buss": "linja-auto", "förare": "kuljettaja", "tråd": "johdin", "chef": "päällikkö"},
            "en": {"bus": "linja-auto", "driver": "kuljettaja"},
        },
        vocabularies={
            "sv": frozenset({"buss", "förare", "tråd", "chef", "förvaltning", "kassa"}),
            "en": frozenset({"bus", "driver", "manager"}),
        },
        finnish=frozenset({"linja-auto", "kuljettaja", "manager", "kaupan"}),
    )


@pytest.mark.parametrize(
    ("title", "language", "reading"),
    [
        ("Bus driver", "en", "linja-auto kuljettaja"),
        ("bussförare", "sv", "linja-auto kuljettaja"),
        ("trådbussförare", "sv", "johdin linja-auto kuljettaja"),
        ("linja-autonkuljettaja", None, None),  # Finnish: read as it is
        ("linja-auto kuljettaja bus", None, None),  # one word of three is English: not an English title
        ("bus kuljettaja", None, None),  # as many Finnish words as English: undecided
        ("kuljettaja bus driver", "en", "kuljettaja linja-auto kuljettaja"),  # two of three
        ("manager", "en", None),  # a word of Finnish labels too: English, but without a translation
        ("kaupan kassa", None, None),  # "kassa" is Swedish, "kaupan" only Finnish: no more Swedish
        ("chef, okänd", "sv", "päällikkö okänd"),  # a word of neither language does not make it Finnish
        ("förvaltningschef", "sv", "förvaltning päällikkö"),  # a linking s; a part without a translation
    ],
)
def test_a_title_is_read_in_finnish_when_it_reads_as_swedish_or_english(
    title: str, language: str | None, reading: str | None
) -> None:
    translations = _translations()
    assert translations.language(words(title)) == language
    assert translations.reading(title) == reading


def test_held_out_texts_teach_no_translation() -> None:
    triples = [{"fi": "punainen talo", "en": "red house"}, {"fi": "iso auto", "en": "big car"}]
    house, car = (["red", "house"], ["punainen", "talo"]), (["big", "car"], ["iso", "auto"])
    assert parallel_texts(triples, "en") == [house, car]
    assert parallel_texts(triples, "en", frozenset({normalize("Red house")})) == [car]
    assert parallel_texts(triples, "sv") == []
    upper = parallel_texts(triples, "en", lemma=str.upper)
    assert upper == [(house[0], ["PUNAINEN", "TALO"]), (car[0], ["ISO", "AUTO"])]


def test_esco_teaches_swedish_and_english_occupational_words(coder: OccupationCoder) -> None:
    """The coder's table, learnt from the real ESCO labels (occupations, ISCO groups, skills), its Finnish
    words in their base form."""
    translations = coder.translations
    assert translations is not None
    assert translations.tables["sv"]["förare"] == "kuljettaja"
    assert translations.tables["en"]["nurse"] == "sairaanhoitaja"
    assert translations.reading("lagerarbetare") == "varastotyöntekijä"
    assert translations.reading("trådbussförare") == "johdinautonkuljettaja"
    for finnish in ("hitsaaja", "Projektipäällikkö", "lähihoitaja", "IT-tukihenkilö"):
        assert translations.reading(finnish) is None


def test_the_coder_codes_a_swedish_title_also_as_its_finnish_reading(coder: OccupationCoder) -> None:
    assert coder.translations is not None
    title = "Sjuksköterska"
    readings = coder.readings(title)
    assert readings == [title, "sairaanhoitaja"]
    both = coder.code(title, top=5)
    as_written = coder._code_plain([title], top=10, lang="fi", batch_size=256)[0]
    finnish = coder._code_plain(["sairaanhoitaja"], top=10, lang="fi", batch_size=256)[0]
    # the reading weighs the more, the less sure the coder is of the title as written
    weight = (1 - as_written[0].score) / 2
    assert 0 < weight < 0.5
    scores = {c.isco: 0.0 for c in as_written + finnish}
    for candidates, share in ((as_written, 1 - weight), (finnish, weight)):
        for c in candidates:
            scores[c.isco] += c.score * share
    assert [c.isco for c in both] == sorted(scores, key=lambda isco: -scores[isco])[:5]
    assert [c.score for c in both] == pytest.approx(sorted(scores.values(), reverse=True)[:5])
    assert both[0].isco == "2221"  # nursing professionals
    assert both[0].score > as_written[0].score


def test_a_title_the_coder_is_sure_of_keeps_its_coding(coder: OccupationCoder) -> None:
    """A word-by-word reading can be wrong: it weighs little when the title as written is coded surely."""
    title = "forklift driver"
    assert coder.finnish_reading(title) is not None
    written = coder._code_plain([title], top=1, lang="fi", batch_size=256)[0][0]
    assert written.score > 0.8
    assert coder.code(title, top=1)[0].isco == written.isco


def test_titles_the_rules_rewrite_are_read_as_the_rules_say(coder: OccupationCoder) -> None:
    # synonyms.yaml reads "HR" as "human resources" and Finland-Swedish "närvårdare" as "undersköterska"
    assert coder.finnish_reading("HR specialist") is None
    assert coder.finnish_reading("närvårdare") is None


def test_finnish_titles_and_the_index_s_own_labels_are_read_as_they_are(coder: OccupationCoder) -> None:
    assert coder.readings("hitsaaja") == ["hitsaaja"]
    assert coder.readings("lagerarbetare") == ["lagerarbetare"]  # a Swedish label of the index
    assert coder.readings("welder") == ["welder"]
    # each alternative of a title, followed by its Finnish reading when it has one
    assert coder.readings("kokki / servitör") == ["kokki", "servitör", "tarjoilija"]
