"""`--docs-url` (and `DEPCHECK_DOCS_URL`, the config's `docs-url`): the README the SARIF rules'
helpUri anchors point at, checked as a URL, never holding credentials; each anchor is a heading
of README.md as GitHub slugs it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_unattended import RunCli, run_cli  # noqa: F401 (a fixture)
from tests.conftest import FIXTURES, write_tree
from tests.report.test_sarif import _validator

README = FIXTURES.parent / "README.md"
BASE = "https://example.invalid/org/depcheck/blob/v1/README.md"


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown document: the heading's text
    lower-cased, every character but letters, digits, `_`, `-` and spaces dropped, spaces
    made `-`; a repeated slug gets `-1`, `-2`, ... Lines in code fences are no headings."""
    anchors: set[str] = set()
    fence = ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if marker:
            if not fence:
                fence = marker.group(1)[0] * 3
            elif stripped.startswith(fence):
                fence = ""
            continue
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fence or not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(1))  # a link's text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        unique, n = slug, 0
        while unique in anchors:
            n += 1
            unique = f"{slug}-{n}"
        anchors.add(unique)
    return anchors


def test_the_slugs_are_github_s() -> None:
    text = "# A `b` c\n## Messages, by family\n```\n# not a heading\n```\n## A b c\n### x_y (z)\n"
    assert github_anchors(text) == {"a-b-c", "messages-by-family", "a-b-c-1", "x_y-z"}


def _sarif(run_cli: RunCli, *args: str) -> dict[str, Any]:  # noqa: F811
    code, out, err = run_cli("scan", str(FIXTURES / "demo"), "--format", "sarif", *args)
    assert code == 1, err
    data: dict[str, Any] = json.loads(out)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, errors
    return data


def _help_uris(data: dict[str, Any]) -> dict[str, str]:
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    return {rule["id"]: rule.get("helpUri", "") for rule in rules}


def test_every_rule_links_to_a_section_of_the_readme(run_cli: RunCli) -> None:  # noqa: F811
    data = _sarif(run_cli, "--docs-url", BASE)
    anchors = github_anchors(README.read_text(encoding="utf-8"))
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == 6
    for rule in rules:
        base, _, anchor = rule["helpUri"].partition("#")
        assert base == BASE
        assert anchor in anchors, f"{rule['id']}: README.md has no heading #{anchor}"
        assert rule["help"]["markdown"].endswith(f"[depcheck's documentation]({rule['helpUri']})")
    assert data["runs"][0]["tool"]["driver"]["informationUri"].startswith("https://")


def test_the_option_wins_over_the_environment_and_the_config(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_tree(
        tmp_path,
        {
            "depcheck.toml": 'docs-url = "https://config.invalid/README.md"\n',
            "a/requirements.txt": "six==1.16.0\n",
            "b/requirements.txt": "six==1.15.0\n",
        },
    )

    def uris(*args: str) -> set[str]:
        code, out, _ = run_cli("scan", str(root), "--format", "sarif", *args)
        assert code == 1
        return {uri.partition("#")[0] for uri in _help_uris(json.loads(out)).values()}

    assert uris() == {"https://config.invalid/README.md"}
    monkeypatch.setenv("DEPCHECK_DOCS_URL", "https://env.invalid/README.md")
    assert uris() == {"https://env.invalid/README.md"}
    assert uris("--docs-url", BASE) == {BASE}
    # an empty variable is unset
    monkeypatch.setenv("DEPCHECK_DOCS_URL", "")
    assert uris() == {"https://config.invalid/README.md"}
    # the same in a pyproject.toml's [tool.depcheck]
    (root / "depcheck.toml").unlink()
    (root / "pyproject.toml").write_text(
        '[tool.depcheck]\ndocs-url = "http://pyproject.invalid/x/README.md"\n', encoding="utf-8"
    )
    assert uris() == {"http://pyproject.invalid/x/README.md"}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("README.md", "absolute http or https URL"),
        ("/srv/README.md", "absolute http or https URL"),
        ("ftp://example.invalid/README.md", "absolute http or https URL"),
        ("javascript:alert(1)", "absolute http or https URL"),
        ("https:///README.md", "absolute http or https URL"),
        ("https://example.invalid:port/README.md", "must be a URL"),
        ("https://example.invalid/README.md#usage", "#fragment"),
        ("https://example.invalid/a b/README.md", "percent-encoded"),
        ("https://example.invalid/README.md\n::error::x", "percent-encoded"),
        ("https://user:s3cret@example.invalid/README.md", "user or password"),
        ("https://s3cret@example.invalid/README.md", "user or password"),
    ],
)
def test_a_docs_url_that_is_no_http_url_is_a_usage_error(
    run_cli: RunCli,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    says: str,
) -> None:
    demo = str(FIXTURES / "demo")
    code, out, err = run_cli("scan", demo, "--format", "sarif", "--docs-url", url)
    assert (code, out) == (2, "")
    (error,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert error.startswith("error: --docs-url '") and says in error
    assert "s3cret" not in err and "Traceback" not in err
    assert not any(line.startswith("::") for line in err.splitlines())
    monkeypatch.setenv("DEPCHECK_DOCS_URL", url)
    code, _, err = run_cli("scan", demo, "--format", "sarif")
    (error,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and error.startswith("error: DEPCHECK_DOCS_URL='") and "s3cret" not in err
    monkeypatch.delenv("DEPCHECK_DOCS_URL")
    root = write_tree(
        tmp_path, {"depcheck.toml": f"docs-url = {json.dumps(url)}\n", "a/requirements.txt": ""}
    )
    code, _, err = run_cli("scan", str(root))
    assert code == 2 and "depcheck.toml:1" in err and "docs-url" in err and says in err
    assert "s3cret" not in err
