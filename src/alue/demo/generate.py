"""Generate the demo area in memory: targets, employers, the jobseekers' walk and the vacancies' walk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from alue.area.config import Area, MunicipalityInfo, great_circle_km, load_municipalities
from alue.demo.columns import day
from alue.demo.occupations import OccupationModel, load_occupation_model
from alue.demo.population import MunicipalityFacts, municipality_facts
from alue.demo.simulate import Employers, World
from alue.demo.targets import Targets, build_targets, month_index, month_text, statistics_municipalities
from alue.demo.vacancies import INDUSTRIES, VacancyWalk, generate_employers
from alue.shared.time import last_working_day_of_month

#: progress callback: (phase, done, total)
Progress = Callable[[str, int, int], None]

SCALES = ("area", "national")
#: default first month by scale (the national demo uses a shorter window to stay fast)
DEFAULT_START = {"area": "2019-01", "national": "2023-01"}
#: big cities that people of a smaller area may move to
MOVE_DESTINATIONS = ("091", "837", "853", "564", "179")


@dataclass
class Generated:
    scale: str
    seed: int
    start: str
    until: str
    final_day: int
    codes: list[str]
    targets: Targets
    count_days: np.ndarray  # day number of each month's count day in the window
    world: World
    vacancies: VacancyWalk
    employers: Employers
    occ: OccupationModel
    facts: MunicipalityFacts
    infos: dict[str, MunicipalityInfo]
    region_code: str
    data_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)


def scope_codes(area: Area, scale: str) -> list[str]:
    if scale == "area":
        return list(area.municipalities)
    every = load_municipalities(area.data_dir)
    return [c for c in statistics_municipalities(area.data_dir) if c in every]


def distance_matrix(infos: list[MunicipalityInfo]) -> np.ndarray:
    lat = np.radians(np.array([i.lat if i.lat is not None else np.nan for i in infos]))
    lon = np.radians(np.array([i.lon if i.lon is not None else np.nan for i in infos]))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    return np.where(np.isnan(d), 999.0, d)


def count_day(month: int) -> int:
    return day(last_working_day_of_month(month // 12, month % 12 + 1))


def generate(
    *,
    area: Area,
    seed: int,
    scale: str = "area",
    start: str | None = None,
    until: str | None = None,
    today: dt.date,
    progress: Progress | None = None,
) -> Generated:
    import time

    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    start = start or DEFAULT_START[scale]
    until = until or f"{today.year:04d}-{today.month:02d}"
    t0, t1 = month_index(start), month_index(until)
    this_month = today.year * 12 + today.month - 1
    if t1 > this_month:
        raise ValueError(f"until {until} is in the future (today is {today.isoformat()})")
    data_dir = Path(area.data_dir)
    rng = np.random.default_rng(seed)
    every = load_municipalities(data_dir)
    codes = scope_codes(area, scale)
    infos = {c: every[c] for c in codes}
    targets = build_targets(data_dir, codes, start, until)
    region = every[area.file.responsible_municipality].region_code
    occ_area = "SSS" if scale == "national" else f"MK{region}"
    months = [m for m, off in zip(targets.months, targets.official, strict=True) if off]
    occ = load_occupation_model(data_dir, occ_area, months)
    facts = municipality_facts(codes, infos, data_dir)  # type: ignore[arg-type]
    distances = distance_matrix([infos[c] for c in codes])
    lf = targets.labour_force[:, 0].astype(float)

    d_first = count_day(t0)
    employer_table = generate_employers(rng, lf, d_first)
    employers = Employers(employer_table, INDUSTRIES)
    employers.index(len(codes))
    if scale == "area":
        others = [c for c in every if c not in infos]
        dist_out = {c: min(_haversine(every[c], infos[a]) for a in codes) for c in others}
        nearest = sorted(others, key=lambda c: dist_out[c])[:8]
        outside = nearest + [
            c for c in MOVE_DESTINATIONS if c in every and c not in nearest and c not in infos
        ]
    else:
        outside = []
    world = World(
        rng=rng,
        facts=facts,
        occ=occ,
        employers=employers,
        distances=distances,
        labour_force=lf,
        outside_codes=outside,
    )
    seconds["setup"] = time.perf_counter() - clock

    n_months = t1 - t0 + 1
    days = np.array([count_day(t) for t in range(t0, t1 + 1)], dtype=np.int64)
    today_day = day(today)
    partial = days[-1] > today_day
    final_day = today_day if partial else int(days[-1])
    world.initialise(int(days[0]), count_day(t0 - 1), targets.unemployed[:, 0], t0)
    for t in range(1, n_months):
        if progress:
            progress("jobseekers", t, n_months)
        if partial and t == n_months - 1:
            frac = (today_day - days[t - 1]) / (days[t] - days[t - 1])
            target = np.rint(
                targets.unemployed[:, t - 1]
                + frac * (targets.unemployed[:, t] - targets.unemployed[:, t - 1])
            )
            world.step(t0 + t, t, int(days[t - 1]), today_day, target.astype(np.int64), scale=max(frac, 0.05))
        else:
            world.step(t0 + t, t, int(days[t - 1]), int(days[t]), targets.unemployed[:, t])
    world.finish(final_day)
    if progress:
        progress("jobseekers", n_months, n_months)
    seconds["jobseekers"] = time.perf_counter() - clock - seconds["setup"]

    clock2 = time.perf_counter()
    walk = VacancyWalk(rng, occ, employers.table, len(codes), world.industry_of)
    walk.prepare(employers.by_key, employers.by_muni)
    EE = world.EE
    matched = np.flatnonzero(EE["match"] & (EE["start"] <= final_day) & (EE["start"] > days[0] - 60))
    walk.add_taken(matched, EE, world.P)
    walk.step(0, count_day(t0 - 1), int(days[0]), targets.vacancies[:, 0])
    for t in range(1, n_months):
        if progress:
            progress("vacancies", t, n_months)
        if partial and t == n_months - 1:
            frac = (today_day - days[t - 1]) / (days[t] - days[t - 1])
            target = np.rint(
                targets.vacancies[:, t - 1] + frac * (targets.vacancies[:, t] - targets.vacancies[:, t - 1])
            )
            walk.step(t, int(days[t - 1]), today_day, target.astype(np.int64), scale=max(frac, 0.05))
        else:
            walk.step(t, int(days[t - 1]), int(days[t]), targets.vacancies[:, t])
    walk.finish(final_day)
    seconds["vacancies"] = time.perf_counter() - clock2
    return Generated(
        scale=scale,
        seed=seed,
        start=start,
        until=until,
        final_day=final_day,
        codes=codes,
        targets=targets,
        count_days=days,
        world=world,
        vacancies=walk,
        employers=employers,
        occ=occ,
        facts=facts,
        infos=infos,
        region_code=region,
        data_dir=data_dir,
        seconds=seconds,
    )


def _haversine(a: MunicipalityInfo, b: MunicipalityInfo) -> float:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return 1e6
    return great_circle_km((a.lat, a.lon), (b.lat, b.lon))


__all__ = ["DEFAULT_START", "SCALES", "Generated", "Progress", "generate", "month_text"]
