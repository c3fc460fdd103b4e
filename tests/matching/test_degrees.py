"""Degree titles (``Merkonomi``, ``Tradenomi (AMK)``, ``KTM``) are coded as the work they prepare for."""

from __future__ import annotations

import pytest

from alue.matching.coder import DEGREE_SCORE, OccupationCoder
from alue.matching.degrees import default_degree_titles, degree_titles_from_mapping
from alue.matching.taxonomy import Taxonomy

from .test_coder import with_params


def test_no_degree_title_is_a_label_of_the_index(coder: OccupationCoder) -> None:
    # a title that ESCO has (artenomi, Swedish socionom) is coded as ESCO says: listing it would do nothing
    assert not set(default_degree_titles()) & coder._label_texts()


def test_every_listed_occupation_is_one_esco_occupation_of_its_own_group(taxonomy: Taxonomy) -> None:
    by_label: dict[str, list[str]] = {}
    for occupation in taxonomy.occupations.values():
        by_label.setdefault(occupation.label("fi"), []).append(occupation.isco4)
    table = default_degree_titles()
    assert {"merkonomi", "tradenomi", "ktm", "kauppatieteiden maisteri", "tradenom"} <= set(table)
    for title, degree in table.items():
        groups = []
        for label in degree.occupations:
            assert len(by_label.get(label, [])) == 1, f"{title}: {label!r} is not exactly one occupation"
            groups.append(by_label[label][0])
        assert len(set(groups)) == len(groups), f"{title}: two occupations of one ISCO-4 group"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"degree": "x", "source": "AMK"}, "field 'occupations' is missing"),
        ({"degree": "x", "source": "college", "occupations": ["myyjä"]}, "field 'source' must be one of"),
        ({"degree": "x", "source": "AMK", "occupations": []}, "field 'occupations' must be a non-empty list"),
        ({"degree": "x", "source": "AMK", "occupations": ["myyjä", "myyjä"]}, "names an occupation twice"),
        ({"degree": "x", "source": "AMK", "occupations": ["myyjä"], "isco": "5223"}, "unknown field 'isco'"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_title_and_field(
    entry: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match="degree title 'Merkonomi' \\(fi\\)") as raised:
        degree_titles_from_mapping({"fi": {"Merkonomi": entry}})
    assert problem in str(raised.value)


def test_a_title_listed_twice_is_refused() -> None:
    entry = {"degree": "x", "source": "vocational", "occupations": ["myyjä"]}
    with pytest.raises(ValueError, match="listed twice"):
        degree_titles_from_mapping({"fi": {"merkonomi": entry}, "sv": {"MERKONOMI": entry}})


def test_a_degree_title_is_coded_as_the_work_it_prepares_for(coder: OccupationCoder) -> None:
    listed = default_degree_titles()["merkonomi"].occupations
    for text in ("merkonomi", "Merkonomi (osa-aikainen)", "MERKONOMI"):
        candidates = coder.code(text, top=5)
        assert [c.label for c in candidates[: len(listed)]] == list(listed), text
        shares = [c.score for c in candidates[: len(listed)]]
        # each as likely: under the 50 % below which staff review a coded vacancy
        assert shares == pytest.approx([DEGREE_SCORE / len(listed)] * len(listed))
        assert max(shares) < 0.5
        assert sum(c.score for c in candidates) <= 1.0 + 1e-9
        assert len({c.isco for c in candidates}) == len(candidates)
    # before the table, the letters alone made it the economists' group, 78 % sure
    assert "2631" not in {c.isco for c in coder.code("merkonomi", top=len(listed))}


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Tradenomi (AMK)", "3313"),
        ("tradenom (YH)", "3313"),
        ("Insinööri (ylempi AMK)", "2144"),
        ("KTM", "2411"),
        ("kauppatieteiden maisteri", "2411"),
        ("psykologian maisteri", "2634"),
    ],
)
def test_degree_titles_with_their_level_and_abbreviations(
    coder: OccupationCoder, text: str, first: str
) -> None:
    assert coder.code(text, top=3)[0].isco == first


def test_a_degree_of_one_occupation_is_confident(coder: OccupationCoder) -> None:
    best = coder.code("psykologian maisteri", top=2)[0]
    assert (best.label, best.score) == ("psykologi", pytest.approx(DEGREE_SCORE))


def test_esco_s_own_labels_win_over_the_table(coder: OccupationCoder) -> None:
    # ESCO has "artenomi" as an alternative label of two designers (2163): the table does not apply
    assert "artenomi" in coder._label_texts()
    best = coder.code("artenomi", top=1)[0]
    assert best.isco == "2163"
    assert best.score != pytest.approx(DEGREE_SCORE)


def test_a_title_with_more_than_the_degree_is_coded_by_its_words(coder: OccupationCoder) -> None:
    plain = with_params(coder, degree_titles=False)
    for text in ("merkonomi asiakaspalveluun", "tradenomi, taloushallinto", "hitsaaja"):
        assert coder.code(text) == plain.code(text), text
    assert plain.code("merkonomi", top=1)[0].isco == "2631", "the flaw the table corrects"
