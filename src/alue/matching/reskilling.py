"""Reskilling paths (R-G3): from a surplus occupation group to the nearest shortage groups.

For every ISCO-08 unit group that is in surplus in the area (``alue.matching.shortage``), the shortage
groups are ranked by how close the work is:

- **hierarchy**: the share of the ISCO code the two groups have in common (same minor group ``721x``
  0.75, same sub-major group ``72xx`` 0.5, same major group 0.25);
- **tasks (text)**: cosine similarity of TF-IDF vectors (words in at most half of the groups) of the
  groups' ESCO texts —
  the Finnish and English preferred and alternative labels and the Finnish descriptions of every
  occupation in the group, which describe the tasks;
- **skills**: the Jaccard overlap of the groups' essential ESCO skills — only when the official
  occupation–skill relations file is in the data; without it the weight goes to the other two.

Each path lists the short trainings of the service catalogue (labour-market training and self-motivated
study) that lead to the shortage group: a training whose ``target_isco`` names the group, or its minor
group, or whose name contains the group's name. And each path counts the **jobseekers it could serve**:
registered jobseekers of the area whose sought or previous occupation is in the surplus group and whose
home municipality is within their commuting reach of an open vacancy of the shortage group (any
municipality, so cross-border vacancies count, R-H1).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import great_circle_km
from alue.area.models import Municipality
from alue.employers.models import Vacancy
from alue.matching.shortage import GroupBalance, current_status
from alue.matching.taxonomy import Taxonomy, load_taxonomy
from alue.matching.text import normalize
from alue.people.models import JobseekingSpell, Person, PersonOccupation
from alue.services.models import Service, ServiceKind
from alue.shared.db import covers
from alue.shared.time import today

TRAINING_KINDS = (ServiceKind.LABOUR_MARKET_TRAINING, ServiceKind.SELF_MOTIVATED_STUDY)
#: weights of the similarity parts without and with the occupation–skill relations file
WEIGHTS = {"hierarchy": 0.3, "text": 0.7}
WEIGHTS_WITH_SKILLS = {"hierarchy": 0.2, "text": 0.4, "skills": 0.4}
MIN_SIMILARITY = 0.15
PER_SURPLUS_GROUP = 3


@dataclass(frozen=True, slots=True)
class Training:
    code: str
    names: dict[str, str]
    duration_days: int
    #: ``target`` (aims at the group), ``minor_group`` (at its ISCO minor group) or ``name``
    match: str


@dataclass(frozen=True, slots=True)
class ReskillingPath:
    from_isco: str
    to_isco: str
    similarity: float
    #: part name (``hierarchy``, ``text``, ``skills``) → similarity 0…1
    parts: dict[str, float]
    from_status: GroupBalance
    to_status: GroupBalance
    #: registered jobseekers of the surplus group within commuting reach of a vacancy of the shortage group
    jobseekers_served: int
    #: open vacancy positions of the shortage group within reach of at least one of them
    vacancies_in_reach: int
    trainings: tuple[Training, ...] = field(default=())


# ------------------------------------------------------------------------------------- similarity


class GroupSimilarity:
    """Similarity of ISCO-4 groups by hierarchy, ESCO texts and (when known) essential skills."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        texts: dict[str, list[str]] = defaultdict(list)
        skills: dict[str, set[str]] = defaultdict(set)
        for occ in taxonomy.occupations.values():
            parts = [occ.labels.get("fi", ""), occ.labels.get("en", "")]
            parts += list(occ.alt_labels.get("fi", ())) + list(occ.alt_labels.get("en", ()))
            if occ.description_fi:
                parts.append(occ.description_fi)
            texts[occ.isco4].extend(p for p in parts if p)
            skills[occ.isco4].update(taxonomy.essential_skills.get(occ.uri, ()))
        for code, group in taxonomy.isco_groups.items():
            if len(code) == 4:
                texts[code].extend(v for v in group.labels.values() if v)
        self.codes = sorted(texts)
        self.index = {code: i for i, code in enumerate(self.codes)}
        vectorizer = TfidfVectorizer(
            analyzer="word", sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32
        )
        self.matrix = vectorizer.fit_transform(normalize(" . ".join(texts[c])) for c in self.codes)
        self.skills = {code: frozenset(s) for code, s in skills.items() if s}
        self.weights = WEIGHTS_WITH_SKILLS if self.skills else WEIGHTS

    @staticmethod
    def hierarchy(a: str, b: str) -> float:
        common = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            common += 1
        return min(common, 3) / 4

    def text(self, a: str, targets: list[str]) -> np.ndarray:
        if a not in self.index:
            return np.zeros(len(targets), dtype=np.float32)
        rows = [self.index.get(t) for t in targets]
        known = [r for r in rows if r is not None]
        result = np.zeros(len(targets), dtype=np.float32)
        if known:
            sims = (self.matrix[self.index[a]] @ self.matrix[known].T).toarray().ravel()
            result[[i for i, r in enumerate(rows) if r is not None]] = sims
        return result

    def skill_overlap(self, a: str, b: str) -> float:
        sa, sb = self.skills.get(a), self.skills.get(b)
        if not sa or not sb:
            return 0.0
        return len(sa & sb) / len(sa | sb)

    def parts(self, a: str, targets: list[str]) -> list[dict[str, float]]:
        text = self.text(a, targets)
        result = []
        for i, b in enumerate(targets):
            parts = {"hierarchy": self.hierarchy(a, b), "text": float(round(text[i], 4))}
            if "skills" in self.weights:
                parts["skills"] = round(self.skill_overlap(a, b), 4)
            result.append(parts)
        return result

    def combine(self, parts: dict[str, float]) -> float:
        return round(sum(self.weights[k] * parts[k] for k in self.weights), 4)


@lru_cache(maxsize=2)
def _similarity(data_dir: Path | None) -> GroupSimilarity:
    return GroupSimilarity(load_taxonomy(data_dir))


def group_similarity(data_dir: Path | None = None) -> GroupSimilarity:
    return _similarity(Path(data_dir) if data_dir else None)


# ------------------------------------------------------------------------------------- the paths


def _trainings(session: Session) -> list[tuple[Service, set[str], str]]:
    services = session.scalars(
        select(Service)
        .where(Service.active.is_(True), Service.kind.in_(TRAINING_KINDS))
        .order_by(Service.code)
    )
    return [(s, set(s.target_isco or []), normalize(s.name_fi)) for s in services]


def trainings_for(
    group: str, trainings: list[tuple[Service, set[str], str]], taxonomy: Taxonomy
) -> tuple[Training, ...]:
    """The trainings that lead to ``group``: by target group, target minor group or name."""
    try:
        label_words = [w for w in normalize(taxonomy.isco_label(group, "fi")).split() if len(w) > 4]
    except KeyError:
        label_words = []
    found = []
    for service, targets, name in trainings:
        if group in targets:
            match = "target"
        elif any(len(t) >= 3 and group.startswith(t[:3]) for t in targets):
            match = "minor_group"
        elif label_words and any(w[:-2] in name for w in label_words):
            match = "name"
        else:
            continue
        found.append(
            Training(
                code=service.code,
                names={"fi": service.name_fi, "sv": service.name_sv, "en": service.name_en},
                duration_days=service.typical_duration_days,
                match=match,
            )
        )
    order = {"target": 0, "minor_group": 1, "name": 2}
    return tuple(sorted(found, key=lambda t: (order[t.match], t.duration_days, t.code)))


def _area_jobseekers(
    session: Session, day: dt.date, groups: set[str]
) -> dict[str, list[tuple[int, str, int]]]:
    """ISCO-4 group → (person id, home municipality, reach km) of registered jobseekers of the area."""
    in_area = select(Municipality.code).where(Municipality.in_area.is_(True))
    registered = select(JobseekingSpell.person_id).where(
        covers(JobseekingSpell.start_date, JobseekingSpell.end_date, day),
    )
    rows = session.execute(
        select(PersonOccupation.isco4, Person.id, Person.home_municipality_code, Person.commute_reach_km)
        .join(Person, Person.id == PersonOccupation.person_id)
        .where(
            PersonOccupation.isco4.in_(sorted(groups)),
            Person.id.in_(registered),
            Person.home_municipality_code.in_(in_area),
        )
        .distinct()
    )
    result: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for isco, pid, home, reach in rows:
        result[isco].append((pid, home, reach))
    return result


def _open_vacancies(session: Session, day: dt.date, groups: set[str]) -> dict[str, dict[str, int]]:
    """ISCO-4 group → municipality → open positions (any municipality: cross-border vacancies count)."""
    rows = session.execute(
        select(Vacancy.isco4, Vacancy.municipality_code, Vacancy.positions).where(
            Vacancy.isco4.in_(sorted(groups)),
            Vacancy.open_on(day),
        )
    )
    result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for isco, code, positions in rows:
        result[isco][code] += positions
    return result


def reskilling_paths(
    session: Session,
    *,
    on: dt.date | None = None,
    data_dir: Path | None = None,
    per_group: int = PER_SURPLUS_GROUP,
    min_similarity: float = MIN_SIMILARITY,
    status: dict[str, GroupBalance] | None = None,
) -> list[ReskillingPath]:
    """The reskilling paths of the area on ``on``, the ones serving most jobseekers first."""
    day = on or today()
    status = status if status is not None else current_status(session, on=day, data_dir=data_dir)
    surplus = sorted(i for i, s in status.items() if s.status == "surplus")
    shortage = sorted(i for i, s in status.items() if s.status == "shortage")
    if not surplus or not shortage:
        return []
    similarity = group_similarity(data_dir)
    taxonomy = similarity.taxonomy
    trainings = _trainings(session)
    seekers = _area_jobseekers(session, day, set(surplus))
    vacancies = _open_vacancies(session, day, set(shortage))
    coords = {
        code: (lat, lon)
        for code, lat, lon in session.execute(select(Municipality.code, Municipality.lat, Municipality.lon))
        if lat is not None and lon is not None
    }
    distance_cache: dict[tuple[str, str], float] = {}

    def distance(a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        if key not in distance_cache:
            if a == b:
                distance_cache[key] = 0.0
            elif a in coords and b in coords:
                distance_cache[key] = great_circle_km(coords[a], coords[b])
            else:
                distance_cache[key] = math.inf
        return distance_cache[key]

    paths: list[ReskillingPath] = []
    for source in surplus:
        parts = similarity.parts(source, shortage)
        ranked = sorted(
            ((similarity.combine(p), target, p) for target, p in zip(shortage, parts, strict=True)),
            key=lambda x: (-x[0], x[1]),
        )
        for score, target, part in [r for r in ranked if r[0] >= min_similarity][:per_group]:
            places = vacancies.get(target, {})
            served = 0
            reachable: set[str] = set()
            for _pid, home, reach in seekers.get(source, []):
                near = [code for code in places if distance(home, code) <= reach]
                if near:
                    served += 1
                    reachable.update(near)
            paths.append(
                ReskillingPath(
                    from_isco=source,
                    to_isco=target,
                    similarity=score,
                    parts=part,
                    from_status=status[source],
                    to_status=status[target],
                    jobseekers_served=served,
                    vacancies_in_reach=sum(places[c] for c in reachable),
                    trainings=trainings_for(target, trainings, taxonomy),
                )
            )
    paths.sort(key=lambda p: (-p.jobseekers_served, not p.trainings, -p.similarity, p.from_isco, p.to_isco))
    return paths


def path_as_dict(path: ReskillingPath, taxonomy: Taxonomy, lang: str = "fi") -> dict[str, object]:
    """A path as plain JSON-ready data (the command line and the API)."""

    def label(code: str) -> str:
        try:
            return taxonomy.isco_label(code, lang)
        except KeyError:
            return code

    return {
        "from_isco": path.from_isco,
        "from_label": label(path.from_isco),
        "to_isco": path.to_isco,
        "to_label": label(path.to_isco),
        "similarity": path.similarity,
        "parts": dict(path.parts),
        "from_source": path.from_status.source,
        "to_source": path.to_status.source,
        "jobseekers_served": path.jobseekers_served,
        "vacancies_in_reach": path.vacancies_in_reach,
        "trainings": [
            {
                "code": t.code,
                "name": t.names.get(lang) or t.names["fi"],
                "duration_days": t.duration_days,
                "match": t.match,
            }
            for t in path.trainings
        ],
    }
