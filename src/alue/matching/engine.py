"""Matching jobseekers and vacancies (kohtaanto, R-G2, R-H1): scores explained part by part.

A pair's score is the weighted sum of eight parts, each between 0 and 1 (weights in ``weights.yaml``):
occupation, skills (only with ESCO's occupation–skill relations), experience, education, language,
driving licence, working time and commute. A person with several occupations (work history and sought
occupations) is scored with each of them and the best one counts. Pairs whose occupations are unrelated,
whose required driving licence is missing, or whose workplace is far beyond the person's reach are *hard
fails*: not recommended, but a single ranking can list them last when asked.

Scoring is vectorised: :class:`Scorer` computes the parts of any broadcastable arrays of
(occupation row, vacancy) indexes with numpy gathers on small tables, so one call scores a whole block
of pairs. :func:`top_k` ranks every jobseeker of an area against every open vacancy, block by block,
comparing each occupation row only with vacancies of related occupations (never a dense matrix of all
pairs); :func:`top_k_dense` is the plain all-pairs version used to check it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from alue.matching.features import (
    EDUCATION_RANK,
    LANGS,
    LEVEL_VALUE,
    PART_KEYS,
    WORKING_TIMES,
    Geo,
    Jobseekers,
    OccupationSpace,
    Vacancies,
    active_person_ids,
    effective_weights,
    load_jobseekers,
    load_vacancies,
    load_weights,
    occupation_space,
)
from alue.matching.features import (
    geo as load_geo,
)

#: hard-fail codes of :meth:`Scorer.score`
FAIL_NONE, FAIL_OCCUPATION, FAIL_LICENCE, FAIL_COMMUTE = 0, 1, 2, 3
FAIL_NAMES = {FAIL_OCCUPATION: "occupation", FAIL_LICENCE: "driving_licence", FAIL_COMMUTE: "commute"}


@dataclass(frozen=True)
class ScorePart:
    """One component of a score, explained."""

    key: str  # one of PART_KEYS
    weight: float  # weight in the total
    value: float  # 0..1
    explanation: dict[str, str]  # plain-language text per language {"fi": ..., "sv": ..., "en": ...}


@dataclass(frozen=True)
class Match:
    person_id: int
    vacancy_id: int
    score: float  # 0..1
    parts: tuple[ScorePart, ...]
    distance_km: float
    hard_fail: str | None  # "occupation", "driving_licence" or "commute" when a hard requirement is not met

    def part(self, key: str) -> ScorePart:
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)


class Scorer:
    """The score formula over array indexes: ``r`` occupation rows of ``js``, ``v`` vacancies of ``vac``."""

    def __init__(
        self,
        space: OccupationSpace,
        geo: Geo,
        js: Jobseekers,
        vac: Vacancies,
        config: dict | None = None,
    ) -> None:
        self.space, self.geo, self.js, self.vac = space, geo, js, vac
        self.config = config or load_weights()
        self.weights = effective_weights(self.config, with_skills=space.skills is not None)
        c = self.config
        # language: person's levels (125 codes) × required-language mask (8)
        levels = np.array([[(code // 25) % 5, (code // 5) % 5, code % 5] for code in range(125)])
        values = LEVEL_VALUE[levels]  # [125, 3]
        masks = np.array([[(m >> i) & 1 for i in range(3)] for m in range(8)], dtype=np.float32)  # [8, 3]
        count = masks.sum(axis=1)
        self.lang_table = np.where(count > 0, (values @ masks.T) / np.maximum(count, 1), 1.0).astype(
            np.float32
        )
        # education: person rank + 1 (0 unknown) × minimum + 1 (0 none)
        ed = c["education"]
        p = np.arange(-1, 7)[:, None]
        m = np.arange(-1, 7)[None, :]
        gap = m - p
        self.edu_table = np.where(
            m < 0,
            1.0,
            np.where(
                p < 0,
                ed["unknown"],
                np.where(gap <= 0, 1.0, np.where(gap == 1, ed["one_below"], ed["further_below"])),
            ),
        ).astype(np.float32)
        # working time: preference × vacancy (index 2 = any)
        wt = np.full((3, 3), float(c["working_time"]["mismatch"]), dtype=np.float32)
        wt[2, :] = wt[:, 2] = 1.0
        wt[0, 0] = wt[1, 1] = 1.0
        self.wt_table = wt
        self.com = {k: float(v) for k, v in c["commute"].items()}

    # -- the parts ---------------------------------------------------------------------------------------
    def occupation(self, r: np.ndarray, v: np.ndarray) -> np.ndarray:
        s, js, vac = self.space, self.js, self.vac
        lv = s.levels
        ia, ib = js.row_isco[r], vac.isco[v]
        ea, eb = js.row_esco[r], vac.esco[v]
        sim = s.group_sim[ia, ib]
        same4 = ia == ib
        if same4.any():
            shape = sim.shape
            idx = np.nonzero(same4)
            a_ = np.broadcast_to(ea, shape)[idx]
            b_ = np.broadcast_to(eb, shape)[idx]
            sim[idx] = np.where(
                (a_ == b_) & (a_ >= 0),
                lv["same_esco"],
                lv["same_isco4"] + lv["esco_text"] * s.label_similarity(a_, b_),
            )
        return sim.astype(np.float32, copy=False)

    def distance(self, r: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.geo.distance[self.js.muni[self.js.row_person[r]], self.vac.muni[v]]

    def commute(
        self, r: np.ndarray, v: np.ndarray, d: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(value, excluded): distance against the person's reach; remote work softens it."""
        c = self.com
        if d is None:
            d = self.distance(r, v)
        reach = self.js.reach[self.js.row_person[r]]
        ratio = d / reach
        value = np.where(
            ratio <= 1.0,
            1.0 - c["within_reach_drop"] * ratio,
            (1.0 - c["within_reach_drop"]) * np.exp(-c["beyond_reach_rate"] * (ratio - 1.0)),
        )
        remote = self.vac.remote[v]
        value = np.where(remote, np.maximum(value, c["remote_floor"]), value)
        unknown = np.isnan(d)
        value = np.where(unknown, c["unknown_distance"], value)
        limit = np.maximum(c["exclude_factor"] * reach, reach + c["exclude_extra_km"]).astype(np.float32)
        excluded = (d > limit) & ~remote
        return value.astype(np.float32), excluded & ~unknown

    def commute_limit(self, p: np.ndarray) -> np.ndarray:
        """Distance (km) beyond which a non-remote vacancy is a hard fail for persons ``p``."""
        reach = self.js.reach[p]
        return np.maximum(self.com["exclude_factor"] * reach, reach + self.com["exclude_extra_km"]).astype(
            np.float32
        )

    def parts(self, r: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
        """Every part's value for the pairs (broadcast), plus ``distance`` and the hard-fail masks."""
        js, vac = self.js, self.vac
        p = js.row_person[r]
        occ = self.occupation(r, v)
        d = self.distance(r, v)
        commute, far = self.commute(r, v, d)
        shape = np.broadcast_shapes(np.shape(r), np.shape(v))
        out = {
            "occupation": occ,
            "skills": self.space.skill_similarity(js.row_esco[r], vac.esco[v])
            if self.space.skills is not None
            else np.zeros(shape, np.float32),
            "experience": js.row_exp[r] * occ,
            "education": self.edu_table[js.edu[p] + 1, vac.min_edu[v] + 1],
            "language": self.lang_table[js.lang_code[p], vac.lang_req[v]],
            "driving_licence": np.where(vac.licence[v] & ~js.licence[p], 0.0, 1.0).astype(np.float32),
            "working_time": self.wt_table[js.wt[p], vac.wt[v]],
            "commute": commute,
        }
        out = {k: np.broadcast_to(a, shape) for k, a in out.items()}
        out["distance"] = np.broadcast_to(d, shape)
        fail = np.zeros(shape, dtype=np.int8)
        fail = np.where(far, FAIL_COMMUTE, fail)
        fail = np.where(vac.licence[v] & ~js.licence[p], FAIL_LICENCE, fail)
        fail = np.where(occ <= 0, FAIL_OCCUPATION, fail)
        out["fail"] = fail
        return out

    def _prepare_fast(self) -> None:
        """Tables for :meth:`score`: the four parts that depend only on the person's and the vacancy's
        attributes (education, language, working time, licence) become one table over the attribute
        combinations present, so a pair costs one gather for all four."""
        js, vac, w = self.js, self.vac, self.weights
        pc = (
            ((js.edu.astype(np.int64) + 1) * 125 + js.lang_code) * 6 + js.wt.astype(np.int64) * 2 + js.licence
        )
        vc = (
            ((vac.min_edu.astype(np.int64) + 1) * 8 + vac.lang_req) * 6
            + vac.wt.astype(np.int64) * 2
            + vac.licence
        )
        upc, self._person_static = np.unique(pc, return_inverse=True)
        uvc, self._vacancy_static = np.unique(vc, return_inverse=True)
        pe, pl, pw, plic = upc // 750 - 1, (upc // 6) % 125, (upc // 2) % 3, (upc % 2).astype(bool)
        ve, vl, vw, vlic = uvc // 48 - 1, (uvc // 6) % 8, (uvc // 2) % 3, (uvc % 2).astype(bool)
        missing = vlic[None, :] & ~plic[:, None]
        static = (
            w["education"] * self.edu_table[pe[:, None] + 1, ve[None, :] + 1]
            + w["language"] * self.lang_table[pl[:, None], vl[None, :]]
            + w["working_time"] * self.wt_table[pw[:, None], vw[None, :]]
            + np.where(missing, 0.0, w["driving_licence"])
        )
        # a missing licence is marked by a negative entry (decoded in score)
        self._static = np.where(missing, -1.0 - static, static).astype(np.float32)
        self._remote_floor = np.where(vac.remote, self.com["remote_floor"], -np.inf).astype(np.float32)
        self._has_nan = bool(np.isnan(self.geo.distance).any())

    def score(self, r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(total score float32, hard-fail code int8) of the pairs; the same sum as :meth:`parts`."""
        total, occ, far, missing = self._score(r, v)
        fail = np.zeros(total.shape, dtype=np.int8)
        fail[far] = FAIL_COMMUTE
        fail[missing] = FAIL_LICENCE
        fail[occ <= 0] = FAIL_OCCUPATION
        return total, fail

    def score_masked(self, r: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Scores with ``-inf`` for hard fails (the ranking's inner loop)."""
        total, occ, far, missing = self._score(r, v)
        far |= missing
        far |= occ <= 0
        total[far] = -np.inf
        return total

    def _score(self, r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        if not hasattr(self, "_static"):
            self._prepare_fast()
        w, c = self.weights, self.com
        js, vac = self.js, self.vac
        p = js.row_person[r]
        occ = self.occupation(r, v)
        total = occ * (w["occupation"] + w["experience"] * js.row_exp[r]).astype(np.float32)
        static = self._static[self._person_static[p], self._vacancy_static[v]]
        missing = static < 0
        static = np.where(missing, -1.0 - static, static)
        total += static
        # commute (as in :meth:`commute`, with fewer temporaries)
        d = self.geo.distance[js.muni[p], vac.muni[v]]
        reach = js.reach[p]
        ratio = d * (1.0 / reach).astype(np.float32)
        drop = np.float32(c["within_reach_drop"])
        value = 1.0 - drop * ratio
        beyond = ratio > 1.0
        if beyond.any():
            value[beyond] = (1.0 - drop) * np.exp(-np.float32(c["beyond_reach_rate"]) * (ratio[beyond] - 1.0))
        np.maximum(value, self._remote_floor[v], out=value)
        far = d > self.commute_limit(p)
        far &= ~vac.remote[v]
        if self._has_nan:
            unknown = np.isnan(d)
            value[unknown] = c["unknown_distance"]
            far &= ~unknown
        total += np.float32(w["commute"]) * value
        if self.space.skills is not None and w["skills"] > 0:
            total += w["skills"] * self.space.skill_similarity(js.row_esco[r], vac.esco[v])
        return total.astype(np.float32, copy=False), occ, far, missing


# ----------------------------------------------------------------------------------------------------------
# whole-area ranking


@dataclass
class TopK:
    """Top candidates per jobseeker: flat arrays sorted by person, then score (best first)."""

    person: np.ndarray  # int32 index into Jobseekers persons
    vacancy: np.ndarray  # int32 index into Vacancies
    row: np.ndarray  # int32 occupation row that gave the score
    score: np.ndarray  # float32


def _block_top(
    scorer: Scorer,
    rows: np.ndarray,
    vacs: np.ndarray,
    k: int,
    max_cells: int,
    *,
    prune_distance: bool = False,
    outer: int = 256,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(row, vacancy, score) of the best ``k`` vacancies of each row among ``vacs``, block by block.

    With ``prune_distance`` each run of ``outer`` rows first drops the vacancies that are beyond every
    one of its rows' commuting limit (and not remote): those pairs are hard fails anyway, so the result
    is unchanged. Rows should come sorted by place and reach for the pruning to bite.
    """
    if len(rows) == 0 or len(vacs) == 0:
        return
    if not prune_distance:
        yield from _chunks_top(scorer, rows, vacs, k, max_cells)
        return
    js, vac, dist = scorer.js, scorer.vac, scorer.geo.distance
    remote = vac.remote[vacs]
    v_muni = vac.muni[vacs]
    for start in range(0, len(rows), outer):
        r = rows[start : start + outer]
        p = js.row_person[r]
        munis, inverse = np.unique(js.muni[p], return_inverse=True)
        limit = np.zeros(len(munis), dtype=np.float32)
        np.maximum.at(limit, inverse, scorer.commute_limit(p))
        u_v, inv_v = np.unique(v_muni, return_inverse=True)
        d = dist[munis[:, None], u_v[None, :]]
        reachable = (np.isnan(d) | (d <= limit[:, None])).any(axis=0)
        keep = reachable[inv_v] | remote
        yield from _chunks_top(scorer, r, vacs[keep], k, max_cells)


def _chunks_top(
    scorer: Scorer, rows: np.ndarray, vacs: np.ndarray, k: int, max_cells: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    if len(rows) == 0 or len(vacs) == 0:
        return
    chunk = max(1, max_cells // len(vacs))
    kk = min(k, len(vacs))
    for start in range(0, len(rows), chunk):
        r = rows[start : start + chunk]
        score = scorer.score_masked(r[:, None], vacs[None, :])
        if kk < len(vacs):
            idx = np.argpartition(-score, kk - 1, axis=1)[:, :kk]
        else:
            idx = np.broadcast_to(np.arange(len(vacs)), score.shape)
        best = np.take_along_axis(score, idx, axis=1)
        ok = np.isfinite(best)
        yield (
            np.broadcast_to(r[:, None], idx.shape)[ok].astype(np.int32),
            vacs[idx[ok]].astype(np.int32),
            best[ok],
        )


def _combine(js: Jobseekers, rows: np.ndarray, vacs: np.ndarray, scores: np.ndarray, k: int) -> TopK:
    """Best ``k`` distinct vacancies per person from the candidates of all the person's rows.

    Sorting is done on one packed integer key (person, vacancy, quantised score) when it fits in 63
    bits, which is several times faster than a multi-key lexsort; ties are broken by vacancy index.
    """
    person = js.row_person[rows].astype(np.int64)
    vacs = vacs.astype(np.int64)
    n_v = int(vacs.max()) + 1 if len(vacs) else 1
    vbits = max(1, n_v.bit_length())
    pbits = max(1, int(js.n).bit_length())
    qbits = 24
    if pbits + vbits + qbits > 63:
        return _combine_lexsort(person, vacs, rows, scores, k)
    # higher score → smaller q (scores lie in 0..1.x; the quantum is 2**-22)
    q = np.clip(np.rint((2.0 - scores.astype(np.float64)) * (1 << 22)), 0, (1 << qbits) - 1).astype(np.int64)
    # 1. one entry per (person, vacancy): the best row
    order = np.argsort((((person << vbits) | vacs) << qbits) | q, kind="stable")
    pv = (person << vbits | vacs)[order]
    first = np.r_[True, pv[1:] != pv[:-1]] if len(pv) else np.zeros(0, bool)
    order = order[first]
    # 2. best k per person, ties by vacancy index
    key = (((person[order] << qbits) | q[order]) << vbits) | vacs[order]
    order = order[np.argsort(key, kind="stable")]
    return _first_per_person(person[order], vacs[order], rows[order], scores[order], k)


def _first_per_person(
    person: np.ndarray, vacs: np.ndarray, rows: np.ndarray, scores: np.ndarray, k: int
) -> TopK:
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if len(person) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(person)])
    rank = np.arange(len(person)) - np.repeat(starts, counts)
    keep = rank < k
    return TopK(
        person=person[keep].astype(np.int32),
        vacancy=vacs[keep].astype(np.int32),
        row=rows[keep].astype(np.int32),
        score=scores[keep],
    )


def _combine_lexsort(
    person: np.ndarray, vacs: np.ndarray, rows: np.ndarray, scores: np.ndarray, k: int
) -> TopK:
    order = np.lexsort((-scores, vacs, person))
    person, vacs, rows, scores = person[order], vacs[order], rows[order], scores[order]
    first = np.ones(len(person), dtype=bool)
    first[1:] = (person[1:] != person[:-1]) | (vacs[1:] != vacs[:-1])
    person, vacs, rows, scores = person[first], vacs[first], rows[first], scores[first]
    order = np.lexsort((vacs, -scores, person))
    return _first_per_person(person[order], vacs[order], rows[order], scores[order], k)


def top_k(scorer: Scorer, k: int = 20, *, max_cells: int = 2_000_000) -> TopK:
    """Top ``k`` vacancies for every jobseeker, scoring each occupation row only against vacancies of
    related occupations (same ISCO sub-major group or text-linked groups), in blocks of at most
    ``max_cells`` pairs. Gives the same result as :func:`top_k_dense`, because unrelated pairs are hard
    fails in both."""
    js, vac, space = scorer.js, scorer.vac, scorer.space
    if js.n == 0 or vac.n == 0 or len(js.row_person) == 0:
        return _combine(js, *(np.zeros(0, np.int32),) * 2, np.zeros(0, np.float32), k)
    vac_order = np.argsort(vac.isco, kind="stable")
    n_groups = len(space.isco_codes)
    vac_start = np.searchsorted(vac.isco[vac_order], np.arange(n_groups + 1))
    key = space.isco_num[js.row_isco] // 100  # block by ISCO sub-major group of the row
    # inside a block: by commuting limit (doubling bands), then by place, so that a run of rows covers
    # a small area and the distance pruning drops most vacancies
    p = js.row_person
    band = np.floor(2 * np.log2(np.maximum(scorer.commute_limit(p), 1.0))).astype(np.int64)
    row_order = np.lexsort((scorer.geo.spatial_rank()[js.muni[p]], band, key))
    bounds = np.flatnonzero(np.r_[True, key[row_order][1:] != key[row_order][:-1], True])
    out_r, out_v, out_s = [], [], []
    for a, b in itertools.pairwise(bounds):
        rows = row_order[a:b]
        groups = np.unique(js.row_isco[rows])
        related = space.related_groups(groups)
        vacs = np.concatenate(
            [vac_order[vac_start[g] : vac_start[g + 1]] for g in related] or [np.zeros(0, np.int64)]
        )
        for r, v, s in _block_top(scorer, rows, np.sort(vacs), k, max_cells, prune_distance=True):
            out_r.append(r)
            out_v.append(v)
            out_s.append(s)
    if not out_r:
        return _combine(js, *(np.zeros(0, np.int32),) * 2, np.zeros(0, np.float32), k)
    rows, vacs, scores = np.concatenate(out_r), np.concatenate(out_v), np.concatenate(out_s)
    del out_r, out_v, out_s
    return _combine_in_parts(js, rows, vacs, scores, k)


def _combine_in_parts(
    js: Jobseekers, rows: np.ndarray, vacs: np.ndarray, scores: np.ndarray, k: int, part: int = 2_000_000
) -> TopK:
    """:func:`_combine` over ranges of persons, so that its sort temporaries stay small."""
    if len(rows) <= part:
        return _combine(js, rows, vacs, scores, k)
    person = js.row_person[rows]
    n_parts = -(-len(rows) // part)
    edges = np.linspace(0, js.n, n_parts + 1).astype(np.int64)
    results = []
    for a, b in itertools.pairwise(edges):
        sel = np.flatnonzero((person >= a) & (person < b))
        results.append(_combine(js, rows[sel], vacs[sel], scores[sel], k))
    return TopK(
        person=np.concatenate([t.person for t in results]),
        vacancy=np.concatenate([t.vacancy for t in results]),
        row=np.concatenate([t.row for t in results]),
        score=np.concatenate([t.score for t in results]),
    )


def top_k_dense(
    scorer: Scorer, k: int = 20, *, max_cells: int = 2_000_000, persons: np.ndarray | None = None
) -> TopK:
    """Brute force: every occupation row against every vacancy (same formula), for checking :func:`top_k`."""
    js = scorer.js
    rows = (
        np.arange(len(js.row_person)) if persons is None else np.flatnonzero(np.isin(js.row_person, persons))
    )
    out = list(_block_top(scorer, rows, np.arange(scorer.vac.n), k, max_cells))
    if not out:
        return _combine(js, *(np.zeros(0, np.int32),) * 2, np.zeros(0, np.float32), k)
    rows_parts, vacs_parts, scores_parts = zip(*out, strict=True)
    return _combine(
        js, np.concatenate(rows_parts), np.concatenate(vacs_parts), np.concatenate(scores_parts), k
    )


# ----------------------------------------------------------------------------------------------------------
# explanations

_LEVEL_WORDS = {
    "fi": {1: "alkeet", 2: "tyydyttävä", 3: "hyvä", 4: "erinomainen"},
    "sv": {1: "grunder", 2: "nöjaktig", 3: "god", 4: "utmärkt"},
    "en": {1: "basic", 2: "fair", 3: "good", 4: "excellent"},
}
_LANG_NAMES = {
    "fi": {"fi": "suomi", "sv": "ruotsi", "en": "englanti"},
    "sv": {"fi": "finska", "sv": "svenska", "en": "engelska"},
    "en": {"fi": "Finnish", "sv": "Swedish", "en": "English"},
}
_EDU_NAMES = {
    "fi": ["perusaste", "lukio", "ammatillinen tutkinto", "opistoaste", "alempi korkeakoulututkinto",
           "ylempi korkeakoulututkinto", "tohtorintutkinto"],
    "sv": ["grundnivå", "gymnasium", "yrkesinriktad examen", "institutnivå", "lägre högskoleexamen",
           "högre högskoleexamen", "doktorsexamen"],
    "en": ["basic education", "general upper secondary", "vocational qualification", "short-cycle tertiary",
           "bachelor's degree", "master's degree", "doctoral degree"],
}  # fmt: skip
_WT_NAMES = {
    "fi": ["kokoaikatyö", "osa-aikatyö", "kumpi tahansa"],
    "sv": ["heltidsarbete", "deltidsarbete", "vilket som helst"],
    "en": ["full-time work", "part-time work", "either"],
}


def _km(x: float) -> str:
    return f"{x:.0f}"


class Explainer:
    """Plain-language text (fi, sv, en) for the parts of given pairs."""

    def __init__(self, scorer: Scorer, taxonomy: object | None = None) -> None:
        self.scorer = scorer
        self.taxonomy = taxonomy

    def _group(self, isco_index: int, lang: str) -> str:
        code = self.scorer.space.isco_codes[isco_index]
        name = ""
        if self.taxonomy is not None:
            try:
                name = self.taxonomy.isco_label(code, lang)  # type: ignore[attr-defined]
            except (KeyError, AttributeError):
                name = ""
        return f"{code} {name}".strip()

    def _esco(self, esco_index: int, lang: str) -> str:
        if esco_index < 0 or self.taxonomy is None:
            return ""
        occ = self.taxonomy.occupations.get(self.scorer.space.esco_uris[esco_index])  # type: ignore[attr-defined]
        return occ.label(lang) if occ is not None else ""

    def occupation(self, r: int, v: int, value: float) -> dict[str, str]:
        s = self.scorer
        js, vac, space = s.js, s.vac, s.space
        ia, ib = int(js.row_isco[r]), int(vac.isco[v])
        ea, eb = int(js.row_esco[r]), int(vac.esco[v])
        out = {}
        for lang in ("fi", "sv", "en"):
            group_v = self._group(ib, lang)
            own = self._esco(ea, lang) or (js.row_label[r] if js.row_label else "")
            if ea >= 0 and ea == eb:
                text = {
                    "fi": f"Sama ammatti ({self._esco(eb, lang)}, {group_v})",
                    "sv": f"Samma yrke ({self._esco(eb, lang)}, {group_v})",
                    "en": f"Same occupation ({self._esco(eb, lang)}, {group_v})",
                }[lang]
            elif ia == ib:
                text = {
                    "fi": f"Ammattiryhmä sama ({group_v})",
                    "sv": f"Samma yrkesgrupp ({group_v})",
                    "en": f"Same occupational group ({group_v})",
                }[lang]
            else:
                na, nb = int(space.isco_num[ia]), int(space.isco_num[ib])
                group_a = self._group(ia, lang)
                if na // 10 == nb // 10:
                    level = {
                        "fi": "Lähiammattiryhmä",
                        "sv": "Närliggande yrkesgrupp",
                        "en": "Neighbouring group",
                    }
                elif na // 100 == nb // 100:
                    level = {
                        "fi": "Sama ammattialue",
                        "sv": "Samma yrkesområde",
                        "en": "Same occupational field",
                    }
                else:
                    level = {
                        "fi": "Samankaltainen ammatti",
                        "sv": "Liknande yrke",
                        "en": "Similar occupation",
                    }
                text = f"{level[lang]}: {group_v} ~ {group_a}"
            if own and not (ea >= 0 and ea == eb):
                text += {
                    "fi": f"; hakijan ammatti {own}",
                    "sv": f"; sökandens yrke {own}",
                    "en": f"; jobseeker's occupation {own}",
                }[lang]
            out[lang] = text
        return out

    def experience(self, r: int) -> dict[str, str]:
        js = self.scorer.js
        months, year, target = int(js.row_months[r]), int(js.row_last_year[r]), bool(js.row_target[r])
        if months <= 0:
            if target:
                return {
                    "fi": "Hakutoive, ei työkokemusta ammatista",
                    "sv": "Önskat yrke, ingen arbetserfarenhet i yrket",
                    "en": "Sought occupation, no work experience in it",
                }
            return {
                "fi": "Ei työkokemusta ammatista",
                "sv": "Ingen arbetserfarenhet i yrket",
                "en": "No work experience in the occupation",
            }
        when = {
            "fi": f", viimeksi {year}" if year else "",
            "sv": f", senast {year}" if year else "",
            "en": f", last in {year}" if year else "",
        }
        return {
            "fi": f"Työkokemusta {months} kk{when['fi']}",
            "sv": f"Arbetserfarenhet {months} mån{when['sv']}",
            "en": f"{months} months of work experience{when['en']}",
        }

    def skills(self, value: float) -> dict[str, str]:
        if self.scorer.space.skills is None:
            return {
                "fi": "Osaamistietoja ei käytettävissä (ei ESCO-osaamissuhteita)",
                "sv": "Kompetensuppgifter saknas (inga ESCO-kompetensrelationer)",
                "en": "No skill data (no ESCO occupation–skill relations)",
            }
        pct = f"{100 * value:.0f}"
        return {
            "fi": f"Ammattien osaamisista yhteisiä {pct} %",
            "sv": f"Yrkenas kompetenser överlappar till {pct} %",
            "en": f"Skills of the occupations overlap {pct} %",
        }

    def education(self, p: int, v: int) -> dict[str, str]:
        js, vac = self.scorer.js, self.scorer.vac
        have, need = int(js.edu[p]), int(vac.min_edu[v])
        if need < 0:
            return {
                "fi": "Ei koulutusvaatimusta",
                "sv": "Inget utbildningskrav",
                "en": "No education requirement",
            }
        out = {}
        for lang in ("fi", "sv", "en"):
            need_t = _EDU_NAMES[lang][need]
            have_t = (
                _EDU_NAMES[lang][have]
                if have >= 0
                else {"fi": "ei tiedossa", "sv": "okänd", "en": "unknown"}[lang]
            )
            met = have >= need
            head = {
                "fi": "Koulutusvaatimus täyttyy" if met else "Koulutusvaatimus ei täyty",
                "sv": "Utbildningskravet uppfylls" if met else "Utbildningskravet uppfylls inte",
                "en": "Education requirement met" if met else "Education requirement not met",
            }[lang]
            if have < 0:
                head = {"fi": "Koulutus ei tiedossa", "sv": "Utbildning okänd", "en": "Education unknown"}[
                    lang
                ]
            label = {"fi": "vaatimus", "sv": "krav", "en": "required"}[lang]
            own = {"fi": "hakijalla", "sv": "sökanden har", "en": "jobseeker has"}[lang]
            out[lang] = f"{head} ({label} {need_t}, {own} {have_t})"
        return out

    def language(self, p: int, v: int) -> dict[str, str]:
        js, vac = self.scorer.js, self.scorer.vac
        mask = int(vac.lang_req[v])
        code = int(js.lang_code[p])
        levels = {"fi": (code // 25) % 5, "sv": (code // 5) % 5, "en": code % 5}
        required = [lang for i, lang in enumerate(LANGS) if (mask >> i) & 1]
        if not required:
            return {"fi": "Ei kielivaatimusta", "sv": "Inget språkkrav", "en": "No language requirement"}
        out = {}
        for ui in ("fi", "sv", "en"):
            items = []
            for lang in required:
                lvl = levels[lang]
                word = _LEVEL_WORDS[ui].get(
                    lvl, {"fi": "ei osaamista", "sv": "inga kunskaper", "en": "none"}[ui]
                )
                items.append(f"{_LANG_NAMES[ui][lang]}: {word}")
            head = {"fi": "Työkieli", "sv": "Arbetsspråk", "en": "Working language"}[ui]
            out[ui] = f"{head} — " + ", ".join(items)
        return out

    def licence(self, p: int, v: int) -> dict[str, str]:
        js, vac = self.scorer.js, self.scorer.vac
        if not vac.licence[v]:
            return {
                "fi": "Ajokorttia ei vaadita",
                "sv": "Körkort krävs inte",
                "en": "No driving licence required",
            }
        if js.licence[p]:
            return {
                "fi": "Ajokortti vaaditaan, hakijalla on",
                "sv": "Körkort krävs, sökanden har det",
                "en": "Driving licence required, jobseeker has one",
            }
        return {
            "fi": "Ajokortti vaaditaan, hakijalla ei ole",
            "sv": "Körkort krävs, sökanden saknar det",
            "en": "Driving licence required, jobseeker has none",
        }

    def working_time(self, p: int, v: int) -> dict[str, str]:
        js, vac = self.scorer.js, self.scorer.vac
        pw, vw = int(js.wt[p]), int(vac.wt[v])
        ok = pw == 2 or vw == 2 or pw == vw
        return {
            "fi": f"Työaika: {_WT_NAMES['fi'][vw]}, toive {_WT_NAMES['fi'][pw]}"
            + ("" if ok else " (ei vastaa)"),
            "sv": f"Arbetstid: {_WT_NAMES['sv'][vw]}, önskemål {_WT_NAMES['sv'][pw]}"
            + ("" if ok else " (motsvarar inte)"),
            "en": f"Working time: {_WT_NAMES['en'][vw]}, wish {_WT_NAMES['en'][pw]}"
            + ("" if ok else " (does not match)"),
        }

    def commute(self, p: int, v: int, d: float) -> dict[str, str]:
        js, vac, geo = self.scorer.js, self.scorer.vac, self.scorer.geo
        reach = float(js.reach[p])
        remote = bool(vac.remote[v])
        if np.isnan(d):
            out = {"fi": "Etäisyys ei tiedossa", "sv": "Avståndet okänt", "en": "Distance unknown"}
        elif js.muni[p] == vac.muni[v]:
            out = {
                "fi": "Työpaikka kotikunnassa",
                "sv": "Arbetsplatsen i hemkommunen",
                "en": "Workplace in the home municipality",
            }
        else:
            out = {
                "fi": f"Työpaikka {_km(d)} km kotikunnasta, hakija on valmis kulkemaan {_km(reach)} km",
                "sv": f"Arbetsplatsen {_km(d)} km från hemkommunen, sökanden kan pendla {_km(reach)} km",
                "en": (
                    f"Workplace {_km(d)} km from the home municipality, "
                    f"the jobseeker will commute {_km(reach)} km"
                ),
            }
        del geo
        if remote:
            out = {
                "fi": out["fi"] + "; etätyö mahdollista",
                "sv": out["sv"] + "; distansarbete möjligt",
                "en": out["en"] + "; remote work possible",
            }
        return out

    def match(self, r: int, v: int) -> Match:
        s = self.scorer
        p = int(s.js.row_person[r])
        values = {k: a[0] for k, a in s.parts(np.array([r]), np.array([v])).items()}
        totals, fails = s.score(np.array([r]), np.array([v]))
        total, fail = totals[0], fails[0]
        d = float(values["distance"])
        texts = {
            "occupation": self.occupation(r, v, float(values["occupation"])),
            "skills": self.skills(float(values["skills"])),
            "experience": self.experience(r),
            "education": self.education(p, v),
            "language": self.language(p, v),
            "driving_licence": self.licence(p, v),
            "working_time": self.working_time(p, v),
            "commute": self.commute(p, v, d),
        }
        parts = tuple(
            ScorePart(
                key=k, weight=round(s.weights[k], 4), value=round(float(values[k]), 4), explanation=texts[k]
            )
            for k in PART_KEYS
        )
        return Match(
            person_id=int(s.js.person_id[p]),
            vacancy_id=int(s.vac.vacancy_id[v]),
            score=round(float(total), 4),
            parts=parts,
            distance_km=round(d, 1) if not np.isnan(d) else float("nan"),
            hard_fail=FAIL_NAMES.get(int(fail)),
        )


# ----------------------------------------------------------------------------------------------------------
# the database-facing interface


def _data_dir() -> Path:
    from alue.settings import get_settings

    return Path(get_settings().data_dir).resolve()


def _context(data_dir: Path | None = None) -> tuple[OccupationSpace, Geo, object]:
    from alue.matching.taxonomy import load_taxonomy

    d = Path(data_dir).resolve() if data_dir else _data_dir()
    return occupation_space(d), load_geo(d), load_taxonomy(d)


def _today(on: dt.date | None) -> dt.date:
    if on is not None:
        return on
    from alue.shared.time import today

    return today()


def _best_rows(
    scorer: Scorer, v_index: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For one person's rows × the vacancies: (best row, score, fail) per vacancy."""
    score, fail = scorer.score(rows[:, None], v_index[None, :])
    # a failing row never beats a passing one
    key = np.where(fail == 0, score + 10.0, score)
    best = np.argmax(key, axis=0)
    cols = np.arange(len(v_index))
    return rows[best], score[best, cols], fail[best, cols]


def _ordered(scores: np.ndarray, fails: np.ndarray, ids: np.ndarray, top: int, include: bool) -> np.ndarray:
    ok = np.flatnonzero(fails == 0)
    ok = ok[np.lexsort((ids[ok], -scores[ok]))][:top]
    if not include or len(ok) >= top:
        return ok
    bad = np.flatnonzero((fails != 0) & (fails != FAIL_OCCUPATION))
    bad = bad[np.lexsort((ids[bad], -scores[bad]))][: top - len(ok)]
    return np.concatenate([ok, bad])


def rank_vacancies_for_person(
    session: Session,
    person_id: int,
    *,
    top: int = 20,
    on: dt.date | None = None,
    include_hard_fails: bool = False,
    data_dir: Path | None = None,
) -> list[Match]:
    """The best open vacancies (on ``on``, default today) for one person, best first.

    With ``include_hard_fails`` the list is filled up with vacancies whose licence or distance
    requirement the person does not meet, after all others (unrelated occupations are never listed).
    Raises ``LookupError`` for an unknown person.
    """
    from alue.people.models import Person

    on = _today(on)
    space, geo_, taxonomy = _context(data_dir)
    if session.get(Person, person_id) is None:
        raise LookupError(f"no person with id {person_id}")
    js = load_jobseekers(session, [person_id], space, geo_, on)
    vac = load_vacancies(session, space, geo_, on=on)
    if js.n == 0 or vac.n == 0 or len(js.row_person) == 0:
        return []
    scorer = Scorer(space, geo_, js, vac)
    v_index = np.arange(vac.n)
    rows, scores, fails = _best_rows(scorer, v_index, np.arange(len(js.row_person)))
    chosen = _ordered(scores, fails, vac.vacancy_id, top, include_hard_fails)
    explainer = Explainer(scorer, taxonomy)
    return [explainer.match(int(rows[i]), int(v_index[i])) for i in chosen]


def rank_persons_for_vacancy(
    session: Session,
    vacancy_id: int,
    *,
    top: int = 20,
    on: dt.date | None = None,
    municipality_codes: Collection[str] | None = None,
    include_hard_fails: bool = False,
    data_dir: Path | None = None,
) -> list[Match]:
    """The best active jobseekers (on ``on``, default today) for one vacancy, best first.

    ``municipality_codes`` limits the jobseekers to those living in these municipalities (e.g. the
    area's own). Raises ``LookupError`` for an unknown vacancy.
    """
    from alue.employers.models import Vacancy
    from alue.people.models import Person

    on = _today(on)
    space, geo_, taxonomy = _context(data_dir)
    if session.get(Vacancy, vacancy_id) is None:
        raise LookupError(f"no vacancy with id {vacancy_id}")
    vac = load_vacancies(session, space, geo_, vacancy_ids=[vacancy_id])
    ids = active_person_ids(session, on)
    if municipality_codes is not None:
        from sqlalchemy import select

        codes = list(municipality_codes)
        allowed = set(session.scalars(select(Person.id).where(Person.home_municipality_code.in_(codes))))
        ids = [i for i in ids if i in allowed]
    js = load_jobseekers(session, ids, space, geo_, on)
    if js.n == 0 or vac.n == 0 or len(js.row_person) == 0:
        return []
    scorer = Scorer(space, geo_, js, vac)
    rows = np.arange(len(js.row_person))
    score, fail = scorer.score(rows, np.zeros(len(rows), dtype=np.int64))
    # best row per person
    key = np.where(fail == 0, score + 10.0, score)
    order = np.lexsort((-key, js.row_person))
    first = np.r_[True, js.row_person[order][1:] != js.row_person[order][:-1]]
    best_rows = order[first]
    chosen = _ordered(
        score[best_rows], fail[best_rows], js.person_id[js.row_person[best_rows]], top, include_hard_fails
    )
    explainer = Explainer(scorer, taxonomy)
    return [explainer.match(int(best_rows[i]), 0) for i in chosen]


def explain_pair(
    session: Session,
    person_id: int,
    vacancy_id: int,
    *,
    on: dt.date | None = None,
    data_dir: Path | None = None,
) -> Match | None:
    """The explained score of one pair (its best occupation row), or None when the person has no
    occupation or the vacancy is unknown. Works for closed vacancies too."""
    on = _today(on)
    space, geo_, taxonomy = _context(data_dir)
    js = load_jobseekers(session, [person_id], space, geo_, on)
    vac = load_vacancies(session, space, geo_, vacancy_ids=[vacancy_id])
    if js.n == 0 or vac.n == 0 or len(js.row_person) == 0:
        return None
    scorer = Scorer(space, geo_, js, vac)
    rows, _, _ = _best_rows(scorer, np.zeros(1, dtype=np.int64), np.arange(len(js.row_person)))
    return Explainer(scorer, taxonomy).match(int(rows[0]), 0)


__all__ = [
    "EDUCATION_RANK",
    "WORKING_TIMES",
    "Match",
    "ScorePart",
    "Scorer",
    "TopK",
    "explain_pair",
    "rank_persons_for_vacancy",
    "rank_vacancies_for_person",
    "top_k",
    "top_k_dense",
]
