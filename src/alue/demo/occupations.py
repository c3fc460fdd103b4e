"""Occupation mix of jobseekers and vacancies, and concrete ESCO occupations within each ISCO group.

The mix follows the official month-end figures by occupation group (Ammattiluokitus 2010 = ISCO-08,
4 digits) of the Satakunta region (``MK04``) — or of the whole country (``SSS``) for the national demo —
averaged over the official months of the build window (the whole series when the window has none).
Suppressed cells count as 2 (the statistics hide 1–4). Within a group a concrete ESCO occupation is
picked uniformly from the taxonomy; groups without an ESCO occupation are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from alue.demo.columns import IntArray, build_csr, sample_csr
from alue.shared.national_groups import read_occupation_statistics

OCCUPATIONS_FILE = Path("stats") / "tyonvalitys_occupations_monthly.csv.gz"
SUPPRESSED_VALUE = 2.0


@dataclass
class EscoOccupation:
    uri: str
    isco4: str
    label_fi: str


@dataclass
class OccupationModel:
    version: str
    groups: list[str]  # ISCO-08 4-digit codes with at least one ESCO occupation
    group_labels: list[str]
    jobseeker_weights: np.ndarray  # float [G]
    vacancy_weights: np.ndarray  # float [G]
    occupations: list[EscoOccupation]
    occ_group: IntArray  # group index of each occupation
    occ_offsets: IntArray  # CSR: occupations of group g are occ_members[occ_offsets[g]:occ_offsets[g+1]]
    occ_members: IntArray
    occ_cum: np.ndarray
    #: group-level neighbourhoods (CSR of groups weighted by vacancy share) for "nearby" jobs
    near3: tuple[IntArray, IntArray, np.ndarray]
    near1: tuple[IntArray, IntArray, np.ndarray]
    all_vacancy: tuple[IntArray, IntArray, np.ndarray]

    def pick_occupation(self, rng: np.random.Generator, groups: IntArray) -> IntArray:
        """One ESCO occupation (index into ``occupations``) inside each given group."""
        idx = sample_csr(rng, self.occ_offsets, self.occ_cum, groups)
        return self.occ_members[idx]

    def nearby_group(self, rng: np.random.Generator, groups: IntArray, mix: tuple[float, ...]) -> IntArray:
        """The group of a job for people of ``groups``: the same, a sibling (3-digit), same major, any."""
        n = len(groups)
        level = np.searchsorted(np.cumsum(mix), rng.random(n) * sum(mix), side="right")
        result = groups.copy()
        for lvl, (offsets, members, cum) in ((1, self.near3), (2, self.near1), (3, self.all_vacancy)):
            sel = np.flatnonzero(level == lvl)
            if len(sel) == 0:
                continue
            keys = groups[sel] if lvl < 3 else np.zeros(len(sel), dtype=np.int64)
            pick = sample_csr(rng, offsets, cum, keys)
            ok = pick >= 0
            result[sel[ok]] = members[pick[ok]]
        return result


def _esco(data_dir: Path) -> tuple[str, list[EscoOccupation], dict[str, str]]:
    """ESCO occupations (uri, ISCO-4, Finnish label) and ISCO group labels, via the project's taxonomy."""
    try:
        from alue.matching.taxonomy import load_taxonomy

        taxonomy = load_taxonomy(data_dir)
        occupations = [
            EscoOccupation(o.uri, o.isco4, o.label("fi"))
            for o in taxonomy.occupations.values()
            if len(o.isco4) == 4
        ]
        labels = {code: taxonomy.isco_label(code, "fi") for code in taxonomy.isco_groups}
        version = taxonomy.version
    except Exception:  # the taxonomy module is developed elsewhere: fall back to the raw file
        raw = json.loads((data_dir / "esco" / "occupations.json").read_text(encoding="utf-8"))
        items = raw if isinstance(raw, list) else raw.get("occupations", raw.get("items", []))
        occupations, labels = [], {}
        for item in items:
            uri = item.get("uri", "")
            pref = item.get("prefLabel") or {}
            if "/isco/C" in uri:
                labels[uri.rsplit("C", 1)[1]] = pref.get("fi") or pref.get("en") or uri
                continue
            broader = item.get("broader") or []
            isco = next((b.rsplit("C", 1)[1] for b in broader if "/isco/C" in b), None)
            if isco and len(isco) == 4:
                occupations.append(EscoOccupation(uri, isco, pref.get("fi") or pref.get("en") or uri))
        version = "1.1.1"
    occupations.sort(key=lambda o: (o.isco4, o.uri))
    return version, occupations, labels


def _official_mix(
    data_dir: Path, area_code: str, months: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    df = read_occupation_statistics(
        data_dir / OCCUPATIONS_FILE,
        area_code,
        suppressed_unemployed=SUPPRESSED_VALUE,
        suppressed_vacancies=SUPPRESSED_VALUE,
    )
    window = df.filter(pl.col("month").is_in(months))
    if window.height == 0:
        window = df.filter(pl.col("month") >= "2019-01")
    agg = window.group_by("occupation_group").agg(
        pl.col("unemployed_month_end").mean().alias("u"),
        pl.col("open_vacancies_month_end").mean().alias("v"),
    )
    u = {str(g): float(x) for g, x in zip(agg["occupation_group"], agg["u"], strict=True)}
    v = {str(g): float(x) for g, x in zip(agg["occupation_group"], agg["v"], strict=True)}
    return u, v


def load_occupation_model(data_dir: Path, area_code: str, months: list[str]) -> OccupationModel:
    version, occupations, labels = _esco(data_dir)
    u_mix, v_mix = _official_mix(data_dir, area_code, months)
    with_esco = sorted({o.isco4 for o in occupations})
    groups = [g for g in with_esco if u_mix.get(g, 0) > 0 or v_mix.get(g, 0) > 0]
    index = {g: i for i, g in enumerate(groups)}
    kept = [o for o in occupations if o.isco4 in index]
    occ_group = np.array([index[o.isco4] for o in kept], dtype=np.int64)
    offsets, members, cum = build_csr(occ_group, np.ones(len(kept)), len(groups))
    jw = np.array([u_mix.get(g, 0.0) for g in groups]) + 0.05
    vw = np.array([v_mix.get(g, 0.0) for g in groups]) + 0.05

    def neighbourhood(prefix_len: int) -> tuple[IntArray, IntArray, np.ndarray]:
        # candidate list per group: the other groups sharing the prefix, weighted by vacancies
        pairs_g, pairs_c, weights = [], [], []
        by_prefix: dict[str, list[int]] = {}
        for i, g in enumerate(groups):
            by_prefix.setdefault(g[:prefix_len], []).append(i)
        for i, g in enumerate(groups):
            for j in by_prefix[g[:prefix_len]]:
                if j != i:
                    pairs_g.append(i)
                    pairs_c.append(j)
                    weights.append(vw[j])
        pg = np.array(pairs_g, dtype=np.int64)
        pc = np.array(pairs_c, dtype=np.int64)
        off, order, c = build_csr(pg, np.array(weights), len(groups))
        return off, pc[order], c

    off_all, mem_all, cum_all = build_csr(np.zeros(len(groups), dtype=np.int64), vw, 1)
    return OccupationModel(
        version=version,
        groups=groups,
        group_labels=[labels.get(g, g) for g in groups],
        jobseeker_weights=jw / jw.sum(),
        vacancy_weights=vw / vw.sum(),
        occupations=kept,
        occ_group=occ_group,
        occ_offsets=offsets,
        occ_members=members,
        occ_cum=cum,
        near3=neighbourhood(3),
        near1=neighbourhood(1),
        all_vacancy=(off_all, mem_all, cum_all),
    )
