"""The demo's ground truth: the service catalogue with its **planted effects**, and the selection model.

Everything an evaluation of service effectiveness (R-D2, R-D5, R-S5) would want to know but can never
know about real data is written here, in one place, so that tests of the planning and scorecard domains
can check whether an estimator recovers it.

The outcome
    The monthly hazard of leaving unemployment to **open-market employment** (a jobseeking spell that
    ends with ``employed_open_market``, or an ``employed`` status period that starts an open-market
    employment episode). A person who is ``unemployed`` has the hazard

        h = BASE_JOB_HAZARD × exp(x·β_observed) × duration_factor × frailty × service_effect × month_scale

    * ``x·β_observed`` — observed characteristics (:data:`EMPLOYABILITY`: education, age band, mother
      tongue, recorded customer groups);
    * ``frailty`` — unobserved, Gamma(:data:`FRAILTY_SHAPE`) with mean 1, drawn once per person and
      **independent of every service choice** (selection is on observables only);
    * ``duration_factor`` — negative duration dependence (:data:`DURATION_FACTORS`);
    * ``service_effect`` = ``exp(effect)`` of the last *completed* service for
      :data:`EFFECT_MONTHS` months after its end (1 otherwise; an interrupted service has no effect).
      At the end of a completed service the person may also leave directly to a job, with the same
      multiplier;
    * ``month_scale`` — the calibration: when more people would be unemployed on a count day than the
      official figure, extra exits are drawn with probability proportional to each person's hazards of
      leaving unemployment (every kind of exit in proportion). That multiplies the hazards of the
      municipality and month by a common factor — a municipality × month fixed effect that leaves the
      hazard ratios intact.

    While in a service a person leaves to open-market work only by interrupting it (a small hazard):
    every service has a lock-in effect while it lasts.

Selection
    Who starts which service depends on observables only (:attr:`ServiceSpec.selection`): training goes
    to the better educated and mid-career, rehabilitative work activity to the long-term unemployed
    with weak employability, integration training to immigrants. Because the observed characteristics
    also drive the outcome, a naive before/after or participant/non-participant comparison is biased:
    rehabilitative work, for one, looks worse than its true effect because of who takes it.

    Selection is on observables *given survival in unemployment*: people with a high frailty leave sooner,
    so those still unemployed when a service starts are dynamically selected. An estimator must compare
    participants with non-participants at the same elapsed duration (timing of events, or matching on
    duration and the observables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Monthly hazard of open-market employment of a reference person (vocational education, 30–49 years,
#: Finnish or Swedish speaker, no recorded group, 3–12 months unemployed, frailty 1, no service).
BASE_JOB_HAZARD = 0.068

#: Shape of the Gamma frailty (mean 1, variance 1 / shape).
FRAILTY_SHAPE = 1.2

#: Months after the end of a completed service during which its effect applies.
EFFECT_MONTHS = 12

#: Duration dependence of the job hazard: (months unemployed from, factor).
DURATION_FACTORS: tuple[tuple[float, float], ...] = ((0, 1.5), (3, 1.0), (12, 0.6), (24, 0.45))

#: Observed characteristics → log hazard ratio of open-market employment.
EMPLOYABILITY: dict[str, float] = {
    "education_basic": -0.35,
    "education_general_upper_secondary": -0.15,
    "education_vocational": 0.0,
    "education_short_tertiary": 0.1,
    "education_tertiary": 0.3,  # bachelor, master, doctoral
    "education_unknown": -0.3,
    "age_under_25": 0.25,
    "age_25_29": 0.15,
    "age_30_49": 0.0,
    "age_50_54": -0.35,
    "age_55_59": -0.7,
    "age_60_plus": -1.2,
    "foreign_language": -0.35,
    "partial_work_ability": -0.6,
    "life_management": -0.5,
    "substance_mental_health": -0.8,
    "neuropsychiatric": -0.4,
    "disability": -0.5,
}


@dataclass(frozen=True)
class ServiceSpec:
    """A service of the demo catalogue and its truth."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    kind: str  # ServiceKind value
    production: str  # own / purchased
    provider: str | None  # key of a partner in the demo's partner register, None for own services
    service_line: str  # ServiceLine value
    unit_cost: float  # € per participant for the whole service
    duration_days: int  # typical duration
    interruption_rate: float  # share of participations interrupted
    #: planted effect: log hazard ratio of open-market employment after completing the service
    effect: float
    #: selection: base log-odds of choosing this service and log-odds shifts by observed feature
    selection: dict[str, float] = field(default_factory=dict)
    target_isco: tuple[str, ...] = ()
    #: a start-up grant ends the spell (the person becomes an entrepreneur); no hazard effect applies
    ends_spell: bool = False

    @property
    def hazard_ratio(self) -> float:
        return math.exp(self.effect)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "TVK-METALLI",
        "Työvoimakoulutus: hitsaus ja levytyö",
        "Arbetskraftsutbildning: svetsning och plåtarbete",
        "Labour-market training: welding and sheet metal",
        "labour_market_training",
        "purchased",
        "sataedu",
        "skills",
        7800,
        170,
        0.12,
        0.45,
        {
            "base": -1.4,
            "education_vocational": 0.5,
            "education_basic": -0.4,
            "age_25_49": 0.4,
            "male": 0.9,
            "foreign_language": -0.5,
            "long_term": -0.6,
            "weak": -0.8,
        },
        ("7212", "7213", "7223"),
    ),
    ServiceSpec(
        "TVK-HOIVA",
        "Työvoimakoulutus: hoiva-avustaja",
        "Arbetskraftsutbildning: vårdbiträde",
        "Labour-market training: care assistant",
        "labour_market_training",
        "purchased",
        "winnova",
        "skills",
        6500,
        150,
        0.15,
        0.4,
        {
            "base": -1.5,
            "education_vocational": 0.3,
            "education_tertiary": -0.3,
            "female": 0.9,
            "age_25_49": 0.3,
            "long_term": -0.5,
            "weak": -0.8,
        },
        ("5321", "5322"),
    ),
    ServiceSpec(
        "TVK-LOGISTIIKKA",
        "Työvoimakoulutus: logistiikka ja kuljetus",
        "Arbetskraftsutbildning: logistik och transport",
        "Labour-market training: logistics and transport",
        "labour_market_training",
        "purchased",
        "sataedu",
        "skills",
        5200,
        100,
        0.1,
        0.35,
        {
            "base": -1.6,
            "male": 0.6,
            "education_vocational": 0.3,
            "age_25_49": 0.3,
            "long_term": -0.5,
            "weak": -0.8,
        },
        ("8332", "8344", "4321"),
    ),
    ServiceSpec(
        "TVK-IT",
        "Työvoimakoulutus: ohjelmistotestaus",
        "Arbetskraftsutbildning: programvarutestning",
        "Labour-market training: software testing",
        "labour_market_training",
        "purchased",
        "samk",
        "skills",
        8400,
        200,
        0.12,
        0.3,
        {
            "base": -2.4,
            "education_tertiary": 1.4,
            "education_basic": -1.0,
            "age_25_49": 0.4,
            "long_term": -0.5,
            "weak": -1.0,
        },
        ("2519", "3512"),
    ),
    ServiceSpec(
        "VALM-URA",
        "Urasuunnitteluvalmennus",
        "Karriärplaneringsträning",
        "Career coaching",
        "coaching",
        "purchased",
        "valmennus",
        "job_brokerage",
        1500,
        60,
        0.15,
        0.02,
        {"base": -1.1, "age_50_plus": 0.3, "long_term": 0.2},
    ),
    ServiceSpec(
        "VALM-TYONHAKU",
        "Työnhakuvalmennus",
        "Jobbsökarträning",
        "Job-search training",
        "job_search_training",
        "own",
        None,
        "job_brokerage",
        350,
        35,
        0.1,
        0.12,
        {"base": -1.3, "short_spell": 0.5, "long_term": -0.3},
    ),
    ServiceSpec(
        "TYOKOKEILU",
        "Työkokeilu",
        "Arbetsprövning",
        "Work trial",
        "work_trial",
        "own",
        None,
        "multisector",
        150,
        120,
        0.15,
        0.18,
        {
            "base": -1.2,
            "age_under_30": 0.7,
            "foreign_language": 0.5,
            "partial_work_ability": 0.5,
            "education_basic": 0.3,
        },
    ),
    ServiceSpec(
        "PALKKATUKI",
        "Palkkatuettu työ",
        "Lönesubventionerat arbete",
        "Wage-subsidised work",
        "wage_subsidy",
        "own",
        None,
        "job_brokerage",
        7200,
        240,
        0.08,
        0.6,
        {"base": -0.7, "long_term": 0.6, "partial_work_ability": 0.6, "age_50_plus": 0.3, "weak": -0.3},
    ),
    ServiceSpec(
        "KUNTOUTTAVA",
        "Kuntouttava työtoiminta",
        "Arbetsverksamhet i rehabiliteringssyfte",
        "Rehabilitative work activity",
        "rehabilitative_work",
        "purchased",
        "hyvinvointialue",
        "multisector",
        1100,
        240,
        0.25,
        -0.3,
        {
            "base": -2.2,
            "long_term": 1.4,
            "weak": 1.3,
            "substance_mental_health": 0.8,
            "life_management": 0.8,
            "education_tertiary": -0.8,
            "short_spell": -1.0,
        },
    ),
    ServiceSpec(
        "ARVIOINTI",
        "Työkyvyn arviointi",
        "Bedömning av arbetsförmåga",
        "Work-ability assessment",
        "assessment",
        "purchased",
        "kuntoutus",
        "multisector",
        2200,
        45,
        0.1,
        0.05,
        {"base": -3.0, "partial_work_ability": 2.2, "weak": 0.8, "age_50_plus": 0.4},
    ),
    ServiceSpec(
        "OMAEHTOINEN",
        "Omaehtoinen opiskelu työttömyysetuudella",
        "Frivilliga studier med arbetslöshetsförmån",
        "Self-motivated study on unemployment benefit",
        "self_motivated_study",
        "own",
        None,
        "skills",
        0,
        300,
        0.2,
        0.2,
        {
            "base": -1.6,
            "age_under_30": 0.6,
            "education_basic": 0.3,
            "education_general_upper_secondary": 0.6,
            "foreign_language": 0.4,
            "long_term": -0.3,
        },
    ),
    ServiceSpec(
        "KOTO",
        "Kotoutumiskoulutus",
        "Integrationsutbildning",
        "Integration training",
        "integration_training",
        "purchased",
        "kansanopisto",
        "immigrants",
        7000,
        300,
        0.15,
        0.3,
        {"base": -6.0, "foreign_language": 5.6, "age_50_plus": -0.4},
    ),
    ServiceSpec(
        "URAOHJAUS",
        "Ura- ja koulutusohjaus",
        "Karriär- och utbildningsvägledning",
        "Career and education guidance",
        "career_guidance",
        "own",
        None,
        "skills",
        250,
        30,
        0.05,
        0.0,
        {"base": -1.8, "age_under_30": 0.5, "education_basic": 0.3},
    ),
    ServiceSpec(
        "STARTTIRAHA",
        "Starttiraha",
        "Startpeng",
        "Start-up grant",
        "startup_grant",
        "own",
        None,
        "entrepreneurship",
        4200,
        180,
        0.1,
        0.0,
        {},
        (),
        ends_spell=True,
    ),
)

#: Trainings new in the catalogue at the end of the simulated period: in the service register (and so in
#: the reskilling paths, R-G3), with nobody taken part yet. They lead to groups the Satakunta statistics show
#: in shortage in the demo's last year (food-industry process work, retail sales and cashiers), which the
#: simulated trainings above do not; kept out of ``SERVICES`` so that they take no part in the simulation
#: and change none of its random draws.
NEW_TRAININGS: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "TVK-ELINTARVIKE",
        "Työvoimakoulutus: elintarviketeollisuuden prosessityö",
        "Arbetskraftsutbildning: processarbete inom livsmedelsindustrin",
        "Labour-market training: food-industry process work",
        "labour_market_training",
        "purchased",
        "sataedu",
        "skills",
        5600,
        110,
        0.1,
        0.0,
        {},
        ("8160",),
    ),
    ServiceSpec(
        "TVK-KAUPPA",
        "Työvoimakoulutus: myynti ja kassatyö",
        "Arbetskraftsutbildning: försäljning och kassaarbete",
        "Labour-market training: sales and cashier work",
        "labour_market_training",
        "purchased",
        "winnova",
        "skills",
        4300,
        80,
        0.1,
        0.0,
        {},
        ("5211", "5230", "5244"),
    ),
)
#: Every service of the demo's catalogue.
CATALOGUE = SERVICES + NEW_TRAININGS

#: Services a person can be referred to from unemployment (the start-up grant comes with an exit).
REFERRABLE = tuple(s for s in SERVICES if not s.ends_spell)
SERVICE_BY_CODE = {s.code: s for s in SERVICES}


def true_effect(code: str) -> float:
    """The planted log hazard ratio of open-market employment after completing service ``code``."""
    return SERVICE_BY_CODE[code].effect


def planted_effects() -> dict[str, float]:
    """Service code → planted log hazard ratio (what an effectiveness estimate should recover)."""
    return {s.code: s.effect for s in REFERRABLE}
