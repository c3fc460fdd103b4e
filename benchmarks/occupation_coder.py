"""Benchmark of the occupation coder against a plain fuzzy-string baseline, in the same run.

Protocol: 20 % of ESCO's Finnish alternative labels are held out, grouped by normalised text (a
held-out text is removed from every occupation that has it; texts equal to a preferred label are never
chosen). The coder is built without them — index, vocabulary, lexicon and calibration — and each
held-out label is coded as a query; a hit is the right ISCO-08 unit group (4 digits). The baseline is
rapidfuzz ``WRatio`` of the query against every label the coder indexes (descriptions excluded), the
ISCO group of the best-matching labels being its answer.

Prints: accuracy (top-1, top-5; also counting any holder's group right for the few held-out texts that
are labels of occupations in two groups), throughput (titles/s, wall and CPU; on one thread, the steady rate
(the better of two passes) and the first pass, whose caches are empty; on the threads that
``code_many`` uses by default when there are several processors), the same for the coder built
without the word vectors (the coder of the fourteenth round) when they are installed,
calibration (reliability buckets, Brier score, expected calibration error), the held-out labels
with job-ad decorations (``osa-aikainen``, ``(m/n/f)``, …) coded with and without removing job-ad
words, the text-normalisation comparison, the held-out figures of each configuration that was kept
(previous coder, synonyms, descriptions, re-ranker …), and realistic, everyday and current job-ad
titles (fi/sv/en) that are not ESCO labels (with the first group of the coder without the word
vectors where it differs), and the coder in use (every label indexed) coding the occupations' own
preferred labels with and without the rule that puts an occupation named exactly first, and the degree
titles of ``degree_titles.yaml`` with and without the table.

Run: ``.venv/bin/python benchmarks/occupation_coder.py [--quick] [--splits N] [--chunks N] [--plain]``
(``--quick`` skips the normalisation comparison and the configurations; ``--splits N`` also codes N
further random held-out splits with the chosen coder and the optional scorers that were tried, and
prints the mean and the paired difference, a larger evaluation than one split of 688 labels;
``--chunks N`` also codes the same held-out labels in N chunks, each by a coder built without only
its chunk, so that 20 %/N of the labels are missing from the index instead of 20 %, closer to a
coder that indexes every shared label and meets titles that are not among them;
``--plain`` measures the coder without the dictionaries, as where they are not installed). The
chosen coder reads the FreeDict dictionaries from ``$ALUE_DICTIONARY_DIR`` (default
``/usr/share/dictd``); the first lines say what it found. Coder changes are chosen on the development
splits of ``benchmarks/coder_dev_splits.py``, never on this held-out split.
"""

from __future__ import annotations

import copy
import dataclasses
import resource
import sys
import time
from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process

from alue.io.kinds.occupations import UNCERTAIN_BELOW
from alue.matching.coder import (
    CoderParams,
    OccupationCoder,
    build_coder,
    coder_workers,
    collect_documents,
    held_out_queries,
    labour_market_group_names,
    load_coder,
)
from alue.matching.degrees import default_degree_titles
from alue.matching.dictionary import dictionary_dir
from alue.matching.taxonomy import Taxonomy, load_taxonomy
from alue.matching.text import Lexicon, normalize
from alue.settings import get_settings

SEED = 7
FRACTION = 0.2

#: Realistic titles that are not ESCO labels, with the ISCO-08 groups a coder would accept.
REALISTIC: list[tuple[str, set[str]]] = [
    ("hitsaaja-levyseppä", {"7212", "7213"}),
    ("kassamyyjä", {"5230"}),
    ("rakennusmies", {"7111", "7115", "7119", "9313"}),
    ("siivooja", {"9112", "5151"}),
    ("lähihoitaja vanhustyöhön", {"5321", "5322"}),
    ("koodari", {"2512", "2513", "2514"}),
    ("trukinkuljettaja", {"8344"}),
    ("varastotyöntekijä", {"4321", "9333"}),
    ("hitsaajana", {"7212"}),
    ("lähihoitajaksi", {"5321", "5322"}),
    ("kuorma-autonkuljettaja", {"8332"}),
    ("ohjelmistokehittäjä", {"2512", "2514"}),
    ("myyntineuvottelija", {"3322"}),
    ("lastbilschaufför", {"8332"}),
    ("sairaanhoitaja", {"2221", "3221"}),
    ("truck driver", {"8332"}),
    ("bussikuski", {"8331"}),
    ("kokki ravintolaan", {"5120", "3434"}),
]

#: Everyday titles (fi/sv/en) with the ISCO-08 groups a person would accept (not the coder's output).
#: The synonym list (``synonyms.yaml``) was checked against them, so they are a sanity check, not an
#: unbiased test.
EVERYDAY: list[tuple[str, set[str]]] = [
    ("rekkakuski", {"8332"}), ("taksikuski", {"8322"}), ("talonmies", {"5153", "7119", "9129"}),
    ("lähihoitaja", {"5321", "5322"}), ("kokki", {"5120"}), ("tarjoilija", {"5131"}),
    ("myyjä", {"5223", "5221"}), ("myymäläpäällikkö", {"5222", "1420"}), ("trukkikuski", {"8344"}),
    ("sähkömies", {"7411", "7412", "7413"}), ("sähköasentaja", {"7411", "7412", "7413"}),
    ("putkimies", {"7126"}), ("maalari", {"7131"}), ("kirvesmies", {"7115"}), ("hitsari", {"7212"}),
    ("koneistaja", {"7223", "7224"}), ("automekaanikko", {"7231"}),
    ("opettaja", {"2320", "2330", "2341", "2351", "2352", "2353", "2354", "2355", "2356", "2359"}),
    ("lastentarhanopettaja", {"2342"}), ("varhaiskasvatuksen opettaja", {"2342"}),
    ("lastenhoitaja", {"5311"}), ("sosiaalityöntekijä", {"2635"}), ("kirjanpitäjä", {"2411", "3313", "4311"}),
    ("toimistosihteeri", {"3343", "4120"}), ("asiakaspalvelija", {"4222", "4225", "4229", "5244"}),
    ("myyntiedustaja", {"3322"}), ("vartija", {"5414"}), ("postinkantaja", {"4412"}),
    ("lääkäri", {"2211", "2212"}), ("hammaslääkäri", {"2261"}), ("parturi-kampaaja", {"5141"}),
    ("leipuri", {"7512"}), ("metsuri", {"6210", "9215"}), ("maanviljelijä", {"1311", "6111", "6121", "6130"}),
    ("ohjelmoija", {"2512", "2513", "2514"}), ("web-kehittäjä", {"2513"}),
    ("projektipäällikkö", {"1213", "1219", "1223", "1330", "2421"}), ("linja-autonkuljettaja", {"8331"}),
    ("yövahti", {"5414"}), ("kiinteistönhoitaja", {"5153"}), ("undersköterska", {"5321"}),
    ("städare", {"9112"}), ("kock", {"5120"}), ("lärare", {"2320", "2330", "2341", "2359"}),
    ("snickare", {"7115"}), ("elektriker", {"7411", "7412"}), ("svetsare", {"7212"}),
    ("säljare", {"3322", "5223"}), ("busschaufför", {"8331"}), ("taxichaufför", {"8322"}),
    ("lagerarbetare", {"4321", "9333"}), ("barnskötare", {"5311"}), ("cashier", {"5230"}),
    ("nurse", {"2221", "3221"}), ("bus driver", {"8331"}), ("cleaner", {"9112"}),
    ("software engineer", {"2512"}), ("warehouse worker", {"4321", "9333"}), ("chef", {"3434", "5120"}),
    ("waiter", {"5131"}), ("hoitaja", {"2221", "5321", "5322"}), ("kuljettaja", {"8322", "8331", "8332"}),
    ("siistijä", {"9112"}), ("rakennustyöntekijä", {"7119", "9313"}),
    ("duunari", {"9313", "9329", "9333", "9622"}),
    ("kaupan kassa", {"5230"}), ("henkilökohtainen avustaja", {"5322"}), ("koulunkäynninohjaaja", {"5312"}),
    ("kodinhoitaja", {"5322"}), ("pizzakuski", {"8321", "9621"}), ("jakelukuski", {"8322", "8332", "9621"}),
    ("devaaja", {"2512", "2513", "2514"}),
]  # fmt: skip

#: Current job-ad titles (fi/sv/en) with the ISCO-08 groups a person would accept. The renamed and
#: regional titles of ``synonyms.yaml`` (sixth round) were written after looking at these, so they are
#: a check, not a test.
JOB_AD_TITLES: list[tuple[str, set[str]]] = [
    ("Key Account Manager", {"1221", "2433", "3322"}),
    ("Full Stack Developer", {"2512", "2513", "2514"}),
    ("DevOps Engineer", {"2512", "2519", "2522", "2523", "2529"}),
    ("Data Scientist", {"2120", "2511", "2519", "2529"}),
    ("Product Owner", {"1223", "1330", "2421", "2512"}),
    ("Scrum Master", {"1330", "2421", "2512", "2519"}),
    ("Business Controller", {"2411", "2413"}),
    ("Service Desk Specialist", {"3512"}),
    ("Customer Service Representative", {"4222", "4225"}),
    ("Sales Manager", {"1221", "3322"}),
    ("HR Specialist", {"2423"}),
    ("UX Designer", {"2166", "2512", "2513"}),
    ("Project Manager", {"1213", "1219", "1223", "1323", "1330", "2421"}),
    ("varhaiskasvatuksen opettaja", {"2342"}),
    ("varhaiskasvatuksen lastenhoitaja", {"5311"}),
    ("varhaiskasvatuksen erityisopettaja", {"2342", "2352"}),
    ("sosionomi", {"2635", "3412"}),
    ("geronomi", {"2635", "3412", "5322"}),
    ("lähihoitaja", {"5321", "5322"}),
    ("perushoitaja", {"5321"}),
    ("hoiva-avustaja", {"5321", "5322"}),
    ("koulunkäyntiavustaja", {"5312"}),
    ("kotihoidon lähihoitaja", {"5321", "5322"}),
    ("asiakasvastaava", {"3322", "3339", "4222", "4229"}),
    ("myyntineuvottelija", {"3322"}),
    ("palvelumyyjä", {"3322", "5223", "5244"}),
    ("kassa-myyjä", {"5223", "5230"}),
    ("ravintolatyöntekijä", {"5120", "5131", "9412"}),
    ("keittiötyöntekijä", {"5120", "9412"}),
    ("laitoshuoltaja", {"5151", "9112"}),
    ("toimitilahuoltaja", {"9112"}),
    ("kiinteistönhoitaja", {"5153"}),
    ("asentaja", {"7126", "7231", "7233", "7411", "7412"}),
    ("huoltomies", {"5153", "7233"}),
    ("kunnossapitoasentaja", {"7233"}),
    ("prosessinhoitaja", {"3133", "3134", "8131", "8171"}),
    ("tuotantotyöntekijä", {"8160", "8189", "9329"}),
    ("kokoonpanija", {"8211", "8212", "8219"}),
    ("logistiikkatyöntekijä", {"4321", "9333"}),
    ("ajojärjestelijä", {"4323"}),
    ("rekrytointikonsultti", {"2423", "3333"}),
    ("palkanlaskija", {"4313"}),
    ("taloushallinnon assistentti", {"3313", "4110", "4311"}),
    ("sairaanhoitaja", {"2221"}),
    ("terveydenhoitaja", {"2221", "3221"}),
    ("ensihoitaja", {"2221", "3258"}),
    ("farmaseutti", {"2262", "3213"}),
    ("psykologi", {"2634"}),
    ("erityisopettaja", {"2352"}),
    ("luokanopettaja", {"2341"}),
    ("aineenopettaja", {"2330"}),
    ("opinto-ohjaaja", {"2359"}),
    ("nuoriso-ohjaaja", {"3412"}),
    ("Lastentarhanopettaja", {"2342"}),
    ("yrittäjä", {"1120", "1439", "5221"}),
    ("metsuri", {"6210", "9215"}),
    ("Sjuksköterska", {"2221"}),
    ("Barnträdgårdslärare", {"2342"}),
    ("Lagerarbetare", {"4321", "9333"}),
    ("Försäljare", {"3322", "5223"}),
    ("Projektledare", {"1213", "1219", "1323", "1330", "2421"}),
]

#: Job-ad titles that name two occupations (``A / B``, ``A tai B``, ``A-B``), with the groups a person
#: would accept for each. A title counts at top-k when every one of its occupations has an acceptable
#: group among the first k; at top-1 when the first is acceptable for one of them. Written before the
#: coder read such titles as alternatives (``split_alternatives``), with the part groups looked up
#: in ESCO's labels.
COMBINED_TITLES: list[tuple[str, list[set[str]]]] = [
    ("Sairaanhoitaja / terveydenhoitaja", [{"2221"}, {"2221", "3221"}]),
    ("Lähihoitaja tai sairaanhoitaja", [{"5321", "5322"}, {"2221"}]),
    ("Sähköasentaja / automaatioasentaja", [{"7411"}, {"7411", "7412", "7421", "3113", "3114"}]),
    ("kokki-tarjoilija", [{"5120", "3434", "9411"}, {"5131"}]),
    ("Hitsaaja-levyseppä", [{"7212"}, {"7213"}]),
    ("Myyjä / kassanhoitaja", [{"5223"}, {"5230"}]),
    ("Siivooja / laitoshuoltaja", [{"9111", "9112", "5151"}, {"9112", "5151"}]),
    ("Kuorma-autonkuljettaja / varastotyöntekijä", [{"8332"}, {"9333", "9334", "4321"}]),
    ("Kirvesmies / rakennustyöntekijä", [{"7115"}, {"9313", "7111", "7119"}]),
    ("Lastenhoitaja tai varhaiskasvatuksen opettaja", [{"5311"}, {"2342"}]),
    ("Asiakaspalvelija / myyjä", [{"4222", "4225"}, {"5223"}]),
    ("Sosiaaliohjaaja / sosiaalityöntekijä", [{"3412"}, {"2635"}]),
    ("Kokki / keittiöapulainen", [{"5120", "3434"}, {"9412"}]),
    ("Tarjoilija / baarimikko", [{"5131"}, {"5132"}]),
    ("Fysioterapeutti tai toimintaterapeutti", [{"2264"}, {"2269"}]),
    ("Linja-autonkuljettaja / taksinkuljettaja", [{"8331"}, {"8322"}]),
    ("Erityisopettaja / luokanopettaja", [{"2352"}, {"2341"}]),
    ("Trukinkuljettaja / varastotyöntekijä", [{"8344"}, {"9333", "9334", "4321"}]),
    ("Kirjanpitäjä / palkanlaskija", [{"3313", "4311"}, {"4313"}]),
    ("Vartija / järjestyksenvalvoja", [{"5414"}, {"5414", "5419"}]),
    ("Sjuksköterska / hälsovårdare", [{"2221"}, {"2221", "3221"}]),
    ("Software Developer / Tester", [{"2512", "2513", "2514"}, {"2519"}]),
    ("Lähihoitaja tai sairaanhoitaja, kotihoito", [{"5321", "5322"}, {"2221"}]),
    ("Maalari-kirvesmies", [{"7131"}, {"7115"}]),
]

#: Job-ad decorations of a title (``{}``): working time, contract, seniority, gender marks, places. The
#: word list of ``title_noise.yaml`` was written with them in view, so the rows it covers show that the
#: removal works, not how often real titles need it; the rows with a place show what it leaves.
JOB_AD_DECORATIONS = (
    "{} (osa-aikainen)", "osa-aikainen {}", "{}, vakituinen", "{}, määräaikainen", "kokenut {}",
    "{} (m/n/f)", "{} sijaisuuteen", "{} kokoaikaiseen työsuhteeseen", "{} 50 %", "senior {}",
    "{} / kesätyö", "ammattitaitoinen {}", "{}, toistaiseksi voimassa oleva", "{}, Pori", "{} Raumalle",
)  # fmt: skip

#: Configurations measured on the held-out split (each row adds one change to the previous one).
CONFIGURATIONS: list[tuple[str, CoderParams]] = [
    (
        "NB groups (previous coder)",
        CoderParams(
            rerank=False,
            use_synonyms=False,
            description_sentences=1,
            rerank_candidates=12,
            dictionary=False,
            similarity_max_df=0,
            word_vectors=False,
        ),
    ),
    (
        "+ everyday synonyms",
        CoderParams(
            rerank=False,
            description_sentences=1,
            rerank_candidates=12,
            dictionary=False,
            similarity_max_df=0,
            word_vectors=False,
        ),
    ),
    (
        "+ 2 description sentences",
        CoderParams(
            rerank=False, rerank_candidates=12, dictionary=False, similarity_max_df=0, word_vectors=False
        ),
    ),
    ("+ stacked re-ranker", CoderParams(dictionary=False, svm_c=0, similarity_max_df=0, word_vectors=False)),
    ("+ dictionaries and thesaurus", CoderParams(svm_c=0, similarity_max_df=0, word_vectors=False)),
    ("+ linear SVM in the re-ranker", CoderParams(svm_smooth_c=0, similarity_max_df=0, word_vectors=False)),
    ("+ a second, smoother SVM", CoderParams(similarity_max_df=0, word_vectors=False)),
    ("+ label similarity pruned", CoderParams(word_vectors=False)),
    ("+ word vectors in the re-ranker (chosen)", CoderParams()),
]


#: Optional scorers that were tried (off in the chosen coder), measured with ``--splits``.
EXPERIMENTS: list[tuple[str, CoderParams]] = [
    ("chosen coder", CoderParams()),
    ("without the dictionaries", CoderParams(dictionary=False)),
    ("without the linear SVM", CoderParams(svm_c=0)),
    ("without the second, smoother SVM", CoderParams(svm_smooth_c=0)),
    ("+ modifier-word model", CoderParams(modifier_model=True)),
    ("+ semantic space (200 dims, 5 candidates)", CoderParams(semantic_dims=200, semantic_candidates=5)),
    ("+ top-5 diversity (margin 0.5)", CoderParams(diversity_margin=0.5)),
]


def repeated_splits(taxonomy: Taxonomy, extra: dict[str, set[str]], count: int) -> None:
    """Each experiment on ``count`` random held-out splits: mean top-1/top-5 and the paired difference."""
    print()
    print(f"repeated held-out splits ({count} random 20 % splits, seeds 101, 202, …)")
    base: tuple[np.ndarray, np.ndarray] | None = None
    for name, params in EXPERIMENTS:
        top1: list[np.ndarray] = []
        top5: list[np.ndarray] = []
        cpu = 0.0
        for i in range(count):
            held = held_out_queries(taxonomy, fraction=FRACTION, seed=101 * (i + 1))
            exclude = frozenset(normalize(label) for label, _ in held)
            variant = build_coder(taxonomy, extra_group_names=extra, exclude=exclude, params=params)
            coded, _, c_cpu = _timed(lambda v=variant, h=held: v.code_many([q for q, _ in h], top=5))
            cpu += c_cpu
            assert isinstance(coded, list)
            top1.append(np.array([bool(c) and c[0].isco == t for c, (_, t) in zip(coded, held, strict=True)]))
            top5.append(np.array([t in {x.isco for x in c} for c, (_, t) in zip(coded, held, strict=True)]))
        h1, h5 = np.concatenate(top1).astype(float), np.concatenate(top5).astype(float)
        line = f"  {name:42} top-1 {h1.mean():6.1%}  top-5 {h5.mean():6.1%}  ({h1.size} labels)"
        if base is None:
            base = (h1, h5)
        else:
            d1, d5 = h1 - base[0], h5 - base[1]
            se1, se5 = d1.std() / np.sqrt(d1.size), d5.std() / np.sqrt(d5.size)
            line += f"  vs chosen: top-1 {d1.mean():+.1%} ± {se1:.1%}, top-5 {d5.mean():+.1%} ± {se5:.1%}"
        print(line + f"  {h1.size / cpu:.0f} titles/s CPU")


def chunked(
    taxonomy: Taxonomy,
    extra: dict[str, set[str]],
    held: Sequence[tuple[str, str]],
    chunks: int,
    params: CoderParams,
) -> None:
    """The held-out labels coded in ``chunks`` chunks, each by a coder built without only that chunk."""
    print()
    print(
        f"the same held-out labels in {chunks} chunks, each coded by a coder built without only its "
        f"chunk ({FRACTION / chunks:.1%} of the alternative labels missing from the index instead of "
        f"{FRACTION:.0%})"
    )
    ranked: list[list[str]] = []
    truth: list[str] = []
    for k in range(chunks):
        part = held[k::chunks]
        exclude = frozenset(normalize(label) for label, _ in part)
        coder = build_coder(taxonomy, extra_group_names=extra, exclude=exclude, params=params)
        ranked += [[c.isco for c in cands] for cands in coder.code_many([label for label, _ in part], top=5)]
        truth += [isco for _, isco in part]
    top1, top5 = _accuracy(ranked, truth)
    print(f"  top-1 {top1:.1%}  top-5 {top5:.1%}  ({len(truth)} labels)")


def own_names(taxonomy: Taxonomy, params: CoderParams) -> None:
    """The coder in use (every label indexed) coding the occupations' own preferred labels (fi/sv/en),
    with and without putting the occupation so named first (``CoderParams.exact_labels``). Not a test
    of generalisation: a title that is an ESCO name is the commonest title there is."""
    coder = load_coder(params=params)
    names: dict[str, set[str]] = {}
    for occupation in taxonomy.occupations.values():
        for label in occupation.labels.values():
            if label:
                names.setdefault(label, set()).add(occupation.isco4)
    texts = sorted(names)
    plain = copy.copy(coder)
    plain.params = dataclasses.replace(coder.params, exact_labels=False)
    print()
    print(f"occupations' own names: the coder in use codes the {len(texts)} preferred labels (fi/sv/en)")
    for name, which in (("without the exact-name rule", plain), ("with it (chosen)", coder)):
        coded = which.code_many(texts, top=5)
        right = [bool(c) and c[0].isco in names[t] for t, c in zip(texts, coded, strict=True)]
        wrong = [t for t, ok in zip(texts, right, strict=True) if not ok]
        examples = ", ".join(wrong[:5])
        print(f"  {name:30} top-1 {np.mean(right):.2%}  ({len(wrong)} not first, e.g. {examples})")


def degree_titles(taxonomy: Taxonomy, params: CoderParams) -> None:
    """The coder in use coding the degree titles of ``degree_titles.yaml`` (``merkonomi``, ``KTM``), with
    and without the table (``CoderParams.degree_titles``): how many are coded at least
    ``UNCERTAIN_BELOW`` sure (a vacancy so coded is not listed for staff to review), and how many of
    those go to a group that the table does not list for the degree."""
    coder = load_coder(params=params)
    plain = copy.copy(coder)
    plain.params = dataclasses.replace(coder.params, degree_titles=False)
    group_of = {o.label("fi"): o.isco4 for o in taxonomy.occupations.values()}
    table = default_degree_titles()
    texts = sorted(table)
    print()
    print(f"degree titles: the coder in use codes the {len(texts)} titles of the degree table")
    for name, which in (("without the table", plain), ("with it (chosen)", coder)):
        coded = which.code_many(texts, top=5)
        sure = [(t, c[0]) for t, c in zip(texts, coded, strict=True) if c and c[0].score >= UNCERTAIN_BELOW]
        outside = [(t, c) for t, c in sure if c.isco not in {group_of[o] for o in table[t].occupations}]
        examples = ", ".join(f"{t} → {c.isco} {c.label} {c.score:.2f}" for t, c in outside[:4])
        print(
            f"  {name:18} {len(sure):2} of {len(texts)} coded ≥ {UNCERTAIN_BELOW:.0%} sure, "
            f"{len(outside)} of them to a group the table does not list{': ' + examples if examples else ''}"
        )


def generic_titles(coder: OccupationCoder, queries: Sequence[str], truth: Sequence[str]) -> None:
    """Titles that the coder reads as generic (one word that no label is, the head of labels of several
    groups: ``CoderParams.generic_titles``): the held-out labels among them (coded by the coder built
    without them) and the everyday titles (by the same coder), with the first group's score without
    and with the cap. The order, and so top-1 and top-5, is the same with and without it."""
    plain = copy.copy(coder)
    plain.params = dataclasses.replace(coder.params, generic_titles=False)
    print()
    print("generic titles (the first group's score capped at its share of the labels with that head)")
    everyday = [title for title, _ in EVERYDAY]
    for name, texts, groups in (("held-out labels", queries, truth), ("everyday titles", everyday, None)):
        prepared = coder._prepared(texts)
        picked = [i for i, p in enumerate(prepared) if coder._generic_cap(p) is not None]
        if not picked:
            print(f"  {name}: none of {len(texts)}")
            continue
        chosen = [texts[i] for i in picked]
        before = plain.code_many(chosen, top=5)
        after = coder.code_many(chosen, top=5)
        rows = [
            f"{t} → {b[0].isco} {b[0].score:.2f} → {a[0].score:.2f}"
            for t, b, a in zip(chosen, before, after, strict=True)
            if b and a
        ]
        line = f"  {name}: {len(picked)} of {len(texts)}"
        if groups is not None:
            right = sum(1 for i, c in zip(picked, after, strict=True) if c and c[0].isco == groups[i])
            line += f", first group right for {right}"
        print(line + ": " + "; ".join(rows))


def _accuracy(ranked: Sequence[Sequence[str]], truth: Sequence[str]) -> tuple[float, float]:
    top1 = float(np.mean([bool(r) and r[0] == t for r, t in zip(ranked, truth, strict=True)]))
    top5 = float(np.mean([t in r[:5] for r, t in zip(ranked, truth, strict=True)]))
    return top1, top5


def _holder_groups(taxonomy: Taxonomy, queries: Sequence[str]) -> list[frozenset[str]]:
    """The ISCO-4 groups of every occupation that has each query as a Finnish alternative label."""
    holders: dict[str, set[str]] = {}
    for occ in taxonomy.occupations.values():
        for label in occ.alt_labels.get("fi", ()):
            holders.setdefault(normalize(label), set()).add(occ.isco4)
    return [frozenset(holders.get(normalize(q), ())) for q in queries]


def _accuracy_any(ranked: Sequence[Sequence[str]], groups: Sequence[frozenset[str]]) -> tuple[float, float]:
    """Top-1 and top-5 accuracy where any of a query's ``groups`` is right."""
    top1 = float(np.mean([bool(r) and r[0] in g for r, g in zip(ranked, groups, strict=True)]))
    top5 = float(np.mean([bool(g.intersection(r[:5])) for r, g in zip(ranked, groups, strict=True)]))
    return top1, top5


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (a coder build fits its SVMs in
    child processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = fn()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


class FuzzyBaseline:
    """rapidfuzz WRatio against every indexed label; the groups of the best labels, in order."""

    def __init__(self, taxonomy: Taxonomy, exclude: frozenset[str], extra: dict[str, set[str]]) -> None:
        docs = collect_documents(taxonomy, extra_group_names=extra, exclude=exclude, use_descriptions=False)
        self.choices = [normalize(d.text) for d in docs]
        self.groups = [d.isco4 for d in docs]

    def rank(self, query: str, k: int = 5) -> list[str]:
        hits = process.extract(normalize(query), self.choices, scorer=fuzz.WRatio, limit=60)
        out: list[str] = []
        for _, _, index in hits:
            group = self.groups[index]
            if group not in out:
                out.append(group)
            if len(out) == k:
                break
        return out


class PlainLexicon(Lexicon):
    """No lemmatisation and no compound splitting (hyphenated parts still split)."""

    def lemma(self, token: str) -> str:
        return token

    def split(self, word: str) -> tuple[str, ...]:
        return tuple(part for part in word.split("-") if part) or (word,)


class SimplemmaLexicon(Lexicon):
    """simplemma's dictionary lemmas (fi, sv, en) with this project's compound splitting."""

    def lemma(self, token: str) -> str:
        import simplemma

        cached = self._lemma_cache.get(token)
        if cached is None:
            cached = simplemma.lemmatize(token, lang=("fi", "sv", "en")).lower()
            self._lemma_cache[token] = cached
        return cached


def inflect(label: str) -> str | None:
    """The essive (``hitsaajana``) of a one-word Finnish title ending in a vowel, else None.

    Job seekers' CVs write titles inflected ("työskentelin hitsaajana"); the held-out labels are in
    the base form, so this makes an inflected copy of the simple ones.
    """
    word = normalize(label)
    if " " in word or not word or word[-1] not in "aeiouyäö" or len(word) < 5:
        return None
    # Vowel harmony follows the last compound part: the last harmonic vowel decides.
    harmonic = [ch for ch in word if ch in "aouäöy"]
    back = bool(harmonic) and harmonic[-1] in "aou"
    return word + ("na" if back else "nä")


def _calibration_report(scores: np.ndarray, correct: np.ndarray, title: str) -> None:
    brier = float(np.mean((scores - correct) ** 2))
    edges = np.array([0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001])
    ece = 0.0
    print(f"  {title}: Brier {brier:.4f}")
    print("    score bucket   n     mean score  share right")
    for lo, hi in pairwise(edges):
        mask = (scores >= lo) & (scores < hi)
        if not mask.any():
            continue
        mean_s, mean_c = float(scores[mask].mean()), float(correct[mask].mean())
        ece += mask.mean() * abs(mean_s - mean_c)
        print(f"    [{lo:.1f}, {min(hi, 1.0):.1f})  {int(mask.sum()):5d}   {mean_s:.3f}       {mean_c:.3f}")
    print(f"    expected calibration error {ece:.4f}")


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    splits = int(argv[argv.index("--splits") + 1]) if "--splits" in argv else 0
    chunks = int(argv[argv.index("--chunks") + 1]) if "--chunks" in argv else 0
    main_params = CoderParams(dictionary=False) if "--plain" in argv else CoderParams()
    data_dir = get_settings().data_dir
    taxonomy = load_taxonomy(data_dir)
    extra = labour_market_group_names(data_dir)
    held = held_out_queries(taxonomy, fraction=FRACTION, seed=SEED)
    exclude = frozenset(normalize(label) for label, _ in held)
    queries = [label for label, _ in held]
    truth = [isco for _, isco in held]
    print(
        f"ESCO {taxonomy.version}: {len(taxonomy.occupations)} occupations, "
        f"held out {len(held)} Finnish alt labels"
    )

    coder_obj, build_wall, build_cpu = _timed(
        lambda: build_coder(taxonomy, extra_group_names=extra, exclude=exclude, params=main_params)
    )
    assert isinstance(coder_obj, OccupationCoder)
    coder = coder_obj
    print(f"coder build (with 3-fold calibration): {build_wall:.1f} s wall, {build_cpu:.1f} s CPU")
    if main_params.dictionary:
        expanded = sum(1 for e in coder.dictionary_expansions(queries) if e)
        print(
            f"dictionaries: {len(coder.expansions)} Finnish words with an expansion "
            f"(from {dictionary_dir()}), {expanded} of {len(queries)} held-out labels expanded"
        )
    baseline = FuzzyBaseline(taxonomy, exclude, extra)

    # The coder built without the word vectors (the fourteenth round's), in the same run: what they
    # add and what they cost.
    plain: OccupationCoder | None = None
    if coder.vectors_dir is not None:
        compared = 0 if coder.vector_docs is None else coder.vector_docs.size
        print(f"word vectors: {coder.vectors_dir}, {compared} Finnish labels compared")
        plain = build_coder(
            taxonomy,
            extra_group_names=extra,
            exclude=exclude,
            params=dataclasses.replace(main_params, word_vectors=False),
        )
    else:
        print("word vectors: not installed (make install), the coder codes without them")

    # Throughput: at least 2,000 titles through each, batched as the CLI does. The first pass of a
    # coder also fills its caches (word forms, n-gram columns, word vectors) and those shared by all
    # coders (normalised texts, the rule files): it is timed on its own, and the steady rate is the
    # better of two later passes, taken in turns with the coder without the word vectors.
    load = queries * max(1, 2000 // len(queries) + 1)
    first_wall, first_cpu = _timed(lambda: coder.code_many(load, top=5, workers=1))[1:]
    passes: dict[str, list[tuple[float, float]]] = {"chosen": [], "plain": []}
    for _ in range(2):
        if plain is not None:
            passes["plain"].append(_timed(lambda: plain.code_many(load, top=5, workers=1))[1:])
        passes["chosen"].append(_timed(lambda: coder.code_many(load, top=5, workers=1))[1:])
    c_wall, c_cpu = min(passes["chosen"])
    threads = coder_workers()
    _, t_wall, t_cpu = _timed(lambda: coder.code_many(load, top=5, workers=threads))
    base_load = load[:300]
    _, b_wall, b_cpu = _timed(lambda: [baseline.rank(q) for q in base_load])

    coded = coder.code_many(queries, top=5)
    ranked = [[c.isco for c in cands] for cands in coded]
    base_ranked = [baseline.rank(q) for q in queries]
    top1, top5 = _accuracy(ranked, truth)
    b1, b5 = _accuracy(base_ranked, truth)
    print()
    print(f"{'method':34} {'top-1':>7} {'top-5':>7} {'titles/s wall':>14} {'titles/s CPU':>13}")
    print(
        f"{'coder (NB + stacked re-ranker)':34} {top1:7.1%} {top5:7.1%} {len(load) / c_wall:14.0f} "
        f"{len(load) / c_cpu:13.0f}"
    )
    name = "  its first pass (caches empty)"
    print(f"{name:34} {'':7} {'':7} {len(load) / first_wall:14.0f} {len(load) / first_cpu:13.0f}")
    if threads > 1:
        name = f"  on {threads} threads"
        print(f"{name:34} {'':7} {'':7} {len(load) / t_wall:14.0f} {len(load) / t_cpu:13.0f}")
    if plain is not None:
        p1, p5 = _accuracy([[c.isco for c in cands] for cands in plain.code_many(queries, top=5)], truth)
        name = "  without the word vectors"
        p_wall, p_cpu = min(passes["plain"])
        print(f"{name:34} {p1:7.1%} {p5:7.1%} {len(load) / p_wall:14.0f} {len(load) / p_cpu:13.0f}")
    print(
        f"{'baseline rapidfuzz WRatio':34} {b1:7.1%} {b5:7.1%} {len(base_load) / b_wall:14.0f} "
        f"{len(base_load) / b_cpu:13.0f}"
    )

    shared = _holder_groups(taxonomy, queries)
    a1, a5 = _accuracy_any(ranked, shared)
    print(
        f"  {sum(len(g) > 1 for g in shared)} held-out texts are labels of occupations in more than one "
        f"group; counting any holder's group right (not only the first's): top-1 {a1:.1%}, top-5 {a5:.1%}"
    )

    print()
    print("calibration on the held-out labels (score = P(ISCO-4 right))")
    top_scores = np.array([cands[0].score if cands else 0.0 for cands in coded])
    top_right = np.array([bool(r) and r[0] == t for r, t in zip(ranked, truth, strict=True)], dtype=float)
    _calibration_report(top_scores, top_right, "top-1 candidates")
    all_scores = np.array([c.score for cands in coded for c in cands])
    all_right = np.array(
        [c.isco == t for cands, t in zip(coded, truth, strict=True) for c in cands], dtype=float
    )
    _calibration_report(all_scores, all_right, "all top-5 candidates")

    generic_titles(coder, queries, truth)

    print()
    print("job-ad titles: each held-out label with a decoration, coded keeping and removing job-ad words")
    keeping = copy.copy(coder)
    keeping.params = dataclasses.replace(coder.params, strip_title_noise=False)
    print(f"  {'decoration':34} {'kept: top-1':>11} {'top-5':>7} {'removed: top-1':>15} {'top-5':>7}")
    for decoration in JOB_AD_DECORATIONS:
        decorated = [decoration.format(q) for q in queries]
        k1, k5 = _accuracy([[c.isco for c in cands] for cands in keeping.code_many(decorated, top=5)], truth)
        r1, r5 = _accuracy([[c.isco for c in cands] for cands in coder.code_many(decorated, top=5)], truth)
        print(f"  {decoration:34} {k1:11.1%} {k5:7.1%} {r1:15.1%} {r5:7.1%}")

    if not quick:
        print()
        print("text normalisation (same protocol, calibration off)")
        params = CoderParams(calibration_folds=0)
        one_word = [(q, t) for q, t in zip(queries, truth, strict=True) if inflect(q)]
        inflected = [(inflect(q) or "", t) for q, t in one_word]
        print(
            f"  ({len(inflected)} one-word held-out labels coded in the base form and in the essive, "
            "e.g. hitsaajana)"
        )
        for name, lexicon_class in (
            ("none (lower-case, punctuation)", PlainLexicon),
            ("vocabulary-guided (this project)", Lexicon),
            ("simplemma lemmas + compound split", SimplemmaLexicon),
        ):
            variant, v_wall, _ = _timed(
                lambda cls=lexicon_class: build_coder(
                    taxonomy, extra_group_names=extra, exclude=exclude, params=params, lexicon_class=cls
                )
            )
            assert isinstance(variant, OccupationCoder)
            codes, _ = variant.ranked_groups(queries, k=5)
            v1, v5 = _accuracy(codes, truth)
            i_codes, _ = variant.ranked_groups([q for q, _ in inflected], k=5)
            i1, _ = _accuracy(i_codes, [t for _, t in inflected])
            o_codes, _ = variant.ranked_groups([q for q, _ in one_word], k=5)
            o1, _ = _accuracy(o_codes, [t for _, t in one_word])
            real_hits = sum(
                1 for title, ok in REALISTIC if variant.ranked_groups([title], k=1)[0][0][0] in ok
            )
            print(
                f"  {name:36} top-1 {v1:6.1%}  top-5 {v5:6.1%}  one-word base/essive {o1:6.1%}/{i1:6.1%}"
                f"  realistic top-1 {real_hits}/{len(REALISTIC)}"
                f"  build {v_wall:.1f} s"
            )

    if not quick:
        print()
        print("configurations (each adds one change; held-out split, calibrated)")
        for name, params in CONFIGURATIONS:
            variant, v_wall, v_cpu = _timed(
                lambda p=params: build_coder(taxonomy, extra_group_names=extra, exclude=exclude, params=p)
            )
            assert isinstance(variant, OccupationCoder)
            v_coded = variant.code_many(queries, top=5)
            v1, v5 = _accuracy([[c.isco for c in cands] for cands in v_coded], truth)
            v_right = np.array([bool(c) and c[0].isco == t for c, t in zip(v_coded, truth, strict=True)])
            v_scores = np.array([c[0].score if c else 0.0 for c in v_coded])
            everyday = variant.code_many([t for t, _ in EVERYDAY], top=5)
            e1 = sum(1 for (_, ok), c in zip(EVERYDAY, everyday, strict=True) if c and c[0].isco in ok)
            e5 = sum(1 for (_, ok), c in zip(EVERYDAY, everyday, strict=True) if any(x.isco in ok for x in c))
            brier = float(np.mean((v_scores - v_right) ** 2))
            print(
                f"  {name:30} top-1 {v1:6.1%}  top-5 {v5:6.1%}  Brier {brier:.4f}"
                f"  everyday top-1/top-5 {e1}/{e5} of {len(EVERYDAY)}  build {v_cpu:.1f} s CPU"
            )

    for title_set, name in (
        (REALISTIC, "realistic titles that are not ESCO labels"),
        (EVERYDAY, "everyday titles"),
        (JOB_AD_TITLES, "current job-ad titles"),
    ):
        print()
        print(f"{name} (top 3: ISCO score label)")
        hits = hits5 = 0
        titles = [t for t, _ in title_set]
        coded_set = coder.code_many(titles, top=5)
        before = plain.code_many(titles, top=5) if plain is not None else coded_set
        for (title, ok), cands, old in zip(title_set, coded_set, before, strict=True):
            mark = "ok " if cands and cands[0].isco in ok else "-- "
            hits += mark == "ok "
            hits5 += any(c.isco in ok for c in cands)
            first_changed = bool(cands) != bool(old) or (cands and old and cands[0].isco != old[0].isco)
            if title_set is REALISTIC or mark == "-- " or first_changed:
                shown = "; ".join(f"{c.isco} {c.score:.2f} {c.label}" for c in cands[:3])
                was = f"  (without the word vectors {old[0].isco})" if first_changed and old else ""
                print(f"  {mark}{title:28} {shown}{was}")
        line = f"  top-1 acceptable: {hits}/{len(title_set)}, top-5: {hits5}/{len(title_set)}"
        if plain is not None:
            b1 = sum(1 for (_, ok), c in zip(title_set, before, strict=True) if c and c[0].isco in ok)
            b5 = sum(1 for (_, ok), c in zip(title_set, before, strict=True) if any(x.isco in ok for x in c))
            line += f" (without the word vectors: {b1}, {b5})"
        print(line)

    print()
    print("titles of two occupations (top 3; top-k: every occupation acceptable among the first k)")
    whole = copy.copy(coder)
    whole.params = dataclasses.replace(coder.params, split_alternatives=False)
    for variant, name in ((coder, "read as alternatives"), (whole, "read as one title")):
        combined = variant.code_many([t for t, _ in COMBINED_TITLES], top=5)
        c1 = c2 = c5 = 0
        for (title, parts), cands in zip(COMBINED_TITLES, combined, strict=True):
            codes = [c.isco for c in cands]
            c1 += bool(codes) and any(codes[0] in ok for ok in parts)
            c2 += all(any(code in ok for code in codes[:2]) for ok in parts)
            c5 += all(any(code in ok for code in codes) for ok in parts)
            if variant is coder:
                shown = "; ".join(f"{c.isco} {c.score:.2f} {c.label}" for c in cands[:3])
                print(f"  {title:42} {shown}")
        n = len(COMBINED_TITLES)
        print(
            f"  {name}: top-1 acceptable {c1}/{n}; every occupation in the top 2: {c2}/{n}, "
            f"in the top 5: {c5}/{n}"
        )

    own_names(taxonomy, main_params)
    degree_titles(taxonomy, main_params)
    if chunks > 1:
        chunked(taxonomy, extra, held, chunks, main_params)
    if splits:
        repeated_splits(taxonomy, extra, splits)


if __name__ == "__main__":
    main(sys.argv[1:])
