"""Report formatters: each turns a `Report` into a string; only the CLI writes it anywhere."""

from __future__ import annotations

from depcheck.report.interface import OutputFormat, ReportFormatter

__all__ = ["OutputFormat", "ReportFormatter"]
