"""The synthetic demo area, calibrated to the official statistics.

``build_demo`` generates jobseekers, spells and status periods, services, employers, vacancies and
casework records for an employment area (or the whole country) and writes them in bulk;
``calibration_report`` recomputes the month-end figures from the database and compares them with the
official series. The planted service effects are in :mod:`alue.demo.truth`. See ``docs/demo.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alue.demo.build import DemoSummary, build_demo
    from alue.demo.report import CalibrationRow, calibration_report

__all__ = ["CalibrationRow", "DemoSummary", "build_demo", "calibration_report"]


def __getattr__(name: str) -> Any:  # lazy: importing the package must not load NumPy and Faker
    if name in ("build_demo", "DemoSummary"):
        from alue.demo import build

        return getattr(build, name)
    if name in ("calibration_report", "CalibrationRow"):
        from alue.demo import report

        return getattr(report, name)
    raise AttributeError(name)
