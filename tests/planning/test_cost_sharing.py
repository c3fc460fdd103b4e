"""Cost sharing between the municipalities: keys computed by hand, own service points kept apart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.people.models import Status
from alue.planning.cost_sharing import (
    Budget,
    BudgetError,
    KeyFigures,
    allocate,
    default_budget_path,
    key_figures,
    load_budget,
    shares,
    split_exactly,
)

from ..people.factories import add_spell, make_person

D = dt.date
OTHERS = ("079", "181", "214", "230", "271", "484", "531", "608", "747", "886")


def _figures(area: Area) -> KeyFigures:
    # Pori 600 inhabitants and 50 unemployed, each of the ten others 40 and 5: totals 1 000 and 100.
    values = {
        "population": {"609": 600.0, **dict.fromkeys(OTHERS, 40.0)},
        "unemployed": {"609": 50.0, **dict.fromkeys(OTHERS, 5.0)},
        "customers": {"609": 70.0, **dict.fromkeys(OTHERS, 3.0)},
    }
    assert set(values["population"]) == set(area.municipalities)
    return KeyFigures(values=values, sources=dict.fromkeys(values, "test"), count_days=[])


def _budget(method: str, mix: dict[str, float] | None = None) -> Budget:
    return Budget.model_validate(
        {
            "area": "satakunta",
            "year": 2026,
            "key": {"method": method, **({"mix": mix} if mix else {})},
            "shared_costs": [
                {"item": "personnel", "label": {"fi": "Henkilöstö"}, "amount": "80000"},
                {"item": "offices", "label": {"fi": "Toimipisteet"}, "amount": "30000"},
            ],
            "income": [{"item": "grant", "label": {"fi": "Avustus"}, "amount": "10000"}],
            "own_costs": [
                {
                    "municipality": "886",
                    "item": "service_point",
                    "label": {"fi": "Ulvilan asiointipiste"},
                    "amount": "21000",
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("method", "mix", "pori", "other"),
    [
        ("population", None, "60000.00", "4000.00"),  # 600 / 1 000 and 40 / 1 000 of 100 000 €
        ("unemployed", None, "50000.00", "5000.00"),  # 50 / 100 and 5 / 100
        ("customers", None, "70000.00", "3000.00"),  # 70 / 100 and 3 / 100
        ("mix", {"population": 0.5, "unemployed": 0.5}, "55000.00", "4500.00"),  # 0.5·60 % + 0.5·50 %
    ],
)
def test_keys_by_hand(area: Area, method: str, mix: dict[str, float] | None, pori: str, other: str) -> None:
    result = allocate(_budget(method, mix), _figures(area), area)
    rows = {m.code: m for m in result.municipalities}
    # Net shared costs: 80 000 + 30 000 − 10 000 = 100 000 €
    assert result.net_shared == Decimal("100000")
    assert rows["609"].shared_net == Decimal(pori)
    assert rows["079"].shared_net == Decimal(other)
    # Ulvila pays its own service point on top of its share; nobody else pays for it (R-B4)
    assert rows["886"].own_total == Decimal("21000")
    assert rows["886"].total == Decimal(other) + Decimal("21000")
    assert rows["079"].own == []
    # The offices are among the shared costs and are split by the same key
    offices = next(line for line in rows["609"].shared if line.item == "offices")
    assert offices.amount == Decimal(pori) * Decimal("0.3")
    assert sum(m.total for m in result.municipalities) == result.grand_total == Decimal("121000")


def test_cents_add_up_exactly() -> None:
    parts = split_exactly(Decimal("0.10"), {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert sorted(parts.values()) == [Decimal("0.03"), Decimal("0.03"), Decimal("0.04")]
    parts = split_exactly(Decimal("1000000.01"), {"a": 0.123456, "b": 0.5, "c": 0.376544})
    assert sum(parts.values()) == Decimal("1000000.01")


def test_shares_sum_to_one_and_reject_empty_keys() -> None:
    s = shares(
        {"population": {"a": 1, "b": 3}, "unemployed": {"a": 1, "b": 1}},
        {"population": 0.5, "unemployed": 0.5},
    )
    assert s == pytest.approx({"a": 0.375, "b": 0.625})
    with pytest.raises(ValueError, match="no figures"):
        shares({"customers": {"a": 0, "b": 0}}, {"customers": 1.0})


def test_mix_weights_must_sum_to_one() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        _budget("mix", {"population": 0.5, "unemployed": 0.4})


def test_shipped_example_budget_loads_and_overrides(area: Area) -> None:
    path = default_budget_path("satakunta", 2026)
    budget = load_budget(path)
    assert budget.key.method == "mix"
    assert budget.net_shared == Decimal("15670000")
    population_only = load_budget(path, method="population")
    assert population_only.key.weights() == {"population": 1.0}
    assert {c.municipality for c in budget.own_costs} <= set(area.municipalities)


def test_csv_budget(tmp_path: Path) -> None:
    path = tmp_path / "budget.csv"
    path.write_text(
        "kind,item,label,municipality,amount\n"
        'shared,personnel,Henkilöstö,,"1 000,50"\n'
        "own,service_point,Karvian asiointipiste,230,6000\n",
        encoding="utf-8",
    )
    budget = load_budget(path, method="population", area="satakunta", year=2026)
    assert budget.shared_total == Decimal("1000.50")
    assert budget.own_costs[0].municipality == "230"
    with pytest.raises(BudgetError, match="area and the year"):
        load_budget(path)
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,item,label,municipality,amount\nshard,x,x,,1\n", encoding="utf-8")
    with pytest.raises(BudgetError, match="row 2"):
        load_budget(bad, area="satakunta", year=2026)


def test_key_figures_from_the_data(session: Session, area: Area) -> None:
    # 2025 month-ends: one unemployed person in Pori all year, one customer in Ulvila in a service
    # for the second half of the year (6 of 12 count days).
    a = make_person(session, municipality="609")
    add_spell(session, a, [(Status.UNEMPLOYED, D(2024, 12, 1), None)])
    b = make_person(session, municipality="886")
    add_spell(session, b, [(Status.IN_SERVICE, D(2025, 7, 1), None)])
    figures = key_figures(session=session, area=area, budget=_budget("population"))
    assert figures.count_days[0] == D(2025, 1, 31)
    assert figures.values["unemployed"]["609"] == pytest.approx(1.0)
    assert figures.values["unemployed"]["886"] == 0
    assert figures.values["customers"]["886"] == pytest.approx(0.5)
    assert figures.values["population"]["609"] == area.municipalities["609"].population
