"""`depcheck plan` as text: each host, its split or "keep as is", and what each group installs."""

from __future__ import annotations

from depcheck.report.plan import render_plan_text
from tests.conftest import FIXTURES
from tests.report.conftest import CLASH, ScanTree, scan_path


def test_the_demo_plan_splits_one_host_and_keeps_the_other() -> None:
    text = render_plan_text(scan_path(FIXTURES / "demo", root="fixtures/demo"))
    lines = text.splitlines()
    assert lines[0].startswith("depcheck ") and lines[0].endswith(" plan · fixtures/demo")
    batch = text.index("host batch")
    web = text.index("host web")
    assert "✓ keep as is: no conflicts" in text[batch:web]
    assert "split this host into 2:" in text[web:]
    assert "installs services/api/requirements.txt, services/auth/requirements.txt" in text
    assert "or move out just: billing" in text
    assert "because no single version fits: requests (api, auth, billing)" in text
    assert lines[-1].startswith("2 hosts · 1 to split") and lines[-1].endswith("exit 1")


def test_a_host_without_incompatibilities_needs_no_split(scan_tree: ScanTree) -> None:
    calm = {k: v for k, v in CLASH.items() if not k.startswith("worker/")}
    calm["worker/requirements.in"] = "requests==2.31.0\n"
    text = render_plan_text(scan_tree(calm, root="repo"))
    assert "split this host" not in text
    assert "keep as is" in text
