"""Parameters of the demo's synthetic population and flows (not law: a model of plausible behaviour).

The planted service effects and the employability model live in :mod:`alue.demo.truth`. The numbers
here are rounded, plausible figures for a Finnish employment area; where a figure comes from a public
source the comment says so, otherwise it is an assumption of the demo (see ``docs/demo.md``).
"""

from __future__ import annotations

# ----------------------------------------------------------------------------------------- people

#: Age at registration: (from, to inclusive, share). Unemployed jobseekers lean older in Satakunta.
AGE_AT_ENTRY: tuple[tuple[int, int, float], ...] = (
    (17, 19, 0.05),
    (20, 24, 0.12),
    (25, 29, 0.12),
    (30, 34, 0.11),
    (35, 39, 0.1),
    (40, 44, 0.1),
    (45, 49, 0.1),
    (50, 54, 0.1),
    (55, 59, 0.12),
    (60, 63, 0.08),
)
#: Nobody registers at or above this age; a spell still open at the retirement age ends.
MAX_ENTRY_AGE = 63
RETIREMENT_AGE = 65

#: Swedish-speaking share by municipal language status (kielisuhde 0 Finnish … 3 Swedish).
SWEDISH_SHARE = {0: 0.012, 1: 0.08, 2: 0.6, 3: 0.9}
#: Foreign-language share of jobseekers: base + slope × log10(population / 10 000), clipped.
FOREIGN_SHARE_BASE = 0.075
FOREIGN_SHARE_SLOPE = 0.07
FOREIGN_SHARE_RANGE = (0.03, 0.3)
#: Area-specific overrides (share of foreign-language speakers among the municipality's jobseekers).
FOREIGN_SHARE_OVERRIDE = {"609": 0.12, "886": 0.06, "079": 0.08, "214": 0.06}

#: Foreign mother tongues: (ISO 639-1, share, citizenship ISO 3166 alpha-3, share with that citizenship)
FOREIGN_TONGUES: tuple[tuple[str, float, str, float], ...] = (
    ("ru", 0.17, "RUS", 0.45),
    ("et", 0.11, "EST", 0.7),
    ("uk", 0.12, "UKR", 0.9),
    ("ar", 0.12, "IRQ", 0.5),
    ("so", 0.04, "SOM", 0.4),
    ("fa", 0.05, "AFG", 0.6),
    ("ku", 0.04, "IRQ", 0.5),
    ("th", 0.05, "THA", 0.5),
    ("vi", 0.05, "VNM", 0.6),
    ("pl", 0.05, "POL", 0.8),
    ("en", 0.06, "GBR", 0.8),
    ("tl", 0.04, "PHL", 0.7),
    ("ro", 0.05, "ROU", 0.8),
    ("tr", 0.05, "TUR", 0.6),
)
#: Faker locale for names by mother tongue; tongues without a Latin-script locale use NAME_LISTS.
NAME_LOCALES = {
    "fi": "fi_FI",
    "sv": "sv_SE",
    "et": "et_EE",
    "pl": "pl_PL",
    "en": "en_GB",
    "vi": "vi_VN",
    "tr": "tr_TR",
    "ro": "ro_RO",
    "tl": "en_PH",
    "ru": "ru_RU",
    "uk": "uk_UA",
}
#: Romanised given and family names for tongues whose Faker locale writes another script.
NAME_LISTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ar": (
        ("Fatima", "Aisha", "Maryam", "Zainab", "Noor", "Huda", "Sara", "Layla", "Rana", "Amal"),
        ("Ahmed", "Mohammed", "Ali", "Hassan", "Omar", "Yousef", "Karim", "Mustafa", "Ibrahim", "Hussein"),
        (
            "Al-Hassan",
            "Al-Jabouri",
            "Hamid",
            "Saleh",
            "Abdullah",
            "Mahmoud",
            "Kareem",
            "Jassim",
            "Ahmadi",
            "Nasser",
        ),
    ),
    "so": (
        ("Hodan", "Amina", "Sahra", "Faadumo", "Ifrah", "Nimco", "Hibo", "Ayaan"),
        ("Abdi", "Mohamed", "Abdirahman", "Hassan", "Yusuf", "Mahad", "Liban", "Ahmed"),
        ("Warsame", "Farah", "Jama", "Osman", "Ali", "Hersi", "Dahir", "Aden"),
    ),
    "fa": (
        ("Zahra", "Maryam", "Fatemeh", "Parisa", "Shirin", "Nargis", "Soraya", "Laleh"),
        ("Ali", "Reza", "Mohammad", "Ahmad", "Hamid", "Farid", "Jawad", "Sohrab"),
        ("Ahmadi", "Hosseini", "Rahimi", "Karimi", "Mohammadi", "Rezaei", "Sultani", "Haidari"),
    ),
    "ku": (
        ("Rojin", "Berivan", "Dilan", "Nazdar", "Shilan", "Viyan"),
        ("Rebin", "Karwan", "Shvan", "Aram", "Dilshad", "Hiwa"),
        ("Rashid", "Mahmud", "Kaka", "Ismail", "Qadir", "Aziz"),
    ),
    "th": (
        ("Somchai", "Nok", "Pim", "Malee", "Kanya", "Siriporn", "Ratana", "Suda"),
        ("Somsak", "Anan", "Chai", "Niran", "Prasert", "Wichai", "Kiet", "Thawat"),
        ("Saetang", "Srisuk", "Chaiyaporn", "Wongsa", "Boonmee", "Kaewta", "Phrommas", "Rattana"),
    ),
}

#: Approximate female share by ISCO-08 sub-major group (2 digits); an assumption, not from the data.
FEMALE_SHARE_BY_ISCO2 = {
    "01": 0.1,
    "02": 0.1,
    "03": 0.1,
    "11": 0.35,
    "12": 0.4,
    "13": 0.3,
    "14": 0.45,
    "21": 0.25,
    "22": 0.85,
    "23": 0.75,
    "24": 0.5,
    "25": 0.2,
    "26": 0.6,
    "31": 0.2,
    "32": 0.85,
    "33": 0.55,
    "34": 0.6,
    "35": 0.2,
    "41": 0.75,
    "42": 0.75,
    "43": 0.5,
    "44": 0.7,
    "51": 0.7,
    "52": 0.65,
    "53": 0.88,
    "54": 0.25,
    "61": 0.3,
    "62": 0.25,
    "63": 0.3,
    "71": 0.05,
    "72": 0.05,
    "73": 0.4,
    "74": 0.05,
    "75": 0.4,
    "81": 0.25,
    "82": 0.3,
    "83": 0.08,
    "91": 0.8,
    "92": 0.35,
    "93": 0.35,
    "94": 0.7,
    "95": 0.5,
    "96": 0.4,
}

#: Highest education by ISCO major group (1 digit): EducationLevel value → share.
EDUCATION_BY_ISCO1 = {
    "0": {"vocational": 0.6, "general_upper_secondary": 0.2, "short_tertiary": 0.1, "bachelor": 0.1},
    "1": {"master": 0.35, "bachelor": 0.45, "short_tertiary": 0.1, "vocational": 0.1},
    "2": {"master": 0.42, "bachelor": 0.45, "doctoral": 0.03, "short_tertiary": 0.05, "vocational": 0.05},
    "3": {"bachelor": 0.3, "short_tertiary": 0.2, "vocational": 0.42, "general_upper_secondary": 0.08},
    "4": {
        "vocational": 0.5,
        "general_upper_secondary": 0.15,
        "bachelor": 0.12,
        "short_tertiary": 0.1,
        "basic": 0.13,
    },
    "5": {
        "vocational": 0.6,
        "general_upper_secondary": 0.1,
        "basic": 0.18,
        "short_tertiary": 0.05,
        "bachelor": 0.07,
    },
    "6": {"vocational": 0.6, "basic": 0.3, "general_upper_secondary": 0.05, "short_tertiary": 0.05},
    "7": {"vocational": 0.72, "basic": 0.22, "general_upper_secondary": 0.03, "short_tertiary": 0.03},
    "8": {"vocational": 0.62, "basic": 0.32, "general_upper_secondary": 0.04, "short_tertiary": 0.02},
    "9": {"basic": 0.45, "vocational": 0.38, "general_upper_secondary": 0.15, "short_tertiary": 0.02},
}
#: Share of foreign-language speakers whose education is recorded as unknown (foreign degree not assessed).
FOREIGN_EDUCATION_UNKNOWN = 0.25

#: Recorded customer groups (R-A3): prevalence at registration by age band (< 30, 30–49, 50+).
GROUP_PREVALENCE = {
    "partial_work_ability": (0.04, 0.08, 0.13),
    "life_management": (0.08, 0.04, 0.03),
    "substance_mental_health": (0.06, 0.04, 0.03),
    "neuropsychiatric": (0.04, 0.01, 0.005),
    "disability": (0.015, 0.015, 0.02),
}
#: Share of foreign-language speakers recorded as immigrants (maahanmuuttaja) for integration services.
IMMIGRANT_SHARE_OF_FOREIGN = 0.85

#: Driving licence: share by (female, male); young (< 21) and foreign-language speakers lower.
DRIVING_LICENCE = (0.78, 0.88)
DRIVING_LICENCE_YOUNG = 0.55
DRIVING_LICENCE_FOREIGN = 0.45
#: Commuting reach (km): log-normal median, and factor with a driving licence.
COMMUTE_MEDIAN_KM = 22.0
COMMUTE_LICENCE_FACTOR = 1.6
COMMUTE_RANGE = (3, 150)
#: Working-time preference: any, full time, part time.
WORKING_TIME_PREFERENCE = (0.6, 0.32, 0.08)

# ------------------------------------------------------------------------------------------- flows

#: Monthly hazards by status (outcome → hazard). Job-related outcomes are multiplied by the person's
#: employability (truth.py); service starts by the selection model. Outcome names: see simulate.py.
HAZARDS: dict[str, dict[str, float]] = {
    "unemployed": {
        "exit_education": 0.008,
        "exit_outside": 0.008,
        "exit_away": 0.002,
        "exit_not_renewed": 0.012,
        "exit_entrepreneur": 0.002,
        "to_part_time": 0.012,
        "to_service": 0.05,
        "to_outside": 0.008,
    },
    "laid_off_full": {"exit_job": 0.4, "to_unemployed": 0.03, "to_shortened_week": 0.03, "to_service": 0.01},
    "shortened_week": {"exit_job": 0.3, "to_laid_off_full": 0.05, "to_unemployed": 0.01},
    "in_service": {"exit_job": 0.012, "exit_not_renewed": 0.003},
    "employed": {"exit_job": 0.25, "to_unemployed": 0.05},
    "part_time": {"exit_job": 0.05, "to_unemployed": 0.07, "exit_not_renewed": 0.02},
    "outside_labour_force": {"to_unemployed": 0.18, "exit_outside": 0.06, "exit_education": 0.03},
}
#: Share of the unemployed's open-market job exits that stay registered as employed jobseekers.
EMPLOYED_JOBSEEKER_SHARE = 0.12
#: Service take-up (monthly, from unemployed) by months unemployed: (from, factor).
SERVICE_TAKEUP_BY_DURATION: tuple[tuple[float, float], ...] = (
    (0, 0.5),
    (2, 1.1),
    (6, 1.2),
    (12, 0.8),
    (24, 0.6),
)
#: Exit to outside the labour force by age: (from age, factor).
OUTSIDE_BY_AGE: tuple[tuple[int, float], ...] = ((0, 1.0), (55, 1.3), (60, 2.5), (63, 6.0))
#: Exit to education by age.
EDUCATION_BY_AGE: tuple[tuple[int, float], ...] = ((0, 3.0), (25, 1.5), (30, 0.7), (45, 0.2))
#: At the end of a completed service: share returning to unemployment besides a direct job exit;
#: the direct job exit probability is 1 − exp(−DIRECT_EXIT_MONTHS × h × effect multiplier).
DIRECT_EXIT_MONTHS = 0.6
SERVICE_TO_SERVICE = 0.06  # share of service ends followed by another service at once

#: Inflow: share of new spells that are re-registrations of earlier customers (when available).
RETURNER_SHARE = 0.45
#: Fully laid-off share of the counted inflow by calendar month (seasonal layoffs; Jan … Dec).
LAID_OFF_SHARE = (0.2, 0.12, 0.1, 0.08, 0.08, 0.1, 0.22, 0.12, 0.08, 0.1, 0.14, 0.25)
#: Extra inflow per month (share of the municipality's target) in statuses that are not counted:
#: employed jobseekers, part-time workers, students outside the labour force, shortened week.
NONCOUNTED_INFLOW = 0.045
NONCOUNTED_STATUSES = (
    ("employed", 0.4),
    ("part_time", 0.25),
    ("outside_labour_force", 0.2),
    ("shortened_week", 0.15),
)
#: Short unemployment spells that end before the count day (share of the target per month).
SHORT_SPELL_INFLOW = 0.03
#: In-area moves of registered jobseekers (monthly probability).
MOVE_RATE = 0.003

#: Initial stock at the first month, relative to the unemployed target, in other statuses.
INITIAL_OTHER = {
    "in_service": 0.3,
    "employed": 0.06,
    "part_time": 0.1,
    "outside_labour_force": 0.04,
    "shortened_week": 0.02,
}

#: Employment episodes: share fixed-term and its median length (months); part-time share.
FIXED_TERM_SHARE = 0.55
FIXED_TERM_MEDIAN_MONTHS = 5.0
PART_TIME_JOB_SHARE = 0.18
#: Share of open-market hires that took an advertised vacancy of the area (vacancy_id recorded).
VACANCY_MATCH_SHARE = 0.35
#: Occupation of a new job relative to the person's own: same ISCO 4, same 3-digit, same major, any.
JOB_OCCUPATION_MIX = (0.68, 0.16, 0.1, 0.06)
#: Share of hires at an employer in the person's own municipality (else within commuting reach).
LOCAL_JOB_SHARE = 0.72
#: Of re-registrations: returning people's pool weight by how they left (reason → weight).
RETURN_WEIGHTS = {
    "employed_open_market": 1.0,
    "employed_subsidised": 1.5,
    "entrepreneur": 0.3,
    "education": 0.6,
    "outside_labour_force": 0.4,
    "moved_away": 0.0,
    "not_renewed": 1.6,
    "other": 1.0,
}

# --------------------------------------------------------------------------------------- employers

#: Employers registered as employer customers per labour-force person.
EMPLOYERS_PER_LABOUR_FORCE = 1 / 25
#: TOL 2008 sections and their share of employer customers (rounded from the enterprise register mix).
INDUSTRIES = {
    "A": 0.07,
    "B": 0.003,
    "C": 0.09,
    "D": 0.005,
    "E": 0.006,
    "F": 0.14,
    "G": 0.15,
    "H": 0.06,
    "I": 0.05,
    "J": 0.035,
    "K": 0.015,
    "L": 0.04,
    "M": 0.09,
    "N": 0.055,
    "O": 0.01,
    "P": 0.015,
    "Q": 0.06,
    "R": 0.025,
    "S": 0.056,
}
#: Size classes: share of employers and hiring weight.
SIZE_CLASSES = {"micro": (0.8, 1.0), "small": (0.15, 6.0), "medium": (0.04, 30.0), "large": (0.01, 120.0)}
#: Industries of jobs by ISCO sub-major group (where most such jobs are).
ISCO2_INDUSTRIES = {
    "0": "O",
    "11": "ONMC",
    "12": "MGKC",
    "13": "CFQH",
    "14": "GIS",
    "21": "MCF",
    "22": "Q",
    "23": "P",
    "24": "MKNO",
    "25": "J",
    "26": "OQRM",
    "31": "CFM",
    "32": "Q",
    "33": "GKNM",
    "34": "QROS",
    "35": "J",
    "41": "NOGK",
    "42": "GKN",
    "43": "HGC",
    "44": "ONH",
    "51": "ISN",
    "52": "G",
    "53": "Q",
    "54": "NO",
    "61": "A",
    "62": "A",
    "63": "A",
    "71": "F",
    "72": "CF",
    "73": "C",
    "74": "FCD",
    "75": "C",
    "81": "CB",
    "82": "C",
    "83": "HF",
    "91": "NQI",
    "92": "A",
    "93": "CFH",
    "94": "I",
    "95": "G",
    "96": "E",
}

# --------------------------------------------------------------------------------------- vacancies

#: Open vacancies: mean days open after the count day for a new advert (exponential), and the share
#: of adverts that are filled (by anyone) before they close.
VACANCY_REMAINING_DAYS = 22.0
VACANCY_FILLED_SHARE = 0.45
#: Adverts that open and close between two count days (share of the target per month).
VACANCY_SHORT_INFLOW = 0.25
#: Positions per advert: (1, 2, 3, 5) with shares.
POSITIONS = ((1, 0.86), (2, 0.08), (3, 0.04), (5, 0.02))
#: Share of adverts published on Työmarkkinatori (source tmt, with an external id).
TMT_SHARE = 0.6
#: Employment type of adverts: permanent, fixed-term, seasonal.
EMPLOYMENT_TYPES = (0.45, 0.45, 0.1)

# ------------------------------------------------------------------------------------------ casework

#: Initial interview: share held after the legal deadline, and how late (working days, max).
INTERVIEW_LATE_SHARE = 0.08
INTERVIEW_LATE_MAX = 12
#: Before the Nordic labour-service model (2.5.2022) the demo uses a 10-working-day practice (2 weeks);
#: the rule book holds versions only from 2.5.2022.
INTERVIEW_DAYS_BEFORE_RULES = 10
JOB_SEARCH_INTERVAL_MONTHS_BEFORE_RULES = 3
#: Share of due job-search discussions that are held (the rest are missed or rescheduled away).
DISCUSSION_HELD_SHARE = 0.9
#: Share of due supplementary discussions (2.5.2022–31.12.2025) that are recorded.
SUPPLEMENTARY_HELD_SHARE = 0.4
#: Share of job-search discussions that produce a new version of the employment plan.
PLAN_UPDATE_SHARE = 0.45
#: Meeting channels: in person, phone, video, chat.
CHANNELS = (0.42, 0.38, 0.15, 0.05)

#: Work in Finland leads per year for an area of Satakunta's size (R-F1: strategy target > 60).
WORK_IN_FINLAND_LEADS_PER_YEAR = (60, 90)
#: Employer-service contacts per employer and year by size class (Poisson means).
EMPLOYER_CONTACTS_PER_YEAR = {"micro": 0.25, "small": 0.8, "medium": 2.0, "large": 4.0}
