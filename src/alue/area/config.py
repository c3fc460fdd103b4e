"""The employment area as configuration (R-A1, R-B, R-C, R-S).

An area is one YAML file (``alue/area/areas/<key>.yaml`` or any path). Its municipalities are not typed
in the file: they are read from the public municipality data by the area's employment-area code, so the
same code runs any of Finland's 45 employment areas.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alue.settings import get_settings

AREAS_DIR = Path(__file__).with_name("areas")
MUNICIPALITY_FILE = Path("geo") / "municipalities_2026.csv"


class AreaConfigError(ValueError):
    """The area file is missing or invalid; the message names the file and the field."""


#: the rule that holds the youth age limit (R-D7); the area file does not set it
YOUTH_AGE_RULE = "young.service_line_age_limit"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    fi: str
    sv: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None) if lang in ("fi", "sv", "en") else None
        return value or self.fi


class MunicipalityInfo(_Strict):
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    region_code: str
    region_name_fi: str
    employment_area_code: str | None
    employment_area_name_fi: str | None
    language_status: int
    lat: float | None  # centre coordinates (WGS84); missing for a few municipalities in the source
    lon: float | None
    population: int

    def name(self, lang: str = "fi") -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


class ServicePointConfig(_Strict):
    key: str
    municipality: str
    kind: Literal["office", "service_point"]
    name_fi: str
    name_sv: str
    address: str = ""
    visit_interval_days: int | None = Field(default=None, ge=1, le=365)

    @model_validator(mode="after")
    def _interval(self) -> ServicePointConfig:
        if self.kind == "service_point" and self.visit_interval_days is None:
            raise ValueError(f"service point {self.key!r} needs visit_interval_days (R-B1)")
        return self


class Contact(_Strict):
    name: str
    phone: str
    email: str


class StaffingConfig(_Strict):
    person_customer_split: dict[str, float]
    split_source: str
    office_threshold_fte: float = 5
    transferred_state_fte: float | None = None
    municipal_fte: float | None = None

    @field_validator("person_customer_split")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        if not math.isclose(sum(value.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"person_customer_split must sum to 1, not {sum(value.values())}")
        return value


class NamedText(_Strict):
    name: Text
    text: Text


class Priority(_Strict):
    number: int = Field(ge=1, le=20)
    name: Text
    summary: Text
    sub_goals: list[str]


class Target(_Strict):
    comparator: Literal["<", "<=", ">", ">="]
    value: float
    variant: str | None = None

    def met_by(self, value: float) -> bool:
        return {
            "<": value < self.value,
            "<=": value <= self.value,
            ">": value > self.value,
            ">=": value >= self.value,
        }[self.comparator]


class IndicatorConfig(_Strict):
    id: str
    name: Text
    national_objective: Text
    priorities: list[int]
    unit: Literal["percent", "mean", "count", "eur"]
    scale: tuple[float, float] | None = None
    targets: list[Target]
    target_text: str


class Strategy(_Strict):
    source: str
    vision: Text
    basic_tasks: list[Text]
    values: list[NamedText]
    priorities: list[Priority]
    indicators: list[IndicatorConfig]

    @model_validator(mode="after")
    def _references(self) -> Strategy:
        numbers = {p.number for p in self.priorities}
        for ind in self.indicators:
            unknown = [n for n in ind.priorities if n != 0 and n not in numbers]
            if unknown:
                raise ValueError(f"indicator {ind.id!r} refers to unknown priorities {unknown}")
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        return self


class AreaFile(_Strict):
    """What the YAML file holds."""

    config_version: str
    key: str
    employment_area_code: str
    names: Text
    responsible_municipality: str
    started_on: dt.date
    sources: list[str] = []
    service_languages: list[Literal["fi", "sv", "en"]] = ["fi", "sv"]
    service_points: list[ServicePointConfig] = []
    employer_contacts: dict[str, Contact] = {}
    staffing: StaffingConfig | None = None
    strategy: Strategy | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_youth_age_limit(cls, data: object) -> object:
        if isinstance(data, dict) and "youth_age_limit" in data:
            raise ValueError(
                "youth_age_limit is no longer set in the area file: it is the versioned rule "
                f"{YOUTH_AGE_RULE} (value, source and effective date) in src/alue/area/rules/<key>.yaml; "
                "remove the line and, if the area's limit differs, add a version of that rule"
            )
        return data

    @property
    def youth_age_limit(self) -> int:
        """The area's youth age limit today: the rule ``young.service_line_age_limit`` (the only source)."""
        return self.youth_age_limit_on(None)

    def youth_age_limit_on(self, day: dt.date | None) -> int:
        """The youth age limit in force on ``day`` (today when None), from the area's rule book.

        Jobseekers under this age belong to the youth service line (R-D7). Raises
        ``alue.area.rules.RuleNotInForceError`` for a day before the rule's first version.
        """
        from alue.area.rules import load_rules
        from alue.shared.time import today

        return int(load_rules(self.key).value(YOUTH_AGE_RULE, day or today()))


class Area(BaseModel):
    """A loaded area: the file plus its municipalities from the public data."""

    model_config = ConfigDict(frozen=True)

    file: AreaFile
    path: Path
    data_dir: Path
    municipalities: dict[str, MunicipalityInfo]  # code -> info, sorted by Finnish name

    @property
    def key(self) -> str:
        return self.file.key

    @property
    def codes(self) -> list[str]:
        return list(self.municipalities)

    def name(self, lang: str = "fi") -> str:
        return self.file.names.get(lang)

    @property
    def youth_age_limit(self) -> int:
        """The youth age limit in force today (rule ``young.service_line_age_limit``)."""
        return self.file.youth_age_limit_on(None)

    def youth_age_limit_on(self, day: dt.date | None) -> int:
        return self.file.youth_age_limit_on(day)

    def distance_km(self, a: str, b: str) -> float:
        return haversine_km(self.municipalities[a], self.municipalities[b])


def haversine_km(a: MunicipalityInfo, b: MunicipalityInfo) -> float:
    """Straight-line distance between two municipality centres (no road network is available)."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        raise ValueError(f"no centre coordinates for {a.code if a.lat is None else b.code}")
    return great_circle_km((a.lat, a.lon), (b.lat, b.lon))


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points in degrees, on a 6,371 km sphere."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@lru_cache(maxsize=4)
def load_municipalities(data_dir: Path) -> dict[str, MunicipalityInfo]:
    """All of Finland's municipalities from the public data (Statistics Finland via geofi)."""
    path = data_dir / MUNICIPALITY_FILE
    if not path.exists():
        raise AreaConfigError(f"municipality data not found: {path} (set ALUE_DATA_DIR)")
    result: dict[str, MunicipalityInfo] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                info = MunicipalityInfo(
                    code=row["municipality_code"].zfill(3),
                    name_fi=row["municipality_name_fi"],
                    name_sv=row["municipality_name_sv"] or row["municipality_name_fi"],
                    name_en=row["municipality_name_en"] or row["municipality_name_fi"],
                    region_code=row["maakunta_code"].zfill(2),
                    region_name_fi=row["maakunta_name_fi"],
                    employment_area_code=row["tyollisyysalue_code"] or None,
                    employment_area_name_fi=row["tyollisyysalue_name_fi"] or None,
                    language_status=int(row["kielisuhde_code"] or 0),
                    lat=float(row["lat"]) if row["lat"] else None,
                    lon=float(row["lon"]) if row["lon"] else None,
                    population=int(float(row["population_2022"] or 0)),
                )
            except (KeyError, ValueError) as exc:
                raise AreaConfigError(f"{path}: row {row_number}: {exc}") from exc
            result[info.code] = info
    return result


def area_path(name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    return AREAS_DIR / f"{name}.yaml"


def load_area(name: str | None = None, data_dir: Path | None = None) -> Area:
    """Load and validate an area by key (``satakunta``) or by file path."""
    settings = get_settings()
    return _load_area(area_path(name or settings.area), Path(data_dir or settings.data_dir))


@lru_cache(maxsize=8)
def _load_area(path: Path, data_dir: Path) -> Area:
    if not path.exists():
        raise AreaConfigError(f"area file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        file = AreaFile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise AreaConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise AreaConfigError(f"{path}: {problems}") from exc

    every = load_municipalities(data_dir)
    members = sorted(
        (m for m in every.values() if m.employment_area_code == file.employment_area_code),
        key=lambda m: m.name_fi,
    )
    if not members:
        raise AreaConfigError(
            f"{path}: employment_area_code {file.employment_area_code!r} has no municipalities in {data_dir}"
        )
    municipalities = {m.code: m for m in members}

    def check(code: str, where: str) -> None:
        if code not in municipalities:
            raise AreaConfigError(f"{path}: {where}: municipality {code!r} is not in the area")

    check(file.responsible_municipality, "responsible_municipality")
    for sp in file.service_points:
        check(sp.municipality, f"service_points[{sp.key}]")
    for code in file.employer_contacts:
        check(code, "employer_contacts")
    keys = [sp.key for sp in file.service_points]
    if len(keys) != len(set(keys)):
        raise AreaConfigError(f"{path}: service point keys must be unique")
    return Area(file=file, path=path, data_dir=data_dir, municipalities=municipalities)


def available_areas() -> list[str]:
    return sorted(p.stem for p in AREAS_DIR.glob("*.yaml"))
