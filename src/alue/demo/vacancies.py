"""Employers and the open-vacancy walk, calibrated like the jobseekers.

Employer customers are generated per municipality in proportion to the labour force (TOL industry
sections and size classes from :mod:`alue.demo.params`). Vacancies come in two kinds:

* **taken** vacancies — for a share of the open-market hires of the walk the person took an advertised
  vacancy: the advert is published some weeks before the hire, in the employer's municipality, in the
  occupation of the job, with requirements the person meets, and ``filled_on`` is the hire date
  (``EmploymentEpisode.vacancy_id`` points to it);
* **other** adverts — filled by people who are not customers, or closed unfilled.

The walk goes month by month like the jobseekers' one: the open positions on each count day
(``published_on ≤ day ≤ closes_on`` and not yet filled; the official series counts positions, so the
demo counts ``positions``) are compared with the official figure of the municipality; extra adverts are
closed early (taken ones are published later) and missing positions are published as new adverts.
"""

from __future__ import annotations

import numpy as np

from alue.demo import params
from alue.demo.columns import NO_DAY, Columns, IntArray, rank_in_group, uniform_day
from alue.demo.occupations import OccupationModel

INDUSTRIES = list(params.INDUSTRIES)
SIZES = list(params.SIZE_CLASSES)


def generate_employers(rng: np.random.Generator, labour_force: np.ndarray, first_day: int) -> Columns:
    """Employer customers in every municipality (index order of ``labour_force``)."""
    counts = np.maximum(np.rint(labour_force * params.EMPLOYERS_PER_LABOUR_FORCE), 4).astype(np.int64)
    n = int(counts.sum())
    table = Columns(
        "employer",
        {
            "muni": np.int32,
            "industry": np.int16,
            "size": np.int8,
            "founded": np.int32,
            "founder": np.int32,
        },
        capacity=n + 4096,
    )
    munis = np.repeat(np.arange(len(counts)), counts)
    shares = np.array(list(params.INDUSTRIES.values()))
    industry = rng.choice(len(INDUSTRIES), size=n, p=shares / shares.sum())
    size_shares = np.array([v[0] for v in params.SIZE_CLASSES.values()])
    size = rng.choice(len(SIZES), size=n, p=size_shares / size_shares.sum())
    public = np.isin(industry, [INDUSTRIES.index(c) for c in "OPQ"])
    size[public & (rng.random(n) < 0.5)] = SIZES.index("large")
    founded = first_day - np.floor(rng.exponential(14, n) * 365.25).astype(np.int64) - 30
    table.add(n, muni=munis, industry=industry, size=size, founded=founded, founder=-1)
    return table


class VacancyWalk:
    """Vacancies as arrays, generated against the monthly targets."""

    def __init__(
        self,
        rng: np.random.Generator,
        occ: OccupationModel,
        employers: Columns,
        n_munis: int,
        industry_of: object,
    ) -> None:
        self.rng = rng
        self.occ = occ
        self.employers = employers
        self.n_munis = n_munis
        self.industry_of = industry_of
        self.V = Columns(
            "vacancy",
            {
                "employer": np.int32,
                "muni": np.int32,
                "isco": np.int32,
                "occ": np.int32,
                "positions": np.int16,
                "published": np.int32,
                "closes": np.int32,
                "filled": np.int32,
                "wt": np.int8,
                "etype": np.int8,
                "licence": np.bool_,
                "lang": np.int8,
                "remote": np.bool_,
                "min_edu": np.int8,
                "taken": np.bool_,
                "ee": np.int32,
            },
            capacity=1 << 16,
        )
        self.tally: list[np.ndarray] = []
        self.misses: list[tuple[int, int, int]] = []

    def add_taken(self, ee_idx: IntArray, ee: Columns, persons: Columns) -> None:
        """Adverts taken by hires of the walk (one position each, filled on the hire date)."""
        rng = self.rng
        n = len(ee_idx)
        if n == 0:
            return
        hire = ee["start"][ee_idx].astype(np.int64)
        lead = rng.integers(5, 45, n)
        published = hire - lead
        filled = np.maximum(published + 1, hire - rng.integers(0, 15, n))
        closes = np.maximum(published + rng.integers(14, 45, n), filled)
        p = ee["person"][ee_idx]
        fixed = ee["fixed"][ee_idx]
        month = (hire.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) + 1
        seasonal = fixed & np.isin(month, (5, 6, 7, 8)) & (rng.random(n) < 0.5)
        etype = np.where(seasonal, 2, np.where(fixed, 1, 0))
        licence = persons["licence"][p] & (rng.random(n) < 0.4)
        tongue = persons["tongue"][p]
        # working language: Finnish; English-only adverts for people who do not speak Finnish (foreign
        # language speakers asked to be served in English are the proxy); Swedish speakers also fi+sv
        lang = np.where(tongue >= 2, np.where(rng.random(n) < 0.3, 2, 0), np.where(tongue == 1, 3, 0))
        lang = np.where((lang == 0) & (rng.random(n) < 0.08), 1, lang)
        min_edu = np.minimum(persons["edu"][p], self._min_education(ee["isco"][ee_idx]))
        min_edu = np.where(persons["edu"][p] == 7, -1, min_edu)  # unknown education: no requirement
        self.V.add(
            n,
            employer=ee["employer"][ee_idx],
            muni=ee["muni"][ee_idx],
            isco=ee["isco"][ee_idx],
            occ=ee["occ"][ee_idx],
            positions=1,
            published=published,
            closes=closes,
            filled=filled,
            wt=ee["wt"][ee_idx],
            etype=etype,
            licence=licence,
            lang=lang,
            remote=self._remote(ee["isco"][ee_idx]),
            min_edu=min_edu,
            taken=True,
            ee=ee_idx,
        )

    def _min_education(self, groups: IntArray) -> np.ndarray:
        major = np.array([int(g[0]) for g in self.occ.groups])[groups]
        # 1–2 tertiary (bachelor), 3 short tertiary or vocational, 4–8 vocational, 9 none
        base = np.select([major <= 2, major == 3, major <= 8], [4, 2, 2], -1)
        relax = self.rng.random(len(groups)) < 0.35
        return np.where(relax & (base > 0), np.where(base == 4, 3, -1), base)

    def _remote(self, groups: IntArray) -> np.ndarray:
        major = np.array([int(g[0]) for g in self.occ.groups])[groups]
        return (major <= 3) & (self.rng.random(len(groups)) < 0.2)

    def _new_adverts(
        self, munis: IntArray, positions: IntArray, published: IntArray, closes: IntArray, filled: IntArray
    ) -> None:
        rng = self.rng
        n = len(munis)
        if n == 0:
            return
        groups = rng.choice(len(self.occ.groups), size=n, p=self.occ.vacancy_weights).astype(np.int64)
        occ = self.occ.pick_occupation(rng, groups)
        off, members, cum = self._by_key
        industry = self.industry_of(groups)  # type: ignore[operator]
        from alue.demo.columns import sample_csr

        pick = sample_csr(rng, off, cum, munis * len(INDUSTRIES) + industry)
        employer = np.where(pick >= 0, members[np.maximum(pick, 0)], -1)
        missing = np.flatnonzero(employer < 0)
        if len(missing):
            off2, members2, cum2 = self._by_muni
            employer[missing] = members2[sample_csr(rng, off2, cum2, munis[missing])]
        et = rng.choice(3, size=n, p=np.array(params.EMPLOYMENT_TYPES))
        major = np.array([int(g[0]) for g in self.occ.groups])[groups]
        licence = np.where(major == 8, rng.random(n) < 0.8, rng.random(n) < 0.2)
        lang = rng.choice(4, size=n, p=[0.86, 0.09, 0.03, 0.02])  # fi, fi+en, en, fi+sv
        wt = np.where(rng.random(n) < 0.22, 1, np.where(rng.random(n) < 0.06, 2, 0))
        self.V.add(
            n,
            employer=employer,
            muni=munis,
            isco=groups,
            occ=occ,
            positions=positions,
            published=published,
            closes=closes,
            filled=filled,
            wt=wt,
            etype=et,
            licence=licence,
            lang=lang,
            remote=self._remote(groups),
            min_edu=self._min_education(groups),
            taken=False,
            ee=-1,
        )

    def prepare(
        self, by_key: tuple[IntArray, IntArray, np.ndarray], by_muni: tuple[IntArray, IntArray, np.ndarray]
    ) -> None:
        self._by_key = by_key
        self._by_muni = by_muni

    def _open_on(self, on_day: int) -> np.ndarray:
        V = self.V
        return (V["published"] <= on_day) & (V["closes"] >= on_day) & (V["filled"] > on_day)

    def step(self, t: int, d_prev: int, d_now: int, target: np.ndarray, scale: float = 1.0) -> None:
        rng = self.rng
        V = self.V
        open_now = self._open_on(d_now)
        idx = np.flatnonzero(open_now)
        munis = V["muni"][idx].astype(np.int64)
        pos = V["positions"][idx].astype(np.int64)
        counts = np.bincount(munis, weights=pos, minlength=self.n_munis).astype(np.int64)
        excess = counts - target
        if (excess > 0).any():
            # close other adverts early (published before this count day), in random order
            free = idx[(~V["taken"][idx]) & (V["published"][idx] < d_now)]
            order, _ = rank_in_group(V["muni"][free].astype(np.int64), rng.random(len(free)))
            f = free[order]
            fm = V["muni"][f].astype(np.int64)
            cum = _cumsum_in_group(fm, V["positions"][f].astype(np.int64))
            # close until the excess is covered (a multi-position advert may overshoot; new adverts fill back)
            close = f[(cum - V["positions"][f]) < np.maximum(excess, 0)[fm]]
            lo = np.maximum(V["published"][close], d_prev)
            V["closes"][close] = np.where(
                lo < d_now, uniform_day(rng, lo - 1, d_now - 1), V["published"][close]
            )
            V["closes"][close] = np.maximum(V["closes"][close], V["published"][close])
            still = V["closes"][close] >= d_now  # published on the count day itself cannot close earlier
            V["closes"][close[still]] = d_now
            V["filled"][close[~still]] = NO_DAY
            closed = close[~still]
            counts -= np.bincount(
                V["muni"][closed].astype(np.int64), weights=V["positions"][closed], minlength=self.n_munis
            ).astype(np.int64)
            excess = counts - target
            if (excess > 0).any():
                # taken adverts: publish them after the count day (still before their hire)
                # (only those published after the previous count day: earlier counts must not change)
                taken = idx[V["taken"][idx] & (V["filled"][idx] > d_now) & (V["published"][idx] > d_prev)]
                order, rank = rank_in_group(V["muni"][taken].astype(np.int64), rng.random(len(taken)))
                tk = taken[order]
                later = tk[rank < np.maximum(excess, 0)[V["muni"][tk].astype(np.int64)]]
                V["published"][later] = d_now + 1
                V["closes"][later] = np.maximum(V["closes"][later], V["filled"][later])
                counts -= np.bincount(V["muni"][later].astype(np.int64), minlength=self.n_munis)
        deficit = np.maximum(target - counts, 0)
        if deficit.any():
            self._publish(deficit, d_prev, d_now)
        # adverts that open and close between two count days
        short = rng.poisson(params.VACANCY_SHORT_INFLOW * np.maximum(target, 1) * scale)
        if short.any() and d_now - d_prev >= 3:
            munis = np.repeat(np.arange(self.n_munis), short)
            published = uniform_day(rng, np.full(len(munis), d_prev), d_now - 2)
            closes = uniform_day(rng, published - 1, d_now - 1)
            fill = (rng.random(len(munis)) < params.VACANCY_FILLED_SHARE) & (closes > published)
            filled = np.where(fill, uniform_day(rng, published, np.maximum(closes, published + 1)), NO_DAY)
            self._new_adverts(munis, np.ones(len(munis), dtype=np.int64), published, closes, filled)
        self._record(t, d_now, target)

    def _publish(self, deficit: np.ndarray, d_prev: int, d_now: int) -> None:
        rng = self.rng
        sizes = np.array([p for p, _ in params.POSITIONS])
        shares = np.array([s for _, s in params.POSITIONS])
        # enough adverts for the positions, then cut to the exact number per municipality
        n_ads = deficit
        munis = np.repeat(np.arange(self.n_munis), n_ads)
        pos = sizes[rng.choice(len(sizes), size=len(munis), p=shares / shares.sum())]
        cum = _cumsum_in_group(munis, pos)
        before = cum - pos
        need = deficit[munis]
        keep = before < need
        munis, pos, before = munis[keep], pos[keep], before[keep]
        pos = np.minimum(pos, deficit[munis] - before)
        n = len(munis)
        published = uniform_day(rng, np.full(n, d_prev), d_now)
        closes = d_now + np.ceil(rng.exponential(params.VACANCY_REMAINING_DAYS, n)).astype(np.int64)
        filled = np.where(
            rng.random(n) < params.VACANCY_FILLED_SHARE, uniform_day(rng, np.full(n, d_now), closes), NO_DAY
        )
        self._new_adverts(munis, pos, published, closes, filled)

    def _record(self, t: int, d_now: int, target: np.ndarray) -> None:
        open_now = self._open_on(d_now)
        counts = np.bincount(
            self.V["muni"][open_now].astype(np.int64),
            weights=self.V["positions"][open_now],
            minlength=self.n_munis,
        ).astype(np.int64)
        self.tally.append(counts)
        for m in np.flatnonzero(counts != target):
            self.misses.append((t, int(m), int(counts[m] - target[m])))

    def finish(self, final_day: int) -> None:
        V = self.V
        V["filled"][(V["filled"] > final_day) & (V["filled"] != NO_DAY)] = NO_DAY


def _cumsum_in_group(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running total of ``values`` within runs of equal ``groups`` (rows already grouped)."""
    total = np.cumsum(values)
    if len(values) == 0:
        return total
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    offset = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return total - offset
