"""alue — an open platform for running a Finnish employment area (työllisyysalue)."""

__version__ = "0.1.0"
