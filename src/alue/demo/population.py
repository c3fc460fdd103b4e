"""Synthetic people: characteristics drawn in batches, names and addresses, identity codes.

Everything is vectorised: a batch of new jobseekers is a dict of NumPy arrays. Names and street names
come from Faker's ``fi_FI`` locale (``sv_SE`` for Swedish speakers, other Latin-script locales for
foreign-language speakers where Faker has one; Cyrillic names are transliterated). Faker fills name
pools once per build from its seeded generator, and NumPy picks from the pools, so a million people
take seconds. Identity codes (HETU) use individual numbers 900–999, the range reserved for temporary
codes, so no generated code is a real person's code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faker import Faker

from alue.demo import params, truth
from alue.demo.columns import IntArray, day
from alue.demo.occupations import OccupationModel
from alue.people.models import EducationLevel

EDUCATION = list(EducationLevel)
EDU_INDEX = {e.value: i for i, e in enumerate(EDUCATION)}
TONGUES = ["fi", "sv", *(t[0] for t in params.FOREIGN_TONGUES)]
FOREIGN_FROM = 2  # tongue index from which a tongue is foreign

#: Recorded customer groups as bits of ``groups``.
GROUP_BITS = {
    "immigrant": 1,
    "partial_work_ability": 2,
    "life_management": 4,
    "substance_mental_health": 8,
    "neuropsychiatric": 16,
    "disability": 32,
}

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "jo",
            "ž",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "h",
            "ts",
            "tš",
            "š",
            "štš",
            "",
            "y",
            "",
            "e",
            "ju",
            "ja",
            "i",
            "ji",
            "je",
            "g",
        ],
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Cyrillic → Latin (close to the Finnish SFS 4900 practice)."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _CYRILLIC:
            rep = _CYRILLIC[low]
            out.append(rep.capitalize() if ch != low else rep)
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class MunicipalityFacts:
    """Per municipality (index order of the build): what drawing people needs."""

    codes: list[str]
    language_status: np.ndarray
    population: np.ndarray
    foreign_share: np.ndarray
    postcodes: list[list[str]]


def municipality_facts(codes: list[str], infos: dict[str, object], data_dir: Path) -> MunicipalityFacts:
    lang = np.array([getattr(infos[c], "language_status", 0) for c in codes])
    pop = np.array([max(getattr(infos[c], "population", 1000), 100) for c in codes], dtype=float)
    lo, hi = params.FOREIGN_SHARE_RANGE
    share = np.clip(params.FOREIGN_SHARE_BASE + params.FOREIGN_SHARE_SLOPE * np.log10(pop / 10000), lo, hi)
    for i, code in enumerate(codes):
        if code in params.FOREIGN_SHARE_OVERRIDE:
            share[i] = params.FOREIGN_SHARE_OVERRIDE[code]
    return MunicipalityFacts(codes, lang, pop, share, load_postcodes(data_dir, codes))


def load_postcodes(data_dir: Path, codes: list[str]) -> list[list[str]]:
    """Real postal codes of each municipality (ordinary codes, type 1, preferred)."""
    path = data_dir / "geo" / "postcodes.json"
    by_code: dict[str, list[str]] = {c: [] for c in codes}
    ordinary: dict[str, list[str]] = {c: [] for c in codes}
    if path.exists():
        for row in json.loads(path.read_text(encoding="utf-8")):
            code = str(row.get("municipal_code", "")).zfill(3)
            if code in by_code:
                by_code[code].append(row["postcode"])
                if str(row.get("type_code")) == "1":
                    ordinary[code].append(row["postcode"])
    return [sorted(set(ordinary[c] or by_code[c] or ["00000"])) for c in codes]


def _band_sample(rng: np.random.Generator, n: int) -> np.ndarray:
    bands = params.AGE_AT_ENTRY
    shares = np.array([b[2] for b in bands])
    k = rng.choice(len(bands), size=n, p=shares / shares.sum())
    lo = np.array([b[0] for b in bands])[k]
    hi = np.array([b[1] for b in bands])[k]
    return lo + rng.random(n) * (hi - lo + 1)


def draw_people(
    rng: np.random.Generator,
    occ: OccupationModel,
    facts: MunicipalityFacts,
    munis: IntArray,
    on_day: IntArray,
    *,
    max_age: float | None = None,
) -> dict[str, np.ndarray]:
    """Characteristics of ``len(munis)`` new jobseekers registering on ``on_day`` in ``munis``."""
    n = len(munis)
    group = rng.choice(len(occ.groups), size=n, p=occ.jobseeker_weights)
    isco = np.array(occ.groups)[group]
    isco2 = np.array([g[:2] for g in occ.groups])[group]
    female_p = np.array([params.FEMALE_SHARE_BY_ISCO2.get(g[:2], 0.5) for g in occ.groups])[group]
    female = rng.random(n) < female_p
    del isco2
    age = _band_sample(rng, n)
    if max_age is not None:
        age = np.minimum(age, max_age)
    birth = on_day - np.floor(age * 365.25).astype(np.int64)

    # mother tongue
    sv_share = np.array([params.SWEDISH_SHARE.get(int(s), 0.01) for s in facts.language_status])[munis]
    foreign_share = facts.foreign_share[munis]
    u = rng.random(n)
    tongue = np.zeros(n, dtype=np.int64)
    tongue[u < sv_share] = 1
    foreign = (u >= sv_share) & (u < sv_share + foreign_share)
    f_shares = np.array([t[1] for t in params.FOREIGN_TONGUES])
    tongue[foreign] = FOREIGN_FROM + rng.choice(
        len(f_shares), size=int(foreign.sum()), p=f_shares / f_shares.sum()
    )

    # education by occupation's major group, capped for the young
    edu = np.empty(n, dtype=np.int64)
    major = np.array([g[0] for g in occ.groups])[group]
    for m, dist in params.EDUCATION_BY_ISCO1.items():
        sel = np.flatnonzero(major == m)
        if len(sel):
            levels = list(dist)
            p = np.array([dist[lv] for lv in levels])
            edu[sel] = np.array([EDU_INDEX[lv] for lv in levels])[
                rng.choice(len(levels), size=len(sel), p=p / p.sum())
            ]
    young = age < 20
    tertiary = np.isin(
        edu, [EDU_INDEX["bachelor"], EDU_INDEX["master"], EDU_INDEX["doctoral"], EDU_INDEX["short_tertiary"]]
    )
    edu[young & tertiary] = EDU_INDEX["vocational"]
    edu[(age < 19) & (rng.random(n) < 0.5)] = EDU_INDEX["basic"]
    edu[(age < 24) & np.isin(edu, [EDU_INDEX["master"], EDU_INDEX["doctoral"]])] = EDU_INDEX["bachelor"]
    edu[foreign & (rng.random(n) < params.FOREIGN_EDUCATION_UNKNOWN)] = EDU_INDEX["unknown"]

    # recorded customer groups
    groups = np.zeros(n, dtype=np.int64)
    groups[foreign & (rng.random(n) < params.IMMIGRANT_SHARE_OF_FOREIGN)] |= GROUP_BITS["immigrant"]
    band = np.where(age < 30, 0, np.where(age < 50, 1, 2))
    for name, prevalence in params.GROUP_PREVALENCE.items():
        p = np.array(prevalence)[band]
        groups[rng.random(n) < p] |= GROUP_BITS[name]

    lic_p = np.where(female, params.DRIVING_LICENCE[0], params.DRIVING_LICENCE[1])
    lic_p = np.where(age < 21, params.DRIVING_LICENCE_YOUNG, lic_p)
    lic_p = np.where(foreign, params.DRIVING_LICENCE_FOREIGN, lic_p)
    licence = rng.random(n) < lic_p
    reach = (
        params.COMMUTE_MEDIAN_KM
        * np.exp(rng.normal(0, 0.6, n))
        * np.where(licence, params.COMMUTE_LICENCE_FACTOR, 1)
    )
    reach = np.clip(np.rint(reach), *params.COMMUTE_RANGE).astype(np.int64)
    wt = rng.choice(3, size=n, p=np.array(params.WORKING_TIME_PREFERENCE))
    frailty = rng.gamma(truth.FRAILTY_SHAPE, 1 / truth.FRAILTY_SHAPE, n)

    return {
        "birth": birth,
        "female": female,
        "tongue": tongue,
        "edu": edu,
        "groups": groups,
        "licence": licence,
        "reach": reach,
        "wtpref": wt,
        "frailty": frailty,
        "muni": munis.astype(np.int64),
        "isco": group.astype(np.int64),
        "occ": occ.pick_occupation(rng, group.astype(np.int64)),
        "static_score": static_score(edu, tongue, groups),
        "isco_code": isco,
    }


def static_score(edu: np.ndarray, tongue: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The time-invariant part of log employability (truth.EMPLOYABILITY without the age band)."""
    e = truth.EMPLOYABILITY
    by_edu = np.array(
        [
            e["education_basic"],
            e["education_general_upper_secondary"],
            e["education_vocational"],
            e["education_short_tertiary"],
            e["education_tertiary"],
            e["education_tertiary"],
            e["education_tertiary"],
            e["education_unknown"],
        ]
    )
    score = by_edu[edu] + np.where(tongue >= FOREIGN_FROM, e["foreign_language"], 0.0)
    for name in (
        "partial_work_ability",
        "life_management",
        "substance_mental_health",
        "neuropsychiatric",
        "disability",
    ):
        score = score + np.where(groups & GROUP_BITS[name], e[name], 0.0)
    return score


def age_score(age_years: np.ndarray) -> np.ndarray:
    e = truth.EMPLOYABILITY
    return np.select(
        [age_years < 25, age_years < 30, age_years < 50, age_years < 55, age_years < 60],
        [e["age_under_25"], e["age_25_29"], e["age_30_49"], e["age_50_54"], e["age_55_59"]],
        e["age_60_plus"],
    )


# ----------------------------------------------------------------------------------- names and codes


class NamePools:
    """Name and street pools per tongue, filled from seeded Faker generators."""

    def __init__(self, seed: int, pool_size: int = 600) -> None:
        self.female: dict[str, np.ndarray] = {}
        self.male: dict[str, np.ndarray] = {}
        self.last: dict[str, np.ndarray] = {}
        for tongue in TONGUES:
            locale = params.NAME_LOCALES.get(tongue)
            if locale is None:
                fem, mal, last = params.NAME_LISTS[tongue]
                self.female[tongue], self.male[tongue], self.last[tongue] = (
                    np.array(fem, dtype=object),
                    np.array(mal, dtype=object),
                    np.array(last, dtype=object),
                )
                continue
            fake = Faker(locale)
            fake.seed_instance(seed + _stable(tongue))
            size = pool_size if tongue in ("fi", "sv") else pool_size // 4
            fix = transliterate if tongue in ("ru", "uk") else (lambda s: s)
            self.female[tongue] = np.array([fix(fake.first_name_female()) for _ in range(size)], dtype=object)
            self.male[tongue] = np.array([fix(fake.first_name_male()) for _ in range(size)], dtype=object)
            lasts = []
            for _ in range(size):
                name = fix(fake.last_name())
                if tongue in ("ru", "uk") and name.endswith(("ova", "eva", "ina", "aja")):
                    name = name[:-1]  # masculine surname form; the feminine is derived below
                lasts.append(name)
            self.last[tongue] = np.array(lasts, dtype=object)
        fi = Faker("fi_FI")
        fi.seed_instance(seed + 7)
        self.streets_fi = np.array(sorted({fi.street_name() for _ in range(pool_size * 2)}), dtype=object)
        sv = Faker("sv_SE")
        sv.seed_instance(seed + 11)
        self.streets_sv = np.array(sorted({sv.street_name() for _ in range(pool_size)}), dtype=object)

    def names(
        self, rng: np.random.Generator, tongue: np.ndarray, female: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(tongue)
        first = np.empty(n, dtype=object)
        last = np.empty(n, dtype=object)
        for t_index, t in enumerate(TONGUES):
            sel = np.flatnonzero(tongue == t_index)
            if len(sel) == 0:
                continue
            fem = female[sel]
            f_pool, m_pool, l_pool = self.female[t], self.male[t], self.last[t]
            first[sel] = np.where(
                fem,
                f_pool[rng.integers(0, len(f_pool), len(sel))],
                m_pool[rng.integers(0, len(m_pool), len(sel))],
            )
            surnames = l_pool[rng.integers(0, len(l_pool), len(sel))]
            if t in ("ru", "uk"):
                surnames = np.array(
                    [
                        s + "a" if f and s.endswith(("ov", "ev", "in")) else s
                        for s, f in zip(surnames, fem, strict=True)
                    ],
                    dtype=object,
                )
            last[sel] = surnames
        return first, last

    def streets(self, rng: np.random.Generator, swedish: np.ndarray) -> np.ndarray:
        n = len(swedish)
        fi = self.streets_fi[rng.integers(0, len(self.streets_fi), n)]
        sv = self.streets_sv[rng.integers(0, len(self.streets_sv), n)]
        number = rng.integers(1, 80, n)
        names = np.where(swedish, sv, fi)
        flat = rng.random(n) < 0.45
        letters = np.array(list("ABCDEF"), dtype=object)[rng.integers(0, 6, n)]
        apt = rng.integers(1, 40, n)
        return np.array(
            [
                f"{s} {k} {a} {p}" if fl else f"{s} {k}"
                for s, k, fl, a, p in zip(names, number, flat, letters, apt, strict=True)
            ],
            dtype=object,
        )


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % 100_000


HETU_CHECK = np.array(list("0123456789ABCDEFHJKLMNPRSTUVWXY"))


def assign_hetu(rng: np.random.Generator, birth: IntArray, female: np.ndarray) -> tuple[IntArray, np.ndarray]:
    """Unique temporary-range HETUs (individual number 900–999, even for women, odd for men).

    A birth date holds 50 codes per gender; when more people share one, the later ones are moved to the
    next day. Returns the (possibly adjusted) birth day numbers and the codes.
    """
    birth = birth.copy()
    female = np.asarray(female, dtype=bool)
    for _ in range(50):
        key = birth * 2 + (~female).astype(np.int64)
        order = np.lexsort((rng.random(len(key)), key))
        sk = key[order]
        starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        rank = np.arange(len(sk)) - np.repeat(starts, np.diff(np.r_[starts, len(sk)]))
        over = order[rank >= 50]
        if len(over) == 0:
            break
        birth[over] += 1
    individual = np.empty(len(birth), dtype=np.int64)
    individual[order] = 900 + 2 * rank + np.where(female[order], 0, 1)
    dates = birth.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = (dates.astype("datetime64[M]").astype(np.int64) % 12) + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    yy = years % 100
    number = days * 10**7 + months * 10**5 + yy * 10**3 + individual
    check = HETU_CHECK[number % 31]
    sign = np.where(years >= 2000, "A", np.where(years >= 1900, "-", "+"))
    codes = np.char.add(
        np.char.add(
            np.char.add(np.char.zfill((days * 10000 + months * 100 + yy).astype(str), 6), sign),
            np.char.zfill(individual.astype(str), 3),
        ),
        check,
    )
    return birth, codes


def years_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Age in fractional years between day numbers."""
    return (b - a) / 365.25


def birth_day_floor(today: dt.date, years: float) -> int:
    return day(today) - math.floor(years * 365.25)
