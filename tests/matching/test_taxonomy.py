from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from alue.matching.taxonomy import (
    DEFAULT_ESCO_VERSION,
    Taxonomy,
    build_taxonomy,
    detect_version,
    load_taxonomy,
)


def test_counts_of_the_shared_data(taxonomy: Taxonomy) -> None:
    with_all_languages = [o for o in taxonomy.occupations.values() if {"fi", "sv", "en"} <= set(o.labels)]
    # occupations.json has 3,007 occupations; occupations_fi.csv adds one more (Finnish only).
    assert len(with_all_languages) == 3007
    assert len(taxonomy.occupations) == 3008
    assert len(taxonomy.isco_groups) == 619
    assert Counter(g.level for g in taxonomy.isco_groups.values()) == {1: 10, 2: 43, 3: 130, 4: 436}
    assert len(taxonomy.skills) == 13896
    assert taxonomy.occupation_skills == {}
    assert taxonomy.version == DEFAULT_ESCO_VERSION == "1.1.1"


def test_every_occupation_sits_in_a_known_unit_group(taxonomy: Taxonomy) -> None:
    for occ in taxonomy.occupations.values():
        assert occ.isco4 in taxonomy.isco_groups
        assert taxonomy.isco_groups[occ.isco4].level == 4
        assert occ.code is None or occ.code.split(".")[0] == occ.isco4


def test_csv_alt_labels_and_descriptions_are_parsed(taxonomy: Taxonomy) -> None:
    assert sum(len(o.alt_labels.get("fi", ())) for o in taxonomy.occupations.values()) == 3686
    technical_director = taxonomy.occupations[
        "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"
    ]
    assert technical_director.labels["fi"] == "tekninen johtaja"
    assert technical_director.labels["en"]
    assert technical_director.alt_labels["fi"] == ("tekninen päällikkö",)
    assert technical_director.description_fi is not None
    assert technical_director.description_fi.startswith("Tekniset johtajat")
    assert technical_director.isco4 == "2654"
    assert technical_director.code == "2654.1.7"


def test_isco_navigation(taxonomy: Taxonomy) -> None:
    welders = taxonomy.occupations_in_isco("7212")
    assert "hitsaaja" in {o.labels["fi"] for o in welders}
    assert all(o.isco4 == "7212" for o in welders)
    assert {o.isco4[:2] for o in taxonomy.occupations_in_isco("72")} == {"72"}
    assert len(taxonomy.occupations_in_isco("7")) > len(taxonomy.occupations_in_isco("72"))
    assert taxonomy.isco_label("7212", "en") == "Welders and flamecutters"
    assert taxonomy.isco_label("7212") == "Hitsaajat ja kaasuleikkaajat"
    assert taxonomy.isco_groups["7212"].parent == "721"
    assert taxonomy.isco_groups["7"].parent is None
    with pytest.raises(KeyError):
        taxonomy.isco_label("9999")


def test_load_taxonomy_is_cached(data_dir: Path) -> None:
    assert load_taxonomy(data_dir) is load_taxonomy(data_dir)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


OCC_HEADER = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels",
              "status", "description", "code"]  # fmt: skip
WELDER = "http://data.europa.eu/esco/occupation/w1"
NURSE = "http://data.europa.eu/esco/occupation/n1"
SKILL_A = "http://data.europa.eu/esco/skill/a"
SKILL_B = "http://data.europa.eu/esco/skill/b"


def test_official_csv_files_with_relations(tmp_path: Path) -> None:
    esco = tmp_path / "ESCO dataset - v1.2.0 - classification" / "esco"
    esco.mkdir(parents=True)
    _write_csv(esco / "occupations_fi.csv", OCC_HEADER, [
        ["Occupation", WELDER, "7212", "hitsaaja", "hitsari\nkaarihitsaaja\n", "svetsari", "released",
         "Hitsaajat liittävät metalleja.", "7212.1"],
        ["Occupation", NURSE, "2221", "sairaanhoitaja", "", "", "released", "", "2221.1"],
    ])  # fmt: skip
    _write_csv(esco / "occupations_en.csv", OCC_HEADER, [
        ["Occupation", WELDER, "7212", "welder", "welding operator", "", "released", "Welders join.",
         "7212.1"],
    ])  # fmt: skip
    _write_csv(esco / "ISCOGroups_en.csv", ["conceptType", "conceptUri", "code", "preferredLabel"], [
        ["ISCOGroup", "http://data.europa.eu/esco/isco/C7212", "7212", "Welders and flamecutters"],
        ["ISCOGroup", "http://data.europa.eu/esco/isco/C721", "721", "Sheet metal workers"],
    ])  # fmt: skip
    _write_csv(esco / "skills_en.csv", ["conceptType", "conceptUri", "preferredLabel"], [
        ["KnowledgeSkillCompetence", SKILL_A, "use welding equipment"],
        ["KnowledgeSkillCompetence", SKILL_B, "read blueprints"],
    ])  # fmt: skip
    relation_header = ["occupationUri", "relationType", "skillType", "skillUri"]
    _write_csv(esco / "occupationSkillRelations_en.csv", relation_header, [
        [WELDER, "optional", "skill/competence", SKILL_B],
        [WELDER, "essential", "skill/competence", SKILL_A],
    ])  # fmt: skip

    taxonomy = build_taxonomy(esco.parent)
    assert taxonomy.version == "1.2.0"
    welder = taxonomy.occupations[WELDER]
    assert welder.labels == {"fi": "hitsaaja", "en": "welder"}
    assert welder.alt_labels == {"fi": ("hitsari", "kaarihitsaaja"), "en": ("welding operator",)}
    assert welder.hidden_labels == {"fi": ("svetsari",)}
    assert welder.description_fi == "Hitsaajat liittävät metalleja."
    assert welder.isco4 == "7212"
    assert taxonomy.occupations[NURSE].alt_labels == {}
    assert taxonomy.occupation_skills == {WELDER: (SKILL_A, SKILL_B)}
    assert taxonomy.essential_skills == {WELDER: (SKILL_A,)}
    assert taxonomy.skills[SKILL_A].labels == {"en": "use welding equipment"}
    assert taxonomy.isco_label("7212", "fi") == "Welders and flamecutters"  # falls back to English
    assert taxonomy.isco_groups["7212"].parent == "721"


def test_version_file_wins_and_default(tmp_path: Path) -> None:
    assert detect_version(tmp_path) == DEFAULT_ESCO_VERSION
    (tmp_path / "esco").mkdir()
    (tmp_path / "esco" / "VERSION").write_text("v1.1.2\n", encoding="utf-8")
    assert detect_version(tmp_path) == "1.1.2"


def test_missing_files_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_taxonomy(tmp_path)
