"""The formatter contract: every output format the CLI offers has a formatter that formats."""

from __future__ import annotations

import pytest

from depcheck.report.interface import OutputFormat, RenderOptions, ReportFormatter
from tests.conftest import FIXTURES
from tests.report.conftest import scan_path


@pytest.mark.parametrize("output", list(OutputFormat))
def test_each_format_turns_a_report_into_a_document(output: OutputFormat) -> None:
    formatter = output.to_formatter(RenderOptions(color=False, width=100))
    assert isinstance(formatter, ReportFormatter)
    document = formatter.format(scan_path(FIXTURES / "demo", root="fixtures/demo"))
    assert isinstance(document, str) and "requests" in document


def test_the_formats_are_the_ones_the_cli_names() -> None:
    assert {"text", "json", "sarif", "markdown", "github"} <= {f.value for f in OutputFormat}
    assert OutputFormat("sarif") is OutputFormat.SARIF
    with pytest.raises(ValueError):
        OutputFormat("html")


def test_render_options_default_to_plain_text() -> None:
    options = RenderOptions()
    assert (options.color, options.width, options.verbose, options.summary) == (
        False,
        100,
        False,
        False,
    )
