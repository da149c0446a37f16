"""simad-sync: move residency-office spreadsheets into the ministry's SIMAD and MAXA services."""

__version__ = "0.1.0"

from pipeline.core import logs as _logs  # noqa: F401 — configures structlog before any module logs
