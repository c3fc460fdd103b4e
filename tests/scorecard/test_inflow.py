"""Inflow into unemployment over 3 months, on a hand-made dataset with hand-computed figures.

People (every date 2025 unless stated), as_of 31.12.2025:

* P1 Pori: unemployed 3.3.–31.7.                                   → March spell, running on 3.6.: yes
* P2 Pori: unemployed 10.3.–30.4., then employed                    → March spell: no
* P3 Ulvila: unemployed 15.3.–14.4., service 15.4.–30.6., unemployed from 1.7. (service in the middle)
  → March spell ends at the service: no; a new spell starts 1.7. and runs on 1.10.: yes
* P4 Pori: spell 1.2.–31.3., re-registers 1.4. (next day) until 30.9. → one February spell, on 1.5.: yes
* P5 Pori: unemployed 5.1.–4.3., re-registers 20.3. (open)          → January spell: no; March spell: yes
* P6 Pori: unemployed from 31.3. (crosses the period end)           → March spell, on 30.6.: yes
* P7 moves Pori → Harjavalta on 16.3.; unemployed 20.3.–31.5.       → March spell in Harjavalta: no
* P8 Pori: unemployed from 15.11.                                   → follow-up 15.2.2026 not yet seen

March: 6 spells (P1, P2, P3, P5, P6, P7), 3 running after 3 months → 50 %; Pori 3/4, Ulvila 0/1,
Harjavalta 0/1. Q1: + January (P5: no) + February (P4: yes) → 4/8. July: P3 1/1. November: incomplete.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alue.people.models import SpellEndReason, Status
from alue.scorecard.compute import aggregate, attach_dimensions, inflow_events

from .factories import add_spell, end_spell, make_person, move
from .helpers import D, cell, context, facts, inputs, ratio

U, S, E = Status.UNEMPLOYED, Status.IN_SERVICE, Status.EMPLOYED


def build(session: Session) -> None:
    p1 = make_person(session)
    add_spell(session, p1, [(U, D(2025, 3, 3), D(2025, 7, 31))], end=D(2025, 7, 31))
    p2 = make_person(session)
    add_spell(session, p2, [(U, D(2025, 3, 10), D(2025, 4, 30)), (E, D(2025, 5, 1), None)])
    p3 = make_person(session, municipality="886")
    add_spell(
        session,
        p3,
        [(U, D(2025, 3, 15), D(2025, 4, 14)), (S, D(2025, 4, 15), D(2025, 6, 30)), (U, D(2025, 7, 1), None)],
    )
    p4 = make_person(session)
    first = add_spell(session, p4, [(U, D(2025, 2, 1), D(2025, 3, 31))])
    end_spell(session, first, D(2025, 3, 31), SpellEndReason.NOT_RENEWED)
    add_spell(session, p4, [(U, D(2025, 4, 1), D(2025, 9, 30))], end=D(2025, 9, 30))
    p5 = make_person(session)
    first = add_spell(session, p5, [(U, D(2025, 1, 5), D(2025, 3, 4))])
    end_spell(session, first, D(2025, 3, 4), SpellEndReason.NOT_RENEWED)
    add_spell(session, p5, [(U, D(2025, 3, 20), None)])
    p6 = make_person(session)
    add_spell(session, p6, [(U, D(2025, 3, 31), None)])
    p7 = make_person(session)
    move(session, p7, [("609", D(2020, 1, 1), D(2025, 3, 15)), ("079", D(2025, 3, 16), None)])
    add_spell(session, p7, [(U, D(2025, 3, 20), D(2025, 5, 31))], end=D(2025, 5, 31))
    p8 = make_person(session)
    add_spell(session, p8, [(U, D(2025, 11, 15), None)])


def test_inflow_hand_computed(session: Session, area) -> None:
    build(session)
    ind, _ = facts(session, area)
    name = "inflow_over_3_months"
    march = cell(ind, name, "2025-03")
    assert ratio(march) == (3, 6)
    assert march["value"] == 50.0
    assert march["persons"] == 6
    assert ratio(cell(ind, name, "2025-03", m="609")) == (3, 4)
    assert ratio(cell(ind, name, "2025-03", m="886")) == (0, 1)
    assert ratio(cell(ind, name, "2025-03", m="079")) == (0, 1)  # moved before the spell started
    assert cell(ind, name, "2025-03", m="079")["persons"] == 1
    assert ratio(cell(ind, name, "2025-01")) == (0, 1)
    assert ratio(cell(ind, name, "2025-02")) == (1, 1)  # re-registration the next day continues the spell
    assert cell(ind, name, "2025-04") is None  # ... and does not start a new one
    assert ratio(cell(ind, name, "2025-Q1")) == (4, 8)
    assert ratio(cell(ind, name, "2025-07")) == (1, 1)  # unemployed again after the service
    november = cell(ind, name, "2025-11")
    assert november["complete"] is False
    assert november["denominator"] == 0
    assert november["value"] is None
    year = cell(ind, name, "2025")
    assert ratio(year) == (5, 9)
    assert year["complete"] is False


def test_inflow_when_a_service_does_not_end_the_spell(session: Session, area) -> None:
    build(session)
    ctx = context(area)
    data = inputs(session)
    events = inflow_events(data, ctx, {"months": 3, "service_ends_spell": False})
    events = attach_dimensions(events.with_row_index("_event"), data, ctx).rename({"person_id": "unit_id"})
    facts_ = aggregate(events, ctx, indicator_id="x", variant="", value_kind="percent", unit="person")
    # P3's spell now runs through the service: on 15.6. it is still open → March 4/6; no July spell.
    assert ratio(cell(facts_, "x", "2025-03")) == (4, 6)
    assert cell(facts_, "x", "2025-07") is None
