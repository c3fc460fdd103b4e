"""Words of the scorecard in Finnish, Swedish and English, and how its figures are written."""

from __future__ import annotations

from babel.numbers import format_decimal

from alue.scorecard.models import ALL

_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

TEXTS: dict[str, dict[str, str]] = {
    # target status
    "met": {"fi": "saavutettu", "sv": "uppnått", "en": "met"},
    "close": {"fi": "lähellä", "sv": "nära", "en": "close"},
    "not_met": {"fi": "ei saavutettu", "sv": "inte uppnått", "en": "not met"},
    "no_target": {"fi": "ei tavoitetta", "sv": "inget mål", "en": "no target"},
    "no_data": {"fi": "ei tietoa", "sv": "inga uppgifter", "en": "no data"},
    # headings and columns
    "scorecard": {"fi": "Strategian mittaristo", "sv": "Strategins mätare", "en": "Strategy scorecard"},
    "board_report": {
        "fi": "Mittariraportti hallitukselle",
        "sv": "Mätarrapport till styrelsen",
        "en": "Scorecard report to the board",
    },
    "vision": {"fi": "Visio", "sv": "Vision", "en": "Vision"},
    "priority": {"fi": "Painopiste", "sv": "Prioritering", "en": "Priority"},
    "vision_goal": {
        "fi": "Strateginen visiotavoite",
        "sv": "Strategiskt visionsmål",
        "en": "Strategic vision goal",
    },
    "indicator": {"fi": "Mittari", "sv": "Mätare", "en": "Indicator"},
    "value": {"fi": "Arvo", "sv": "Värde", "en": "Value"},
    "target": {"fi": "Tavoite", "sv": "Mål", "en": "Target"},
    "status": {"fi": "Tila", "sv": "Status", "en": "Status"},
    "previous_year": {"fi": "Edellinen vuosi", "sv": "Föregående år", "en": "Previous year"},
    "change": {"fi": "Muutos", "sv": "Förändring", "en": "Change"},
    "persons": {"fi": "Henkilöitä (n)", "sv": "Personer (n)", "en": "Persons (n)"},
    "n": {"fi": "n", "sv": "n", "en": "n"},
    "official": {"fi": "Virallinen luku", "sv": "Officiell siffra", "en": "Official figure"},
    "difference": {"fi": "Erotus", "sv": "Skillnad", "en": "Difference"},
    "period": {"fi": "Jakso", "sv": "Period", "en": "Period"},
    "municipality": {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"},
    "group": {"fi": "Asiakasryhmä", "sv": "Kundgrupp", "en": "Customer group"},
    "line": {"fi": "Palvelulinja", "sv": "Servicelinje", "en": "Service line"},
    "definition": {"fi": "Määritelmä", "sv": "Definition", "en": "Definition"},
    "trend": {"fi": "Kehitys", "sv": "Utveckling", "en": "Trend"},
    "data_table": {
        "fi": "Kuvion tiedot taulukkona",
        "sv": "Figurens data som tabell",
        "en": "The chart's data",
    },
    "municipality_comparison": {
        "fi": "Kuntavertailu",
        "sv": "Jämförelse mellan kommuner",
        "en": "Municipalities compared",
    },
    "groups_drilldown": {"fi": "Asiakasryhmät", "sv": "Kundgrupper", "en": "Customer groups"},
    "lines_breakdown": {"fi": "Palvelulinjat", "sv": "Servicelinjer", "en": "Service lines"},
    "month_end": {
        "fi": "Kuukauden lopun tilanne",
        "sv": "Läget vid månadens slut",
        "en": "Month-end figures",
    },
    "incomplete": {
        "fi": "keskeneräinen: seuranta-aika ei ole päättynyt kaikilla",
        "sv": "preliminär: uppföljningstiden har inte löpt ut för alla",
        "en": "provisional: not every follow-up window has ended",
    },
    "suppressed": {
        "fi": "salattu (alle 5 henkilöä)",
        "sv": "skyddad (färre än 5 personer)",
        "en": "suppressed (fewer than 5 persons)",
    },
    "status_rule": {
        "fi": "Tila: saavutettu; lähellä = tavoitteesta puuttuu enintään {share} % tavoitearvosta "
        "(asteikollisissa keskiarvoissa asteikon leveydestä); muuten ei saavutettu. Lukumäärätavoitteet "
        "ovat vuositavoitteita, lyhyemmille jaksoille suhteutettuina.",
        "sv": "Status: uppnått; nära = högst {share} % av målvärdet saknas (för medeltal på en skala: av "
        "skalans bredd); annars inte uppnått. Antalsmål är årsmål, proportionerade för kortare perioder.",
        "en": "Status: met; close = the shortfall is at most {share} % of the target value (for means on a "
        "scale: of the scale's width); otherwise not met. Count targets are annual, pro rata for shorter "
        "periods.",
    },
    "suppression_rule": {
        "fi": "Alle viiden henkilön ryhmiä koskevat luvut on salattu (–), samoin luvut, joista salattu luku "
        "voitaisiin laskea.",
        "sv": "Siffror om grupper på färre än fem personer är skyddade (–), liksom siffror som skulle "
        "avslöja dem.",
        "en": "Figures about groups of fewer than five persons are suppressed (–), as are figures that would "
        "reveal them.",
    },
    "also_serves": {
        "fi": "Palvelee myös tätä painopistettä:",
        "sv": "Tjänar också denna prioritering:",
        "en": "Also serves this priority:",
    },
    "show": {"fi": "Näytä", "sv": "Visa", "en": "Show"},
    "area": {"fi": "Koko alue", "sv": "Hela området", "en": "Whole area"},
    "all_groups": {"fi": "Kaikki asiakkaat", "sv": "Alla kunder", "en": "All customers"},
    "all_lines": {"fi": "Kaikki palvelulinjat", "sv": "Alla servicelinjer", "en": "All service lines"},
    "generated": {"fi": "Laadittu", "sv": "Upprättad", "en": "Prepared"},
    "facts_from": {
        "fi": "Luvut faktataulukoista, päivitetty",
        "sv": "Siffrorna från faktatabellerna, uppdaterade",
        "en": "Figures from the fact tables, rebuilt",
    },
    "sources": {"fi": "Lähde", "sv": "Källa", "en": "Source"},
    "official_unemployed": {
        "fi": "Työttömät, virallinen",
        "sv": "Arbetslösa, officiell",
        "en": "Unemployed, official",
    },
    "contents": {"fi": "Sisältö", "sv": "Innehåll", "en": "Contents"},
    "definitions": {"fi": "Määritelmät", "sv": "Definitioner", "en": "Definitions"},
    "no_facts": {
        "fi": "Faktataulukot ovat tyhjiä: aja `alue scorecard rebuild`.",
        "sv": "Faktatabellerna är tomma: kör `alue scorecard rebuild`.",
        "en": "The fact tables are empty: run `alue scorecard rebuild`.",
    },
}

MEASURES: dict[str, dict[str, str]] = {
    "unemployed": {
        "fi": "Työttömät työnhakijat",
        "sv": "Arbetslösa arbetssökande",
        "en": "Unemployed jobseekers",
    },
    "laid_off_full": {"fi": "Kokoaikaisesti lomautetut", "sv": "Heltidspermitterade", "en": "Fully laid off"},
    "shortened_week": {
        "fi": "Lyhennetyllä työviikolla",
        "sv": "Förkortad arbetsvecka",
        "en": "Shortened week",
    },
    "in_service": {"fi": "Palveluissa", "sv": "I tjänster", "en": "In services"},
    "long_term_unemployed": {
        "fi": "Pitkäaikaistyöttömät",
        "sv": "Långtidsarbetslösa",
        "en": "Long-term unemployed",
    },
    "recurrently_unemployed": {
        "fi": "Toistuvasti työttömät",
        "sv": "Upprepat arbetslösa",
        "en": "Recurrently unemployed",
    },
    "unemployed_after_service": {
        "fi": "Työttömät palvelun jälkeen",
        "sv": "Arbetslösa efter tjänst",
        "en": "Unemployed after a service",
    },
    "service_to_service": {
        "fi": "Palvelusta palveluun",
        "sv": "Från tjänst till tjänst",
        "en": "Service to service",
    },
    "structurally_unemployed": {
        "fi": "Rakennetyöttömät",
        "sv": "Strukturarbetslösa",
        "en": "Structurally unemployed",
    },
    "young_under_25": {
        "fi": "Alle 25-vuotiaat työttömät",
        "sv": "Arbetslösa under 25 år",
        "en": "Unemployed under 25",
    },
    "young_under_area_limit": {
        "fi": "Alle 30-vuotiaat työttömät",
        "sv": "Arbetslösa under 30 år",
        "en": "Unemployed under 30",
    },
}

GROUPS: dict[str, dict[str, str]] = {
    "young": {"fi": "Nuoret (alle 30 v)", "sv": "Unga (under 30 år)", "en": "Young (under 30)"},
    "immigrant": {"fi": "Maahanmuuttajat", "sv": "Invandrare", "en": "Immigrants"},
    "partial_work_ability": {
        "fi": "Osatyökykyiset",
        "sv": "Partiellt arbetsföra",
        "en": "Partial work ability",
    },
    "long_term_unemployed": {
        "fi": "Pitkäaikaistyöttömät",
        "sv": "Långtidsarbetslösa",
        "en": "Long-term unemployed",
    },
    "no_vocational_education": {
        "fi": "Ei ammatillista koulutusta",
        "sv": "Utan yrkesutbildning",
        "en": "No vocational education",
    },
    "laid_off": {"fi": "Lomautetut", "sv": "Permitterade", "en": "Laid off"},
    "life_management": {
        "fi": "Elämänhallinnan haasteet",
        "sv": "Livshanteringsutmaningar",
        "en": "Life-management challenges",
    },
    "substance_mental_health": {
        "fi": "Päihde- ja mielenterveys",
        "sv": "Missbruk och psykisk hälsa",
        "en": "Substance use and mental health",
    },
    "neuropsychiatric": {"fi": "Neuropsykiatriset", "sv": "Neuropsykiatriska", "en": "Neuropsychiatric"},
    "disability": {"fi": "Vammaisuus", "sv": "Funktionsnedsättning", "en": "Disability"},
}

LINES: dict[str, dict[str, str]] = {
    "job_brokerage": {"fi": "Työnvälitys", "sv": "Arbetsförmedling", "en": "Job brokerage"},
    "skills": {"fi": "Osaamisen kehittäminen", "sv": "Kompetensutveckling", "en": "Skills development"},
    "multisector": {
        "fi": "Monialainen palvelu",
        "sv": "Sektorsövergripande service",
        "en": "Multi-sector service",
    },
    "youth": {"fi": "Nuorten palvelut", "sv": "Tjänster för unga", "en": "Youth services"},
    "immigrants": {"fi": "Maahanmuuttajat", "sv": "Invandrare", "en": "Immigrants"},
    "entrepreneurship": {"fi": "Yrittäjyys", "sv": "Företagande", "en": "Entrepreneurship"},
    "employer_services": {"fi": "Työnantajapalvelut", "sv": "Arbetsgivartjänster", "en": "Employer services"},
    "administration": {"fi": "Hallinto", "sv": "Administration", "en": "Administration"},
}

VARIANTS: dict[str, dict[str, str]] = {
    "3m": {"fi": "3 kk", "sv": "3 mån", "en": "3 months"},
    "6m": {"fi": "6 kk", "sv": "6 mån", "en": "6 months"},
    "per_employed_customer": {
        "fi": "€/työllistynyt asiakas",
        "sv": "€/sysselsatt kund",
        "en": "€ per employed customer",
    },
    "per_effective_service": {
        "fi": "€/vaikuttava palvelu",
        "sv": "€/verkningsfull tjänst",
        "en": "€ per effective service",
    },
}


def t(key: str, lang: str = "fi", **values: object) -> str:
    entry = TEXTS.get(key)
    text = (entry.get(lang) or entry["fi"]) if entry else key
    return text.format(**values) if values else text


def _pick(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    entry = table.get(key)
    return (entry.get(lang) or entry["fi"]) if entry else key


def measure(key: str, lang: str = "fi") -> str:
    return _pick(MEASURES, key, lang)


def group(key: str, lang: str = "fi") -> str:
    return t("all_groups", lang) if key == ALL else _pick(GROUPS, key, lang)


def line(key: str, lang: str = "fi") -> str:
    return t("all_lines", lang) if key == ALL else _pick(LINES, key, lang)


def variant(key: str, lang: str = "fi") -> str:
    return _pick(VARIANTS, key, lang) if key else ""


def number(value: float | None, lang: str = "fi", digits: int = 1) -> str:
    if value is None:
        return "–"
    return format_decimal(
        round(value, digits),
        format=f"#,##0.{'0' * digits}" if digits else "#,##0",
        locale=_LOCALES.get(lang, "fi_FI"),
    )


def figure_text(value: float | None, unit: str, lang: str = "fi") -> str:
    """A figure as it is written: ``43,2 %``, ``4,12``, ``1 234 €``, ``63``; ``–`` when missing."""
    if value is None:
        return "–"
    if unit == "percent":
        return f"{number(value, lang, 1)} %"
    if unit == "mean":
        return number(value, lang, 2)
    if unit == "eur":
        return f"{number(value, lang, 0)} €"
    return number(value, lang, 0)


def change_text(value: float | None, unit: str, lang: str = "fi") -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    magnitude = abs(value)
    if unit == "percent":
        return (
            f"{sign}{number(magnitude, lang, 1)} %-yks."
            if lang == "fi"
            else f"{sign}{number(magnitude, lang, 1)} pp"
        )
    return f"{sign}{figure_text(magnitude, unit, lang)}"


def target_text(comparator: str | None, value: float | None, unit: str, lang: str = "fi") -> str:
    if comparator is None or value is None:
        return "–"
    symbol = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}[comparator]
    return f"{symbol} {figure_text(value, unit, lang)}"
