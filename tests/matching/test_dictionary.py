from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from alue.matching.dictionary import (
    FIN_ENG,
    Dictionary,
    decode_number,
    dictionary_dir,
    dictionary_files,
    load_dictionary,
    parse_entry,
    read_dictd,
)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

#: Hand-made entries in the layout of FreeDict's fin-eng database.
ENTRIES = [
    "00databaseshort\n     A tiny test dictionary\n",
    "kameramies /kˈameramies/ <n>\ncameraman\nelokuvakameraa käyttävä henkilö\n",
    "toimittaja /tˈoimɪtːˌaja/ <n>\n1. editor, journalist, reporter\n"
    "lehteen kirjoittava henkilö; journalisti\n2. supplier\ntavaroita hankkiva yritys\n",
    "kuski /kˈuskɪ/ <n>\ndriver\n",
    "nopea /nˈopea/ <adj>\nfast, quick#English\nsuuri nopeus\n",
]


def _encode(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 64)
        digits = _B64[rest] + digits
        if number == 0:
            return digits


def write_dictd(directory: Path, entries: list[str], *, compressed: bool, name: str = FIN_ENG) -> None:
    """A dictd database of ``entries`` (first line's first word is the headword)."""
    directory.mkdir(parents=True, exist_ok=True)
    body = b""
    index_lines = []
    for text in entries:
        raw = text.encode("utf-8")
        headword = text.split("\n", 1)[0].split(" /", 1)[0].split(" <", 1)[0].strip()
        index_lines.append(f"{headword}\t{_encode(len(body))}\t{_encode(len(raw))}\n")
        body += raw
    (directory / f"{name}.index").write_text("".join(sorted(index_lines)), encoding="utf-8")
    if compressed:
        (directory / f"{name}.dict.dz").write_bytes(gzip.compress(body))
    else:
        (directory / f"{name}.dict").write_bytes(body)


def test_decode_number() -> None:
    assert decode_number("A") == 0
    assert decode_number("B") == 1
    assert decode_number("BA") == 64
    assert decode_number("/") == 63
    assert all(decode_number(_encode(n)) == n for n in (0, 5, 63, 64, 4095, 4096, 1_725_104))
    with pytest.raises(ValueError, match="base-64"):
        decode_number("A=")


def test_parse_single_and_numbered_senses() -> None:
    single = parse_entry(ENTRIES[1])
    assert (single.headword, single.pos) == ("kameramies", "n")
    assert [s.glosses for s in single.senses] == [("cameraman",)]
    assert single.senses[0].definition == "elokuvakameraa käyttävä henkilö"
    numbered = parse_entry(ENTRIES[2])
    assert [s.glosses for s in numbered.senses] == [("editor", "journalist", "reporter"), ("supplier",)]
    assert numbered.senses[0].definition.endswith("journalisti")
    assert numbered.senses[1].definition == "tavaroita hankkiva yritys"
    no_definition = parse_entry(ENTRIES[3])
    assert no_definition.senses[0].glosses == ("driver",)
    assert no_definition.senses[0].definition == ""
    # A language tag after '#' is dropped from the gloss.
    assert parse_entry(ENTRIES[4]).senses[0].glosses == ("fast", "quick")


@pytest.mark.parametrize("compressed", [True, False])
def test_read_dictd_plain_and_gzipped(tmp_path: Path, compressed: bool) -> None:
    write_dictd(tmp_path, ENTRIES, compressed=compressed)
    files = dictionary_files(tmp_path)
    assert files is not None
    index, data = files
    assert data.name.endswith(".dict.dz" if compressed else ".dict")
    entries = read_dictd(index, data)
    assert sorted(e.headword for e in entries) == ["kameramies", "kuski", "nopea", "toimittaja"]
    dictionary = Dictionary(entries)
    assert len(dictionary) == 4
    assert "Kameramies" in dictionary
    assert dictionary.lookup("toimittaja")[0].senses[0].glosses[1] == "journalist"
    assert dictionary.lookup("nopea", pos="n") == ()


def test_load_dictionary_from_the_configured_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUE_DICTIONARY_DIR", str(tmp_path / "dictd"))
    assert dictionary_dir() == tmp_path / "dictd"
    assert dictionary_files() is None
    assert load_dictionary() is None  # absent: no dictionary, no error
    write_dictd(tmp_path / "dictd", ENTRIES, compressed=True)
    loaded = load_dictionary()
    assert loaded is not None
    assert loaded.lookup("kuski")[0].senses[0].glosses == ("driver",)
    monkeypatch.delenv("ALUE_DICTIONARY_DIR")
    assert dictionary_dir() == Path("/usr/share/dictd")


#: Hand-made entries in the layout of FreeDict's dictionaries into Finnish (eng-fin, swe-fin).
INTO_FINNISH_ENTRIES = {
    "freedict-eng-fin": [
        "journalist //ˈd͡ʒɜːnəlɪst// //ˈd͡ʒɝnəlɪst// <n>\n1. toimittaja, lehtimies, journalisti\n"
        "one whose occupation is journalism\n2. toimittaja, reportteri\nreporter\n",
        "fast /fɑːst/ <adj>\nnopea, ripeä\nquick\n",
        "cook /kʊk/ <n>\nkokki, keittäjä, ruoanlaittaja\na person who prepares food\n",
    ],
    "freedict-swe-fin": ["tidningsman /tˈiːdnɪŋsman/ <n, ut>\nlehtimies\njournalist\n"],
    "freedict-deu-fin": ["Journalist /ʒʊʁnaˈlɪst/ <n, masc>\ntoimittaja, lehtimies\nReporter\n"],
}


def test_thesaurus_pivots_the_senses_of_dictionaries_into_finnish() -> None:
    from alue.matching.dictionary import thesaurus_table

    dictionaries = [
        (name, Dictionary(parse_entry(text) for text in entries))
        for name, entries in INTO_FINNISH_ENTRIES.items()
    ]
    table = thesaurus_table(dictionaries)
    # The other words of each sense, and the English and Swedish headwords (German ones meet no label).
    assert table["lehtimies"] == ["toimittaja", "journalisti", "journalist", "tidningsman"]
    assert table["toimittaja"] == ["lehtimies", "journalisti", "journalist", "reportteri"]
    assert table["kokki"] == ["keittäjä", "ruoanlaittaja", "cook"]
    assert "nopea" not in table  # adjectives are not read
    parsed = parse_entry(INTO_FINNISH_ENTRIES["freedict-eng-fin"][0])
    assert (parsed.headword, parsed.pos) == ("journalist", "n")  # two pronunciations skipped


def test_load_thesaurus_reads_what_is_there_and_notices_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alue.matching.dictionary import into_finnish_files, load_thesaurus

    monkeypatch.setenv("ALUE_DICTIONARY_DIR", str(tmp_path))
    assert load_thesaurus() == {}
    assert into_finnish_files() == []
    write_dictd(tmp_path, INTO_FINNISH_ENTRIES["freedict-swe-fin"], compressed=True, name="freedict-swe-fin")
    assert load_thesaurus() == {"lehtimies": ["tidningsman"]}
    assert load_thesaurus() is load_thesaurus()  # read once while the files stay the same
    write_dictd(tmp_path, INTO_FINNISH_ENTRIES["freedict-eng-fin"], compressed=False, name="freedict-eng-fin")
    assert len(into_finnish_files()) == 4
    assert load_thesaurus()["lehtimies"] == ["toimittaja", "journalisti", "journalist", "tidningsman"]
