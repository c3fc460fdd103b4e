"""Finnish labels accepted for enumeration values in import files (value → labels).

The first label is the one a Finnish user most likely writes; every label is matched ignoring case,
accents, spaces and punctuation, so ``Osa-aikatyö`` and ``osa aikatyo`` are the same.
"""

from __future__ import annotations

EDUCATION_LABELS = {
    "basic": ("perusaste", "peruskoulu", "ei tutkintoa"),
    "general_upper_secondary": ("lukio", "ylioppilas", "yleissivistävä toinen aste"),
    "vocational": ("ammatillinen", "ammatillinen perustutkinto", "toinen aste"),
    "short_tertiary": ("opistoaste", "alin korkea-aste"),
    "bachelor": ("alempi korkeakoulututkinto", "amk", "kandidaatti", "alempi korkeakouluaste"),
    "master": ("ylempi korkeakoulututkinto", "maisteri", "ylempi korkeakouluaste"),
    "doctoral": ("tohtori", "tutkijakoulutus", "tutkijakoulutusaste"),
    "unknown": ("tuntematon", "ei tiedossa"),
}

WORKING_TIME_LABELS = {
    "full_time": ("kokoaikatyö", "kokoaikainen", "kokoaika"),
    "part_time": ("osa-aikatyö", "osa-aikainen", "osa-aika"),
    "any": ("mikä tahansa", "kaikki", "ei väliä"),
}

SPELL_END_LABELS = {
    "employed_open_market": ("avoimille työmarkkinoille", "työllistyi", "avoimet työmarkkinat"),
    "employed_subsidised": ("palkkatuettuun työhön", "palkkatuettu työ", "palkkatuki"),
    "entrepreneur": ("yrittäjäksi", "yrittäjä"),
    "education": ("koulutukseen", "tutkintoon johtava koulutus", "opiskelu"),
    "outside_labour_force": ("työvoiman ulkopuolelle", "työvoiman ulkopuolella"),
    "moved_away": ("muutti alueelta", "muutto"),
    "not_renewed": ("haku päättyi", "ei uusittu", "haku lakkasi"),
    "other": ("muu", "muu syy"),
}

STATUS_LABELS = {
    "unemployed": ("työtön",),
    "laid_off_full": ("kokoaikaisesti lomautettu", "lomautettu", "kokoaikainen lomautus"),
    "shortened_week": ("lyhennetyllä työviikolla", "lyhennetty työviikko"),
    "in_service": ("palveluissa", "palvelussa"),
    "employed": ("työllinen", "työssä"),
    "part_time": ("osa-aikatyössä", "osa-aikatyöllinen"),
    "outside_labour_force": ("työvoiman ulkopuolella", "opiskelija"),
}

EMPLOYMENT_KIND_LABELS = {
    "open_market": ("avoimet työmarkkinat", "avoin", "avoin työ"),
    "subsidised": ("palkkatuettu", "palkkatuki", "palkkatuettu työ"),
    "apprenticeship": ("oppisopimus",),
    "self_employed": ("yrittäjä", "yrittäjyys", "itsensä työllistäjä"),
}

SIZE_CLASS_LABELS = {
    "micro": ("mikroyritys", "mikro", "alle 10"),
    "small": ("pieni", "pienyritys", "10-49"),
    "medium": ("keskisuuri", "keskisuuri yritys", "50-249"),
    "large": ("suuri", "suuryritys", "250+"),
}

EMPLOYMENT_TYPE_LABELS = {
    "permanent": ("vakituinen", "toistaiseksi voimassa oleva", "pysyvä"),
    "fixed_term": ("määräaikainen",),
    "seasonal": ("kausityö", "kausi"),
}

SERVICE_KIND_LABELS = {
    "labour_market_training": ("työvoimakoulutus",),
    "self_motivated_study": ("omaehtoinen opiskelu", "omaehtoinen"),
    "coaching": ("valmennus",),
    "career_guidance": ("ura- ja koulutusohjaus", "uraohjaus"),
    "assessment": ("kokeilu ja arviointi", "arviointi"),
    "work_trial": ("työkokeilu",),
    "wage_subsidy": ("palkkatuki",),
    "rehabilitative_work": ("kuntouttava työtoiminta",),
    "startup_grant": ("starttiraha",),
    "integration_training": ("kotoutumiskoulutus",),
    "job_search_training": ("työnhakuvalmennus",),
}

PRODUCTION_LABELS = {
    "own": ("oma palvelu", "oma", "omana työnä"),
    "purchased": ("ostopalvelu", "hankittu"),
}

SERVICE_LINE_LABELS = {
    "job_brokerage": ("työnvälitys",),
    "skills": ("osaamisen kehittäminen", "osaaminen"),
    "multisector": ("monialainen palvelu", "typ", "monialainen"),
    "youth": ("nuorten palvelut", "nuoret"),
    "immigrants": ("maahanmuuttajat", "maahanmuuttajapalvelut"),
    "entrepreneurship": ("yrittäjyys",),
    "employer_services": ("työnantajapalvelut",),
    "administration": ("hallinto",),
}

OUTCOME_LABELS = {
    "ongoing": ("käynnissä", "kesken"),
    "completed": ("suoritettu", "päättynyt"),
    "interrupted": ("keskeytetty", "keskeytynyt"),
}
