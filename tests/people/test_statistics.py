import datetime as dt

from sqlalchemy.orm import Session

from alue.people.models import Status
from alue.people.statistics import Period, Timeline, count_unemployed_by_municipality, is_young

from .factories import add_spell, make_person, move

D = dt.date
U, L, S, E = Status.UNEMPLOYED, Status.LAID_OFF_FULL, Status.IN_SERVICE, Status.EMPLOYED


def test_unemployed_and_laid_off_count_as_unemployed() -> None:
    t = Timeline([Period(U, D(2025, 1, 1), D(2025, 3, 31)), Period(L, D(2025, 4, 1), None)])
    assert t.classify(D(2025, 2, 28)).unemployed
    c = t.classify(D(2025, 4, 30))
    assert c.unemployed
    assert c.laid_off_full
    assert c.unemployment_duration_days == 120  # 1.1.–30.4.2025, adjacent periods merge
    assert not t.classify(D(2024, 12, 31)).unemployed


def test_long_term_needs_twelve_continuous_months() -> None:
    t = Timeline([Period(U, D(2024, 1, 31), None)])
    assert not t.classify(D(2025, 1, 30)).long_term_unemployed
    assert t.classify(D(2025, 1, 31)).long_term_unemployed
    # A service in the middle breaks the run: unemployed again from 1.7.2024
    t = Timeline(
        [
            Period(U, D(2024, 1, 1), D(2024, 4, 30)),
            Period(S, D(2024, 5, 1), D(2024, 6, 30)),
            Period(U, D(2024, 7, 1), None),
        ]
    )
    assert not t.classify(D(2025, 1, 31)).long_term_unemployed
    assert t.classify(D(2025, 7, 1)).long_term_unemployed


def test_recurrent_unemployment_twelve_of_sixteen_months() -> None:
    # 1.1.2024–30.9.2024 unemployed (274 d), a job, then unemployed again from 1.11.2024
    t = Timeline(
        [
            Period(U, D(2024, 1, 1), D(2024, 9, 30)),
            Period(E, D(2024, 10, 1), D(2024, 10, 31)),
            Period(U, D(2024, 11, 1), None),
        ]
    )
    # On 28.2.2025: window 29.10.2023–28.2.2025 holds 274 + 120 = 394 days ≥ 365 → recurrent
    c = t.classify(D(2025, 2, 28))
    assert c.recurrently_unemployed
    assert not c.long_term_unemployed
    assert c.structurally_unemployed
    # On 31.12.2024: 274 + 61 = 335 days < 365 → not yet
    assert not t.classify(D(2024, 12, 31)).recurrently_unemployed


def test_after_service_and_service_to_service() -> None:
    t = Timeline(
        [
            Period(U, D(2024, 1, 1), D(2024, 2, 29)),
            Period(S, D(2024, 3, 1), D(2024, 5, 31)),
            Period(U, D(2024, 6, 1), D(2024, 6, 20)),
            Period(S, D(2024, 6, 21), D(2024, 9, 30)),
            Period(U, D(2024, 10, 1), None),
        ]
    )
    assert t.classify(D(2024, 6, 28)).service_to_service  # 20 days wholly unemployed between services
    assert not t.classify(D(2024, 3, 29)).service_to_service  # the first service
    c = t.classify(D(2024, 10, 31))
    assert c.unemployed_after_service
    assert c.structurally_unemployed
    assert not t.classify(D(2025, 10, 31)).unemployed_after_service  # now long-term instead
    assert t.classify(D(2025, 10, 31)).long_term_unemployed


def test_young_limits() -> None:
    assert is_young(D(2000, 6, 1), D(2025, 5, 31), 25)
    assert not is_young(D(2000, 6, 1), D(2025, 6, 1), 25)
    assert is_young(D(2000, 6, 1), D(2025, 6, 1), 30)


def test_sql_count_attributes_to_residence_on_the_day(session: Session) -> None:
    mover = make_person(session, municipality="079")
    add_spell(session, mover, [(U, D(2025, 1, 1), None)])
    move(session, mover, [("609", D(2020, 1, 1), D(2025, 2, 14)), ("079", D(2025, 2, 15), None)])
    stayer = make_person(session, municipality="609")
    add_spell(session, stayer, [(U, D(2024, 6, 1), D(2025, 1, 31)), (E, D(2025, 2, 1), None)])
    laid_off = make_person(session, municipality="609")
    add_spell(session, laid_off, [(L, D(2025, 1, 20), D(2025, 3, 15))])

    jan = count_unemployed_by_municipality(session=session, day=D(2025, 1, 31))
    assert jan.get("609") == 3
    assert "079" not in jan
    feb = count_unemployed_by_municipality(session=session, day=D(2025, 2, 28))
    assert feb == {"079": 1, "609": 1}
    only_laid_off = count_unemployed_by_municipality(session=session, day=D(2025, 2, 28), statuses=[L])
    assert only_laid_off == {"609": 1}
