"""The formatter contract and the choice of formats the CLI offers.

Formatters are pure: `format(report)` returns the whole document as a string. Each lives in its
own module and is imported only when chosen, so `--format json` never imports rich.
"""

from __future__ import annotations

import abc
import enum
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from depcheck.model import Report


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How the terminal formatter should look; structured formats ignore it."""

    color: bool = False
    width: int = 100
    verbose: bool = False
    #: one line per conflict instead of each conflict's constraints (`--summary`)
    summary: bool = False


class ReportFormatter(abc.ABC):
    @abc.abstractmethod
    def format(self, report: Report) -> str:
        """The whole document for `report`."""


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    GITHUB = "github"

    def to_formatter(self, options: RenderOptions) -> ReportFormatter:
        module_name, class_name = _FORMATTERS[self]
        module = importlib.import_module(module_name)
        formatter: ReportFormatter = getattr(module, class_name)(options)
        return formatter


_FORMATTERS = {
    OutputFormat.TEXT: ("depcheck.report.text", "TextFormatter"),
    OutputFormat.JSON: ("depcheck.report.json", "JsonFormatter"),
    OutputFormat.SARIF: ("depcheck.report.sarif", "SarifFormatter"),
    OutputFormat.MARKDOWN: ("depcheck.report.markdown", "MarkdownFormatter"),
    OutputFormat.GITHUB: ("depcheck.report.github", "GithubFormatter"),
}
