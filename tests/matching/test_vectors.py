from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alue.matching.vectors import (
    FloretSettings,
    WordVectors,
    load_word_vectors,
    vectors_files,
    word_vectors_dir,
)

#: The settings of the Finnish table (``vectors.cfg`` of spacy-fi-experimental-web-md 0.15.0).
FINNISH_CFG = {
    "mode": "floret",
    "minn": 4,
    "maxn": 5,
    "hash_count": 2,
    "hash_seed": 2166136261,
    "bow": "<",
    "eow": ">",
    "attr": 65,
}


def write_table(directory: Path, rows: int = 97, dims: int = 6, **cfg: object) -> np.ndarray:
    """A floret table whose row ``i`` is ``i`` in the first column and random elsewhere."""
    directory.mkdir(parents=True, exist_ok=True)
    table = np.random.default_rng(7).normal(size=(rows, dims)).astype(np.float32)
    table[:, 0] = np.arange(rows)
    with (directory / "vectors").open("wb") as handle:  # the package's file has no .npy suffix
        np.save(handle, table)
    (directory / "vectors.cfg").write_text(json.dumps({**FINNISH_CFG, **cfg}), encoding="utf-8")
    return table


def test_a_word_is_cut_into_the_whole_word_and_its_character_ngrams(tmp_path: Path) -> None:
    write_table(tmp_path)
    vectors = WordVectors(tmp_path)
    # the pieces spaCy's floret lookup makes of the same word, with the same settings
    assert vectors.pieces("kokki") == ["<kokki>", "<kok", "kokk", "okki", "kki>", "<kokk", "kokki", "okki>"]
    # a word shorter than the n-grams is only itself
    assert vectors.pieces("ö") == ["<ö>"]


def test_a_word_vector_is_the_mean_of_its_pieces_rows(tmp_path: Path) -> None:
    table = write_table(tmp_path)
    vectors = WordVectors(tmp_path)
    rows = vectors.rows("kokki")
    assert rows.size == 8 * 2  # eight pieces, two hashes each
    assert ((rows >= 0) & (rows < table.shape[0])).all()
    np.testing.assert_allclose(vectors.word_vector("kokki"), table[rows].mean(axis=0), rtol=1e-6)
    # the first column holds the row number, so it is the mean row number
    assert vectors.word_vector("kokki")[0] == pytest.approx(rows.mean(), rel=1e-6)


def test_the_rows_come_from_murmurhash3_as_in_floret(tmp_path: Path) -> None:
    # spaCy 3.8's floret lookup hashes '<kokki>' (the Finnish table's seed) to 2005379011 and
    # 1284377222; with a table of 2**31 - 1 rows, those are the rows.
    big = 2**31 - 1
    write_table(tmp_path / "small")
    vectors = WordVectors(tmp_path / "small")
    vectors.table = np.lib.stride_tricks.as_strided(
        np.zeros(1, dtype=np.float32), shape=(big, 1), strides=(0, 4)
    )
    assert vectors.rows("kokki")[:2].tolist() == [2005379011, 1284377222]


def test_text_vectors_are_unit_means_and_zero_without_words(tmp_path: Path) -> None:
    write_table(tmp_path)
    vectors = WordVectors(tmp_path)
    out = vectors.text_vectors(["kokki keittäjä", "", "123 -"])
    assert out.shape == (3, 6)
    assert out.dtype == np.float32
    mean = (vectors.word_vector("kokki") + vectors.word_vector("keittäjä")) / 2
    np.testing.assert_allclose(out[0], mean / np.linalg.norm(mean), rtol=1e-5)
    assert not out[1].any()
    assert not out[2].any()


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    write_table(tmp_path / "a", mode="default")
    with pytest.raises(ValueError, match="expected 'floret'"):
        FloretSettings.read(tmp_path / "a" / "vectors.cfg")
    write_table(tmp_path / "b", hash_count=5)
    with pytest.raises(ValueError, match="unusable floret settings"):
        FloretSettings.read(tmp_path / "b" / "vectors.cfg")


def test_where_the_table_is_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUE_WORD_VECTORS", str(tmp_path))
    assert word_vectors_dir() is None  # no table there
    assert vectors_files() == []
    write_table(tmp_path)
    assert word_vectors_dir() == tmp_path
    assert vectors_files() == [tmp_path / "vectors", tmp_path / "vectors.cfg"]
    for off in ("none", "", "off"):
        monkeypatch.setenv("ALUE_WORD_VECTORS", off)
        assert word_vectors_dir() is None


def test_the_installed_finnish_table(monkeypatch: pytest.MonkeyPatch) -> None:
    # `make install` installs spacy-fi-experimental-web-md (without spaCy); the coder reads its table.
    monkeypatch.delenv("ALUE_WORD_VECTORS", raising=False)
    directory = word_vectors_dir()
    assert directory is not None, "the Finnish word vectors are not installed: run make install"
    vectors = load_word_vectors(directory)
    assert vectors.table.shape == (50_000, 300)
    # The first components of the vectors that spaCy 3.8's own floret lookup gives for these words.
    np.testing.assert_allclose(
        vectors.word_vector("kokki")[:4], [1.85383, 0.83601, 1.89923, -0.58006], atol=1e-4
    )
    np.testing.assert_allclose(
        vectors.word_vector("lähihoitaja")[:4], [1.34739, 1.18372, -0.00476, 0.89208], atol=1e-4
    )
    # Words of one occupation are closer than words of two.
    cook, chef, welder, seller, merchant = vectors.text_vectors(
        ["kokki", "keittäjä", "hitsaaja", "myyjä", "kauppias"]
    )
    assert cook @ chef > cook @ welder + 0.1
    assert seller @ merchant > seller @ welder + 0.1
