"""The demo tests use ``demo_build`` / ``demo_engine`` from the root ``tests/conftest.py``."""
