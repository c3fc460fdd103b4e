"""Fixtures of the survey page tests: an application with its own database (it commits)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from alue.area.config import Area
from tests.surveys.web import build_app, build_engine


@pytest.fixture(scope="session")
def survey_engine(tmp_path_factory: pytest.TempPathFactory, area: Area) -> Iterator[Engine]:
    engine = build_engine(tmp_path_factory.mktemp("surveyweb"), area)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def survey_app(survey_engine: Engine, data_dir: Path, area: Area) -> FastAPI:
    return build_app(survey_engine, data_dir, area)
