"""Development splits of the occupation coder: the protocol under which coder changes are chosen.

The benchmark's held-out test split (20 % of the Finnish alternative labels, chosen as
``benchmarks/occupation_coder.py`` does) is set aside first and never coded here. From the remaining
labels, five development splits of 25 % each are drawn (seeds 11, 22, 33, 44, 55; 688 labels each,
3,440 in all). For each split the coder is built without the test split and the split (index,
lexicon, re-ranker and calibration) and every label of the split is coded; a hit is the right
ISCO-08 unit group. Each variant is compared with the chosen coder on the same labels: the paired
difference of top-1 and top-5 hits and its standard error.

Prints per variant: top-1, top-5, the paired difference to the chosen coder (± standard error, and
on how many of the five splits it is higher / lower), build CPU time, titles/s (CPU time, per split
of 688 titles, first call included).

Run: ``.venv/bin/python benchmarks/coder_dev_splits.py [--only "NAME;NAME"] [--results FILE]``;
``--results`` keeps each variant's hits in a JSON file and reuses them in later runs (the key is the
coder's cache key: the variant's parameters, the code version, the data and the dictionary files).
"""

from __future__ import annotations

import json
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
from occupation_coder import FRACTION, SEED, cpu_seconds

from alue.matching.coder import (
    CoderParams,
    _cache_key,
    build_coder,
    held_out_queries,
    labour_market_group_names,
)
from alue.matching.taxonomy import load_taxonomy
from alue.matching.text import normalize
from alue.settings import get_settings

DEV_SEEDS = (11, 22, 33, 44, 55)
DEV_FRACTION = 0.25

#: The chosen coder first; the others are compared with it (the fifth round's; the options of earlier
#: rounds that were not kept are in the commits named in ``docs/matching.md``).
VARIANTS: list[tuple[str, CoderParams]] = [
    ("chosen coder", CoderParams()),
    ("without the dictionaries (coder of the fourth round)", CoderParams(dictionary=False)),
    ("Finnish-English only (fourth round's best)", CoderParams(thesaurus=False)),
    ("thesaurus only", CoderParams(dictionary_text="none", thesaurus_compounds=False)),
    ("thesaurus + Finnish-English, no compounds", CoderParams(thesaurus_compounds=False)),
    ("thesaurus + Finnish-English, unstaged", CoderParams(dictionary_staged=False)),
    ("expansion weight 0.3", CoderParams(dictionary_weight=0.3)),
    ("expansion weight 0.8", CoderParams(dictionary_weight=0.8)),
    ("10 expansion candidates", CoderParams(dictionary_candidates=10)),
    ("Finnish-English: definitions only, no English glosses", CoderParams(dictionary_text="fi")),
    ("Finnish-English: definitions of 1 sense", CoderParams(dictionary_senses=1)),
    ("Finnish-English: definitions of 3 senses", CoderParams(dictionary_senses=3)),
    ("+ modifier-word model (round two)", CoderParams(modifier_model=True)),
    ("without removing job-ad words", CoderParams(strip_title_noise=False)),
    ("without reading alternatives (A / B) as two titles", CoderParams(split_alternatives=False)),
    ("5 calibration folds (20 % missing)", CoderParams(calibration_folds=5)),
    ("10 calibration folds (10 % missing)", CoderParams(calibration_folds=10)),
    ("without putting exact labels first (eleventh round)", CoderParams(exact_labels=False)),
    ("without the linear SVM (coder of the eleventh round)", CoderParams(svm_c=0)),
    ("linear SVM C=0.5", CoderParams(svm_c=0.5)),
    ("linear SVM C=2", CoderParams(svm_c=2.0)),
    ("linear SVM not pruned", CoderParams(svm_prune=0.0)),
    ("+ the SVM's 5 best groups as candidates", CoderParams(svm_candidates=5)),
    ("without the smooth SVM (coder of the twelfth round)", CoderParams(svm_smooth_c=0)),
    ("smooth SVM C=0.1", CoderParams(svm_smooth_c=0.1)),
    ("label similarity over every feature (fourteenth round)", CoderParams(similarity_max_df=0)),
    ("label similarity without the features of over 500 texts", CoderParams(similarity_max_df=500)),
    ("without the word vectors (coder of the fourteenth round)", CoderParams(word_vectors=False)),
]


def _key(params: CoderParams) -> str:
    # the coder's own cache key: its parameters, code version, data and dictionary files
    return _cache_key(get_settings().data_dir, params)


def run_variant(params: CoderParams) -> dict[str, list[float] | list[list[bool]]]:
    data_dir = get_settings().data_dir
    taxonomy = load_taxonomy(data_dir)
    extra = labour_market_group_names(data_dir)
    test = held_out_queries(taxonomy, fraction=FRACTION, seed=SEED)
    test_texts = frozenset(normalize(label) for label, _ in test)
    top1: list[list[bool]] = []
    top5: list[list[bool]] = []
    expanded: list[list[bool]] = []
    build_cpu: list[float] = []
    code_cpu: list[float] = []
    for seed in DEV_SEEDS:
        dev = held_out_queries(taxonomy, fraction=DEV_FRACTION, seed=seed, exclude=test_texts)
        exclude = test_texts | {normalize(label) for label, _ in dev}
        start = cpu_seconds()
        coder = build_coder(taxonomy, extra_group_names=extra, exclude=exclude, params=params)
        build_cpu.append(cpu_seconds() - start)
        start = time.process_time()
        coded = coder.code_many([label for label, _ in dev], top=5)
        code_cpu.append(time.process_time() - start)
        top1.append([bool(c) and c[0].isco == isco for c, (_, isco) in zip(coded, dev, strict=True)])
        top5.append([isco in {x.isco for x in c} for c, (_, isco) in zip(coded, dev, strict=True)])
        expanded.append([bool(e) for e in coder.dictionary_expansions([label for label, _ in dev])])
    return {"top1": top1, "top5": top5, "build_cpu": build_cpu, "code_cpu": code_cpu, "expanded": expanded}


def main(argv: list[str]) -> None:
    only = set(argv[argv.index("--only") + 1].split(";")) if "--only" in argv else None
    results_path = Path(argv[argv.index("--results") + 1]) if "--results" in argv else None
    stored: dict[str, dict[str, list[float] | list[list[bool]]]] = {}
    if results_path and results_path.is_file():
        stored = json.loads(results_path.read_text(encoding="utf-8"))
    print(
        f"five development splits ({DEV_FRACTION:.0%} of the non-test Finnish alternative labels, "
        f"seeds {', '.join(map(str, DEV_SEEDS))}; test split seed {SEED} set aside)"
    )
    base: tuple[np.ndarray, np.ndarray, list[int]] | None = None
    for i, (name, params) in enumerate(VARIANTS):
        if i > 0 and only is not None and name not in only:
            continue
        key = _key(params)
        if key not in stored:
            stored[key] = run_variant(params)
            if results_path:
                results_path.write_text(json.dumps(stored), encoding="utf-8")
        result = stored[key]
        top1 = [np.asarray(split, dtype=float) for split in result["top1"]]
        top5 = [np.asarray(split, dtype=float) for split in result["top5"]]
        sizes = [len(split) for split in top1]
        h1, h5 = np.concatenate(top1), np.concatenate(top5)
        build = np.asarray(result["build_cpu"], dtype=float)
        code = np.asarray(result["code_cpu"], dtype=float)
        line = (
            f"  {name:44} top-1 {h1.mean():6.1%}  top-5 {h5.mean():6.1%}  ({h1.size} labels)"
            f"  build {build.mean():.1f} s CPU  {h1.size / code.sum():.0f} titles/s CPU"
        )
        if params.dictionary and "expanded" in result:
            mask = np.concatenate([np.asarray(split, dtype=bool) for split in result["expanded"]])
            line += f"\n  {'':44} {int(mask.sum())} labels expanded by the dictionary"
            if base is not None and mask.any():
                line += (
                    f"; on them top-1 {h1[mask].mean():.1%}, top-5 {h5[mask].mean():.1%}"
                    f" (chosen coder {base[0][mask].mean():.1%}, {base[1][mask].mean():.1%})"
                )
        if base is None:
            base = (h1, h5, sizes)
        else:
            d1, d5 = h1 - base[0], h5 - base[1]
            se1, se5 = d1.std() / np.sqrt(d1.size), d5.std() / np.sqrt(d5.size)
            bounds = np.cumsum([0, *sizes])
            per1 = [float(d1[a:b].mean()) for a, b in pairwise(bounds)]
            up, down = sum(x > 0 for x in per1), sum(x < 0 for x in per1)
            line += (
                f"\n  {'':44} vs chosen: top-1 {d1.mean() * 100:+.2f} ± {se1 * 100:.2f} points"
                f" (splits higher/lower {up}/{down}), top-5 {d5.mean() * 100:+.2f} ± {se5 * 100:.2f} points"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
