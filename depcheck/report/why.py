"""Output of `depcheck why`: a tree per service in the terminal, or a JSON document.

Each comes as chunks too (`why_text_chunks`, `why_json_chunks`), one per service, so the CLI
writes a large answer as it is rendered instead of holding it whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from depcheck import __version__
from depcheck.model import Explanation, PathStep
from depcheck.report.interface import RenderOptions
from depcheck.report.sanitize import clean


def _step_label(step: PathStep) -> Text:
    label = Text(clean(step.package), style="bold")
    if step.specifier:
        label.append(f" {clean(step.specifier)}")
    if step.version:
        state = "resolved" if step.resolved else "locked"
        label.append(f"  [{state} {clean(step.version)}]", style="cyan")
    if step.markers:
        label.append(f"  ; {clean(' or '.join(step.markers))}", style="yellow")
    if step.locations:
        where = ", ".join(
            f"{loc.path}:{loc.line}" if loc.line else loc.path for loc in step.locations
        )
        label.append(f"  {clean(where)}", style="dim")
    elif step.resolved:
        label.append("  (index metadata)", style="dim")
    return label


def render_why_text(explanation: Explanation, options: RenderOptions) -> str:
    return "".join(why_text_chunks(explanation, options))


def why_text_chunks(explanation: Explanation, options: RenderOptions) -> Iterator[str]:
    """`render_why_text`'s document, a chunk of whole lines per service."""
    buffer = io.StringIO()

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return "\n".join(line.rstrip(" ") for line in text.split("\n"))

    console = Console(
        file=buffer,
        width=max(options.width, 40),
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if not explanation.services:
        console.print(
            Text(f"no service in {clean(explanation.root)} depends on {clean(explanation.package)}")
        )
    for entry in explanation.services:
        hosts = ", ".join(entry.hosts) or "no host"
        tree = Tree(Text(f"{clean(entry.service)}  (host {clean(hosts)})", style="bold cyan"))
        # paths share prefixes (api → boto3 → botocore, api → boto3 → s3transfer → botocore):
        # draw them as one trie so each edge appears once
        children: dict[tuple[int, str], Tree] = {}
        for path in entry.paths:
            node, key = tree, 0
            for step in path:
                slot = (key, step.package)
                if slot not in children:
                    children[slot] = node.add(_step_label(step))
                node = children[slot]
                key = id(node)
        if entry.truncated:
            tree.add(Text(f"… more paths (first {len(entry.paths)} shown)"))
        console.print(tree)
        yield taken()
    for diagnostic in explanation.diagnostics:
        console.print(Text(f"{diagnostic.severity.value}: {clean(str(diagnostic))}"))
    count = len(explanation.services)
    if count:
        verb = "service depends" if count == 1 else "services depend"
        console.print(Text(f"{count} {verb} on {clean(explanation.package)}"))
    yield taken()


def _step_json(step: PathStep) -> dict[str, Any]:
    return {
        "package": step.package,
        "version": step.version,
        "specifier": step.specifier,
        "markers": list(step.markers),
        "resolved": step.resolved,
        "locations": [{"source": loc.path, "line": loc.line} for loc in step.locations],
    }


def render_why_json(explanation: Explanation) -> str:
    return "".join(why_json_chunks(explanation))


def _indented(value: Any, level: int) -> str:
    """`value` as `json.dumps(indent=2)` writes it `level` levels down."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def why_json_chunks(explanation: Explanation) -> Iterator[str]:
    """The JSON document (`json.dumps(indent=2)` of it, byte for byte), a chunk per service."""
    head = {
        "schema_version": 1,
        "tool": {"name": "depcheck", "version": __version__},
        "root": explanation.root,
        "package": explanation.package,
    }
    yield "{\n" + "".join(f"  {json.dumps(k)}: {_indented(v, 1)},\n" for k, v in head.items())
    services = explanation.services
    yield '  "services": [' + ("\n" if services else "],\n")
    for index, entry in enumerate(services):
        item = {
            "service": entry.service,
            "hosts": list(entry.hosts),
            "truncated": entry.truncated,
            "paths": [[_step_json(step) for step in path] for path in entry.paths],
        }
        last = index == len(services) - 1
        yield "    " + _indented(item, 2) + ("\n  ],\n" if last else ",\n")
    diagnostics = [
        {
            "severity": d.severity.value,
            "source": d.location.path,
            "line": d.location.line,
            "column": d.location.column,
            "message": d.message,
        }
        for d in explanation.diagnostics
    ]
    yield f'  "diagnostics": {_indented(diagnostics, 1)}\n}}\n'
