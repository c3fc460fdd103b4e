"""Array form of jobseekers and vacancies for the vectorised matcher.

Everything a score needs is turned into small integer codes and lookup tables once, so that scoring a
block of (jobseeker, vacancy) pairs is a handful of numpy gathers:

* :class:`OccupationSpace` — ISCO-4 groups and ESCO occupations as indexes, the group-to-group
  similarity table (ISCO hierarchy plus label similarity), the label similarity of ESCO occupations in
  the same group, and the optional ESCO skill vectors;
* :class:`Geo` — municipalities of all Finland as indexes and the distance table between their centres;
* :class:`Jobseekers` — one entry per person and one *row* per person–occupation (a person with three
  occupations has three rows; a pair's score is the best of its rows);
* :class:`Vacancies` — one entry per vacancy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.shared.db import covers

LANGS = ("fi", "sv", "en")
#: language level → value of the level for working in that language
LEVEL_INDEX = {"basic": 1, "fair": 2, "good": 3, "excellent": 4, "native": 4}
LEVEL_VALUE = np.array([0.0, 0.3, 0.6, 0.85, 1.0], dtype=np.float32)
EDUCATION_RANK = {
    "basic": 0,
    "general_upper_secondary": 1,
    "vocational": 2,
    "short_tertiary": 3,
    "bachelor": 4,
    "master": 5,
    "doctoral": 6,
}
WORKING_TIMES = ("full_time", "part_time", "any")

WEIGHTS_FILE = Path(__file__).with_name("weights.yaml")
PART_KEYS = (
    "occupation",
    "skills",
    "experience",
    "education",
    "language",
    "driving_licence",
    "working_time",
    "commute",
)


class MatchingConfigError(ValueError):
    pass


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_FILE) -> dict:
    """The weights file; checks that every part has a weight and that they sum to 1."""
    with path.open(encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    weights = config.get("weights", {})
    missing = [k for k in PART_KEYS if k not in weights]
    if missing:
        raise MatchingConfigError(f"{path}: weights: missing {', '.join(missing)}")
    total = sum(float(weights[k]["weight"]) for k in PART_KEYS)
    if abs(total - 1.0) > 1e-6:
        raise MatchingConfigError(f"{path}: weights: sum to {total:.4f}, not 1")
    return config


def effective_weights(config: dict, *, with_skills: bool) -> dict[str, float]:
    """Weights per part; without skill relations the skills weight is spread over the others."""
    raw = {k: float(config["weights"][k]["weight"]) for k in PART_KEYS}
    if with_skills:
        return raw
    rest = 1.0 - raw["skills"]
    return {k: (0.0 if k == "skills" else v / rest) for k, v in raw.items()}


def isco_int(code: str) -> int:
    return int(code) if code and code.isdigit() else -1


# ----------------------------------------------------------------------------------------------------------
# occupations


@dataclass
class OccupationSpace:
    """ISCO-4 groups and ESCO occupations as indexes, with their similarity tables."""

    isco_codes: list[str]
    isco_index: dict[str, int]
    isco_num: np.ndarray  # int32: the code as a number (0110 → 110), -1 unknown
    group_sim: (
        np.ndarray
    )  # float32 [g, g]: occupation similarity of two different groups (diagonal: same_isco4)
    esco_uris: list[str]
    esco_index: dict[str, int]
    esco_group: np.ndarray  # int32: ISCO-4 index of each ESCO occupation
    esco_local: np.ndarray  # int32: position of the occupation inside its group
    group_size: np.ndarray  # int64: ESCO occupations per group
    group_offset: np.ndarray  # int64: where the group's block starts in ``within``
    within: np.ndarray  # float32: per group, a size × size block of label similarities, flattened
    skills: sparse.csr_matrix | None  # ESCO occupation × skill, rows L2-normalised (None without relations)
    levels: dict[str, float] = field(default_factory=dict)

    def isco(self, code: str | None) -> int:
        if not code:
            return -1
        return self.isco_index.get(code, -1)

    def esco(self, uri: str | None) -> int:
        if not uri:
            return -1
        return self.esco_index.get(uri, -1)

    def label_similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Label similarity of ESCO occupations ``a`` and ``b`` (broadcast); 0 unless both in one group."""
        a = np.asarray(a)
        b = np.asarray(b)
        ga = self.esco_group[np.maximum(a, 0)]
        gb = self.esco_group[np.maximum(b, 0)]
        ok = (a >= 0) & (b >= 0) & (ga == gb)
        idx = self.group_offset[ga] + self.esco_local[np.maximum(a, 0)] * self.group_size[ga]
        idx = idx + self.esco_local[np.maximum(b, 0)]
        idx = np.where(ok, idx, 0)
        return np.where(ok, self.within[idx], 0.0).astype(np.float32)

    def skill_similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cosine of the ESCO skill sets of ``a`` and ``b`` (broadcast); 0 where unknown."""
        a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
        out = np.zeros(a.shape, dtype=np.float32)
        if self.skills is None:
            return out
        ua, ia = np.unique(a, return_inverse=True)
        ub, ib = np.unique(b, return_inverse=True)
        sub = (self.skills[np.maximum(ua, 0)] @ self.skills[np.maximum(ub, 0)].T).toarray().astype(np.float32)
        sub[ua < 0, :] = 0.0
        sub[:, ub < 0] = 0.0
        return sub[ia.reshape(a.shape), ib.reshape(b.shape)]

    def related_groups(self, groups: Collection[int]) -> np.ndarray:
        """ISCO-4 indexes with a positive similarity to any of ``groups``."""
        if not len(groups):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero((self.group_sim[np.asarray(list(groups))] > 0).any(axis=0))


def _occupation_texts(taxonomy: object, uris: Sequence[str]) -> list[str]:
    texts = []
    for uri in uris:
        occ = taxonomy.occupations[uri]  # type: ignore[attr-defined]
        parts = [occ.labels.get(lang, "") for lang in ("fi", "sv", "en")]
        parts.extend(occ.alt_labels.get("fi", ())[:10])
        texts.append(" | ".join(p for p in parts if p))
    return texts


def build_occupation_space(
    taxonomy: object, config: dict | None = None, extra_isco: Collection[str] = ()
) -> OccupationSpace:
    """The similarity tables of a taxonomy (about a second for ESCO's 3,000 occupations)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    config = config or load_weights()
    lv = {k: float(v) for k, v in config["occupation_levels"].items()}
    groups = taxonomy.isco_groups  # type: ignore[attr-defined]
    occupations = taxonomy.occupations  # type: ignore[attr-defined]
    codes = sorted(
        {c for c, g in groups.items() if g.level == 4} | {o.isco4 for o in occupations.values() if o.isco4}
    )
    codes += sorted(set(extra_isco) - set(codes))
    index = {c: i for i, c in enumerate(codes)}
    num = np.array([isco_int(c) for c in codes], dtype=np.int32)
    n = len(codes)

    uris = sorted(u for u, o in occupations.items() if o.isco4 in index)
    esco_index = {u: i for i, u in enumerate(uris)}
    esco_group = np.array([index[occupations[u].isco4] for u in uris], dtype=np.int32)

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, lowercase=True)
    occ_vectors = normalize(vectorizer.fit_transform(_occupation_texts(taxonomy, uris)))
    group_texts = []
    for c in codes:
        g = groups.get(c)
        group_texts.append(" | ".join(g.labels.get(lang, "") for lang in ("fi", "sv", "en")) if g else "")
    member = sparse.csr_matrix((np.ones(len(uris)), (esco_group, np.arange(len(uris)))), shape=(n, len(uris)))
    centroids = normalize(member @ occ_vectors + vectorizer.transform(group_texts))
    text = (centroids @ centroids.T).toarray().astype(np.float32)

    same3 = (num[:, None] // 10) == (num[None, :] // 10)
    same2 = (num[:, None] // 100) == (num[None, :] // 100)
    known = (num[:, None] >= 0) & (num[None, :] >= 0)
    scaled = lv["text_factor"] * text
    sim = np.where(
        known & same3,
        np.maximum(lv["same_isco3"], scaled),
        np.where(known & same2, np.maximum(lv["same_isco2"], scaled), 0.0),
    ).astype(np.float32)
    # text links outside the sub-major group: the strongest few per group, above the threshold
    cross = np.where(known & same2, 0.0, text)
    np.fill_diagonal(cross, 0.0)
    links = int(lv.get("text_links", 3))
    if links > 0 and n > links:
        top = np.argpartition(-cross, links, axis=1)[:, :links]
        rows = np.repeat(np.arange(n), links)
        cols = top.ravel()
        keep = cross[rows, cols] >= lv["min_text"]
        sim[rows[keep], cols[keep]] = np.maximum(sim[rows[keep], cols[keep]], scaled[rows[keep], cols[keep]])
        sim[cols[keep], rows[keep]] = np.maximum(sim[cols[keep], rows[keep]], scaled[rows[keep], cols[keep]])
    np.fill_diagonal(sim, lv["same_isco4"])

    # label similarity inside each group, stored as one flat block per group
    order = np.argsort(esco_group, kind="stable")
    size = np.bincount(esco_group, minlength=n).astype(np.int64)
    local = np.empty(len(uris), dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    local[order] = np.arange(len(uris)) - np.repeat(starts, size)
    offset = np.concatenate([[0], np.cumsum(size * size)[:-1]]).astype(np.int64)
    within = np.zeros(int((size * size).sum()) or 1, dtype=np.float32)
    for g in np.flatnonzero(size):
        members = order[starts[g] : starts[g] + size[g]]
        block = (occ_vectors[members] @ occ_vectors[members].T).toarray()
        within[offset[g] : offset[g] + size[g] * size[g]] = block.ravel()

    skills = None
    relations = getattr(taxonomy, "occupation_skills", {}) or {}
    if relations:
        skill_ids: dict[str, int] = {}
        r, c = [], []
        for uri, skill_uris in relations.items():
            if uri not in esco_index:
                continue
            for s in skill_uris:
                r.append(esco_index[uri])
                c.append(skill_ids.setdefault(s, len(skill_ids)))
        if r:
            skills = normalize(
                sparse.csr_matrix(
                    (np.ones(len(r)), (r, c)), shape=(len(uris), len(skill_ids)), dtype=np.float32
                )
            ).tocsr()
    return OccupationSpace(
        isco_codes=codes,
        isco_index=index,
        isco_num=num,
        group_sim=sim,
        esco_uris=uris,
        esco_index=esco_index,
        esco_group=esco_group,
        esco_local=local,
        group_size=size,
        group_offset=offset,
        within=within,
        skills=skills,
        levels=lv,
    )


@lru_cache(maxsize=2)
def occupation_space(data_dir: Path) -> OccupationSpace:
    """The occupation space of the ESCO taxonomy in ``data_dir``, built once per process."""
    from alue.matching.taxonomy import load_taxonomy

    return build_occupation_space(load_taxonomy(data_dir))


# ----------------------------------------------------------------------------------------------------------
# geography


@dataclass
class Geo:
    codes: list[str]
    index: dict[str, int]
    distance: np.ndarray  # float32 [m, m] km between centres; NaN when a centre is unknown
    latitude: np.ndarray | None = None  # float64 [m], NaN unknown
    longitude: np.ndarray | None = None

    def spatial_rank(self) -> np.ndarray:
        """Municipalities in a space-filling order (0.5° × 1° cells, rows of cells in a serpentine), so
        that neighbours in the order are near each other; unknown centres last."""
        if self.latitude is None or self.longitude is None:
            return np.arange(len(self.codes))
        lat = np.nan_to_num(self.latitude, nan=99.0)
        lon = np.nan_to_num(self.longitude, nan=99.0)
        row = np.floor(lat / 0.5).astype(np.int64)
        col = np.floor(lon).astype(np.int64)
        col = np.where(row % 2 == 0, col, -col)
        within = np.where(row % 2 == 0, lon, -lon)
        order = np.lexsort((within, col, row))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank

    def muni(self, code: str | None) -> int:
        if code is None or code not in self.index:
            raise KeyError(f"unknown municipality code {code!r}")
        return self.index[code]


def build_geo(lat: np.ndarray, lon: np.ndarray, codes: list[str]) -> Geo:
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    h = (
        np.sin((la[None, :] - la[:, None]) / 2) ** 2
        + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin((lo[None, :] - lo[:, None]) / 2) ** 2
    )
    distance = (2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).astype(np.float32)
    return Geo(
        codes=list(codes),
        index={c: i for i, c in enumerate(codes)},
        distance=distance,
        latitude=np.asarray(lat, dtype=np.float64),
        longitude=np.asarray(lon, dtype=np.float64),
    )


@lru_cache(maxsize=2)
def geo(data_dir: Path) -> Geo:
    """All of Finland's municipalities (cross-border vacancies are scored too, R-H1)."""
    from alue.area.config import load_municipalities

    munis = load_municipalities(data_dir)
    codes = sorted(munis)
    lat = np.array([munis[c].lat if munis[c].lat is not None else np.nan for c in codes])
    lon = np.array([munis[c].lon if munis[c].lon is not None else np.nan for c in codes])
    return build_geo(lat, lon, codes)


# ----------------------------------------------------------------------------------------------------------
# jobseekers and vacancies


@dataclass
class Jobseekers:
    person_id: np.ndarray  # int64 [n]
    muni: np.ndarray  # int32 [n] index into Geo
    reach: np.ndarray  # float32 [n] km
    lang_code: np.ndarray  # int16 [n]: level of fi × 25 + sv × 5 + en (levels 0 none … 4 native)
    edu: np.ndarray  # int8 [n]: EDUCATION_RANK, -1 unknown
    wt: np.ndarray  # int8 [n]: index in WORKING_TIMES
    licence: np.ndarray  # bool [n]
    row_person: np.ndarray  # int32 [r]: index into the person arrays
    row_isco: np.ndarray  # int32 [r]: ISCO-4 index
    row_esco: np.ndarray  # int32 [r]: ESCO index, -1 unknown
    row_exp: np.ndarray  # float32 [r]: experience value of the row (0..1)
    row_months: np.ndarray  # int32 [r]
    row_last_year: np.ndarray  # int32 [r], 0 unknown
    row_target: np.ndarray  # bool [r]
    row_label: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.person_id)


@dataclass
class Vacancies:
    vacancy_id: np.ndarray  # int64 [m]
    muni: np.ndarray  # int32 [m]
    isco: np.ndarray  # int32 [m]
    esco: np.ndarray  # int32 [m], -1 unknown
    lang_req: np.ndarray  # int8 [m]: bit mask fi 1, sv 2, en 4
    min_edu: np.ndarray  # int8 [m]: EDUCATION_RANK, -1 none
    wt: np.ndarray  # int8 [m]
    licence: np.ndarray  # bool [m]
    remote: np.ndarray  # bool [m]
    positions: np.ndarray  # int32 [m]
    title: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.vacancy_id)


def language_code(languages: dict[str, str] | None) -> int:
    levels = [LEVEL_INDEX.get(str((languages or {}).get(lang, "")).lower(), 0) for lang in LANGS]
    return levels[0] * 25 + levels[1] * 5 + levels[2]


def language_mask(required: Sequence[str] | None) -> int:
    return sum(1 << i for i, lang in enumerate(LANGS) if lang in (required or ()))


def experience_value(
    months: np.ndarray, last_year: np.ndarray, target: np.ndarray, year: int, config: dict
) -> np.ndarray:
    """Value of a person's history in one occupation: amount of experience times its recency."""
    ex = config["experience"]
    amount = np.minimum(1.0, months / float(ex["full_months"]))
    since = np.maximum(0, year - last_year - 1)
    recency = np.where(
        last_year > 0,
        np.maximum(float(ex["floor"]), 1.0 - float(ex["decay_per_year"]) * since),
        ex["unknown_year"],
    )
    value = amount * recency
    value = np.where((months <= 0) & target, float(ex["target_without_experience"]), value)
    return value.astype(np.float32)


def active_person_ids(session: Session, on: dt.date) -> list[int]:
    """Persons with a jobseeking spell on ``on`` (registered jobseekers that day)."""

    from alue.people.models import JobseekingSpell

    stmt = (
        select(JobseekingSpell.person_id)
        .where(
            covers(JobseekingSpell.start_date, JobseekingSpell.end_date, on),
        )
        .distinct()
    )
    return sorted(session.scalars(stmt))


def load_jobseekers(
    session: Session,
    person_ids: Collection[int],
    space: OccupationSpace,
    geo_: Geo,
    on: dt.date,
    config: dict | None = None,
) -> Jobseekers:
    """The given persons and their occupations as arrays (persons without a known home are skipped)."""
    from alue.people.models import Person, PersonOccupation

    config = config or load_weights()
    ids = sorted({int(i) for i in person_ids})
    people: list[tuple] = []
    occs: list[tuple] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        people.extend(
            session.execute(
                select(
                    Person.id,
                    Person.home_municipality_code,
                    Person.commute_reach_km,
                    Person.languages,
                    Person.education_level,
                    Person.working_time_preference,
                    Person.driving_licence,
                ).where(Person.id.in_(chunk))
            ).all()
        )
        occs.extend(
            session.execute(
                select(
                    PersonOccupation.person_id,
                    PersonOccupation.isco4,
                    PersonOccupation.esco_uri,
                    PersonOccupation.experience_months,
                    PersonOccupation.last_worked_year,
                    PersonOccupation.is_target,
                    PersonOccupation.label,
                ).where(PersonOccupation.person_id.in_(chunk))
            ).all()
        )
    people = [p for p in sorted(people) if p[1] in geo_.index]
    pos = {p[0]: i for i, p in enumerate(people)}
    lang_cache: dict[str, int] = {}

    def lang(value: object) -> int:
        key = repr(value)
        if key not in lang_cache:
            lang_cache[key] = language_code(value if isinstance(value, dict) else {})
        return lang_cache[key]

    occs = sorted((o for o in occs if o[0] in pos and space.isco(o[1]) >= 0), key=lambda o: (o[0], o[1]))
    months = np.array([o[3] or 0 for o in occs], dtype=np.float32)
    last = np.array([o[4] or 0 for o in occs], dtype=np.int32)
    target = np.array([bool(o[5]) for o in occs], dtype=bool)
    return Jobseekers(
        person_id=np.array([p[0] for p in people], dtype=np.int64),
        muni=np.array([geo_.index[p[1]] for p in people], dtype=np.int32),
        reach=np.array([max(float(p[2] or 0), 1.0) for p in people], dtype=np.float32),
        lang_code=np.array([lang(p[3]) for p in people], dtype=np.int16),
        edu=np.array([EDUCATION_RANK.get(str(p[4]), -1) for p in people], dtype=np.int8),
        wt=np.array(
            [WORKING_TIMES.index(str(p[5])) if str(p[5]) in WORKING_TIMES else 2 for p in people],
            dtype=np.int8,
        ),
        licence=np.array([bool(p[6]) for p in people], dtype=bool),
        row_person=np.array([pos[o[0]] for o in occs], dtype=np.int32),
        row_isco=np.array([space.isco(o[1]) for o in occs], dtype=np.int32),
        row_esco=np.array([space.esco(o[2]) for o in occs], dtype=np.int32),
        row_exp=experience_value(months, last, target, on.year, config),
        row_months=months.astype(np.int32),
        row_last_year=last,
        row_target=target,
        row_label=[o[6] or "" for o in occs],
    )


def load_vacancies(
    session: Session,
    space: OccupationSpace,
    geo_: Geo,
    *,
    on: dt.date | None = None,
    vacancy_ids: Collection[int] | None = None,
) -> Vacancies:
    """Open vacancies on ``on``, or the given vacancies, as arrays."""
    from alue.employers.models import Vacancy

    stmt = select(
        Vacancy.id,
        Vacancy.municipality_code,
        Vacancy.isco4,
        Vacancy.esco_uri,
        Vacancy.languages,
        Vacancy.min_education,
        Vacancy.working_time,
        Vacancy.driving_licence_required,
        Vacancy.remote_possible,
        Vacancy.positions,
        Vacancy.title,
    ).order_by(Vacancy.id)
    if vacancy_ids is not None:
        stmt = stmt.where(Vacancy.id.in_(list(vacancy_ids)))
    if on is not None:
        stmt = stmt.where(Vacancy.open_on(on))
    rows = [r for r in session.execute(stmt).all() if r[1] in geo_.index and space.isco(r[2]) >= 0]
    return Vacancies(
        vacancy_id=np.array([r[0] for r in rows], dtype=np.int64),
        muni=np.array([geo_.index[r[1]] for r in rows], dtype=np.int32),
        isco=np.array([space.isco(r[2]) for r in rows], dtype=np.int32),
        esco=np.array([space.esco(r[3]) for r in rows], dtype=np.int32),
        lang_req=np.array(
            [language_mask(r[4] if isinstance(r[4], list) else []) for r in rows], dtype=np.int8
        ),
        min_edu=np.array([EDUCATION_RANK.get(str(r[5]), -1) if r[5] else -1 for r in rows], dtype=np.int8),
        wt=np.array(
            [WORKING_TIMES.index(str(r[6])) if str(r[6]) in WORKING_TIMES else 2 for r in rows], dtype=np.int8
        ),
        licence=np.array([bool(r[7]) for r in rows], dtype=bool),
        remote=np.array([bool(r[8]) for r in rows], dtype=bool),
        positions=np.array([max(int(r[9] or 1), 1) for r in rows], dtype=np.int32),
        title=[r[10] or "" for r in rows],
    )
