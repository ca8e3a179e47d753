"""Render depcheck's Markdown report as GitHub would, in headless Chromium, Mermaid included.

    python -m tests.render.render [--out DIR]

writes, for the demo and for a synthetic repository of 100 conflicts, the Markdown report, the
HTML page (GFM through markdown-it-py, each ```mermaid block drawn by Mermaid) and a PNG
screenshot, and prints what Mermaid reported. Needs Debian's chromium (``apt-get install -y
chromium``) and Mermaid from the npm registry (``npm ci --prefix tests/render``, or
``DEPCHECK_MERMAID_JS=/path/to/mermaid.min.js``). `tests/render/test_render.py` runs the same
pages and skips where either is missing.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

#: the flags a root, offline, headless Chromium needs here (see the machine notes)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

_STYLE = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
       font-size: 14px; line-height: 1.5; color: #1f2328; max-width: 1012px; margin: 16px auto;
       padding: 0 16px; }
table { border-collapse: collapse; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font-size: 85%; }
h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def mermaid_js() -> Path | None:
    explicit = os.environ.get("DEPCHECK_MERMAID_JS")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(HERE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js")
    return next((c for c in candidates if c.is_file()), None)


def to_html(markdown: str, mermaid: Path) -> str:
    """The page GitHub would show: GFM tables, raw HTML (<details>) kept, Mermaid blocks drawn."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    default_fence = parser.renderer.rules["fence"]

    def fence(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        if token.info.strip() == "mermaid":
            return f'<pre class="mermaid">{html.escape(token.content)}</pre>\n'
        return default_fence(tokens, idx, options, env)

    parser.add_render_rule("fence", fence)
    body = parser.render(markdown)
    # Mermaid's defaults, as GitHub runs it; errors are written into the page for the check
    script = (
        f'<script src="{mermaid.as_uri()}"></script>\n'
        "<script>mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});\n"
        "mermaid.run({querySelector: '.mermaid', suppressErrors: true})\n"
        "  .then(() => { document.body.dataset.mermaid = 'done'; })\n"
        "  .catch(e => { document.body.dataset.mermaid = 'error: ' + e; });\n"
        "</script>"
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><style>{_STYLE}</style></head>'
        f"<body>{body}{script}</body></html>\n"
    )


def _run(browser: str, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="depcheck-chromium-") as profile:
        return subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--virtual-time-budget=15000",
                *extra,
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def dom(browser: str, page: Path) -> str:
    """The page's DOM after its scripts ran (Mermaid's SVGs or its error boxes)."""
    return _run(browser, page, "--dump-dom").stdout


def screenshot(browser: str, page: Path, png: Path, height: int) -> None:
    done = _run(browser, page, f"--screenshot={png}", f"--window-size=1100,{height}")
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot: {done.stderr[-2000:]}")


def mermaid_problems(rendered: str) -> list[str]:
    """What Mermaid complained about in a rendered DOM (empty: every diagram drawn)."""
    problems = []
    if 'data-mermaid="done"' not in rendered:
        found = re.search(r'data-mermaid="([^"]*)"', rendered)
        problems.append(f"mermaid did not finish: {found.group(1) if found else 'no run'}")
    for text in ("Syntax error in text", "Maximum text size", "Edge limit exceeded"):
        if text in rendered:
            problems.append(text)
    return problems


def synthetic_repository(root: Path, conflicts: int = 100) -> Path:
    """One host of 30 services with `conflicts` conflicts: a fifth incompatible, the rest
    locks that disagree, spread so some involve many services."""
    from tests.conftest import write_tree

    services = [f"svc{i:02}" for i in range(30)]
    declared: dict[str, list[str]] = {s: [] for s in services}
    locks: dict[str, list[str]] = {s: [] for s in services}
    incompatible = conflicts // 5
    for index in range(conflicts):
        package = f"package-{index:03}"
        members = services[: 2 + (index * 7) % 28] if index % 9 == 0 else services[index % 28 :][:3]
        for position, service in enumerate(members):
            if index < incompatible:
                declared[service].append(f"{package}=={1 + (position == len(members) - 1)}.0")
            else:
                declared[service].append(package)
                locks[service].append(f"{package}==1.{position % 2}.0")
    files = {}
    for service in services:
        files[f"{service}/requirements.in"] = "\n".join(declared[service] or ["six"]) + "\n"
        if locks[service]:
            header = "# This file was autogenerated by uv via the following command:\n#    uv pip compile\n"
            body = "".join(f"{pin}\n    # via -r requirements.in\n" for pin in locks[service])
            files[f"{service}/requirements.txt"] = header + body
    return write_tree(root, files)


def markdown_of(path: Path, root: str) -> str:
    from depcheck.cli.verdict import decided
    from depcheck.pipeline import ScanOptions, scan
    from depcheck.report.markdown import MarkdownFormatter
    from depcheck.topology.environment import interpreter_environment

    report = decided(scan(ScanOptions(root=path, interpreter=interpreter_environment())))
    return MarkdownFormatter().format(replace(report, root=root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "render")
    parser.add_argument("--height", type=int, default=1400, help="screenshot height in pixels")
    args = parser.parse_args(argv)
    browser, mermaid = chromium(), mermaid_js()
    if browser is None or mermaid is None:
        print("needs chromium and mermaid.min.js (see the module docstring)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="depcheck-render-") as temp:
        pages = {
            "demo": markdown_of(ROOT / "fixtures" / "demo", "fixtures/demo"),
            "synthetic-100": markdown_of(synthetic_repository(Path(temp) / "repo"), "."),
        }
    for name, markdown in pages.items():
        (args.out / f"{name}.md").write_text(markdown, encoding="utf-8")
        page = args.out / f"{name}.html"
        page.write_text(to_html(markdown, mermaid), encoding="utf-8")
        problems = mermaid_problems(dom(browser, page))
        screenshot(browser, page, args.out / f"{name}.png", args.height)
        # the same page with every <details> open, to look at what a reviewer expands
        opened = args.out / f"{name}-open.html"
        opened.write_text(
            page.read_text(encoding="utf-8").replace("<details>", "<details open>"),
            encoding="utf-8",
        )
        screenshot(browser, opened, args.out / f"{name}-open.png", args.height)
        print(f"{name}: {len(markdown):,} characters, {', '.join(problems) or 'diagrams drawn'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
