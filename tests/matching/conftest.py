"""Fixtures for matching: the real ESCO data, and one coder built (or loaded from the cache) per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from alue.matching.coder import OccupationCoder, load_coder
from alue.matching.taxonomy import Taxonomy, load_taxonomy


@pytest.fixture(scope="session")
def taxonomy(data_dir: Path) -> Taxonomy:
    return load_taxonomy(data_dir)


@pytest.fixture(scope="session")
def coder(data_dir: Path) -> OccupationCoder:
    return load_coder(data_dir)
