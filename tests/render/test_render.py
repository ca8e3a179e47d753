"""The Markdown report drawn as GitHub would: GFM, headless Chromium, Mermaid from npm.

Skips where Debian's chromium or Mermaid (`npm ci --prefix tests/render`) is missing; run
`python -m tests.render.render` for the screenshots themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.report.markdown import MAX_CHARS
from tests.render.render import (
    ROOT,
    chromium,
    dom,
    markdown_of,
    mermaid_js,
    mermaid_problems,
    synthetic_repository,
    to_html,
)

BROWSER, MERMAID = chromium(), mermaid_js()

pytestmark = pytest.mark.skipif(
    BROWSER is None or MERMAID is None,
    reason="needs chromium and Mermaid (npm ci --prefix tests/render, or DEPCHECK_MERMAID_JS)",
)


def rendered(markdown: str, tmp_path: Path) -> str:
    assert BROWSER is not None and MERMAID is not None
    page = tmp_path / "page.html"
    page.write_text(to_html(markdown, MERMAID), encoding="utf-8")
    return dom(BROWSER, page)


def test_the_demo_renders_with_its_diagram(tmp_path: Path) -> None:
    html = rendered(markdown_of(ROOT / "fixtures" / "demo", "fixtures/demo"), tmp_path)
    assert mermaid_problems(html) == []
    assert html.count("<svg") == 1  # host web's diagram, drawn
    assert "<table>" in html and "<details open=" in html
    assert "billing" in html


def test_a_hundred_conflicts_render_without_a_diagram_error(tmp_path: Path) -> None:
    markdown = markdown_of(synthetic_repository(tmp_path / "repo"), ".")
    assert len(markdown) < MAX_CHARS
    html = rendered(markdown, tmp_path)
    assert mermaid_problems(html) == []
    assert "<svg" not in html  # 30 services: past the diagram cap, a sentence instead
    assert "No diagram: 30 services" in html
    assert html.count("<tr>") == 1 + 50 + 1  # the header, 50 rows, the "… more" row
