"""Output of `depcheck why`: a tree per service in the terminal, or a JSON document.

Each comes as chunks too (`why_text_chunks`, `why_json_chunks`), one per service, so the CLI
writes a large answer as it is rendered instead of holding it whole.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from depcheck import __version__
from depcheck.model import Explanation, PathStep, ServicePaths
from depcheck.report.interface import RenderOptions
from depcheck.report.jsontext import Written, indented
from depcheck.report.jsontext import string as _string
from depcheck.report.sanitize import clean, redact

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

#: a label's pieces, each with its style in colour (None: plain)
Parts = list[tuple[str, str | None]]


def _step_parts(step: PathStep) -> Parts:
    """A step's label in pieces, each made safe (`clean`)."""
    parts: Parts = [(step.package, "bold")]
    if step.specifier:
        parts.append((" " + step.specifier, None))
    if step.version:
        state = "resolved" if step.resolved else "locked"
        parts.append((f"  [{state} {step.version}]", "cyan"))
    if step.markers:
        parts.append(("  ; " + " or ".join(step.markers), "yellow"))
    if step.locations:
        where = ", ".join(
            f"{loc.path}:{loc.line}" if loc.line else loc.path for loc in step.locations
        )
        parts.append(("  " + where, "dim"))
    elif step.resolved:
        parts.append(("  (index metadata)", "dim"))
    # Cleaning a piece is cleaning its value: the words around the values hold no control
    # character, and no `##[` can form across them. Most labels are printable ASCII without
    # `##[`, which one test of the whole label tells.
    label = "".join(piece for piece, _ in parts)
    if label.isascii() and label.isprintable() and "##[" not in label:
        return parts
    return [(clean(piece), style) for piece, style in parts]


@dataclass(slots=True)
class _Node:
    parts: Parts
    #: by package, in the order the paths reach them
    children: dict[str, _Node] = field(default_factory=dict)


def _tree(entry: ServicePaths) -> _Node:
    """A service's paths as one trie, so each edge appears once: paths share prefixes
    (api → boto3 → botocore, api → boto3 → s3transfer → botocore)."""
    hosts = ", ".join(entry.hosts) or "no host"
    root = _Node([(f"{clean(entry.service)}  (host {clean(hosts)})", "bold cyan")])
    # a step under several parents (a package each of them requires) is one object: its
    # label is made once, and its nodes share it (`_plain_tree` wraps it once a depth)
    labels: dict[int, Parts] = {}
    for path in entry.paths:
        node = root
        for step in path:
            below = node.children
            child = below.get(step.package)
            if child is None:
                parts = labels.get(id(step))
                if parts is None:
                    parts = labels[id(step)] = _step_parts(step)
                child = below[step.package] = _Node(parts)
            node = child
    if entry.truncated:  # (no package is named "")
        root.children[""] = _Node([(f"… more paths (first {len(entry.paths)} shown)", None)])
    return root


def render_why_text(explanation: Explanation, options: RenderOptions) -> str:
    return "".join(why_text_chunks(explanation, options))


def why_text_chunks(explanation: Explanation, options: RenderOptions) -> Iterator[str]:
    """`render_why_text`'s document, a chunk of whole lines per service.

    In colour rich draws the trees. Without, they are drawn here, line for line as rich draws
    them (its tree guides, its word wrapping and folding, which a test compares on generated
    labels): rich takes about 100 µs a line, a large answer has 50,000. A tree with a label
    rich would measure differently (a tab, a character outside ASCII but `…`) goes to rich.
    """
    width = max(options.width, 40)
    rich = _Rich(width, options.color)
    lines: list[str] = []

    def say(text: str) -> None:
        text = _unbroken(text)
        wrapped = None if options.color else _wrap(text, width)
        lines.extend(rich.text([(text, None)]) if wrapped is None else wrapped)

    def taken() -> str:
        text = "".join(line.rstrip(" ") + "\n" for line in lines)
        lines.clear()
        return text

    if not explanation.services:
        say(f"no service in {clean(explanation.root)} depends on {clean(explanation.package)}")
    for entry in explanation.services:
        tree = _tree(entry)
        drawn = None if options.color else _plain_tree(tree, width)
        lines.extend(rich.tree(tree) if drawn is None else drawn)
        yield taken()
    for diagnostic in explanation.diagnostics:
        say(f"{diagnostic.severity.value}: {clean(str(diagnostic))}")
    count = len(explanation.services)
    if count:
        verb = "service depends" if count == 1 else "services depend"
        say(f"{count} {verb} on {clean(explanation.package)}")
    yield taken()


class _Rich:
    """rich's console, made on first use (a plain answer needs none)."""

    def __init__(self, width: int, color: bool) -> None:
        self._width = width
        self._color = color
        self._console: Console | None = None

    def _print(self, renderable: object) -> list[str]:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=io.StringIO(),
                width=self._width,
                force_terminal=self._color,
                no_color=not self._color,
                color_system="standard" if self._color else None,
                highlight=False,
                emoji=False,
                markup=False,
            )
        with self._console.capture() as capture:
            self._console.print(renderable)
        return capture.get().split("\n")[:-1]

    def text(self, parts: Parts) -> list[str]:
        return self._print(_text(parts))

    def tree(self, root: _Node) -> list[str]:
        from rich.tree import Tree

        def add(into: Tree, node: _Node) -> None:
            for child in node.children.values():
                add(into.add(_text(child.parts)), child)

        tree = Tree(_text(root.parts))
        add(tree, root)
        return self._print(tree)


def _text(parts: Parts) -> Text:
    """The label in rich's terms: the first piece's style is the whole label's (bold names
    the package, and the rest of its line is bold too), each other piece's its own."""
    from rich.text import Text

    (first, style), *rest = parts
    text = Text(_unbroken(first), style=style or "")
    for piece, own in rest:
        text.append(_unbroken(piece), style=own)
    return text


# rich's tree guides: the space under a last child, the line past a child, a child, the last
_SPACE, _CONTINUE, _FORK, _END = "    ", "│   ", "├── ", "└── "
_WORD_RE = re.compile(r"\s*\S+\s*")
_BLANKS_RE = re.compile(" *")


def _plain_tree(root: _Node, width: int) -> list[str] | None:
    """The tree as rich draws it without colour, or None where rich must draw it."""
    lines: list[str] = []
    # nodes sharing a label (`_tree`) at the same depth wrap it the same way
    made: dict[tuple[int, int], list[str] | None] = {}
    stack = [(root, "", "", "", 0)]
    while stack:
        node, guides, first, rest, depth = stack.pop()
        slot = (id(node.parts), depth)
        wrapped = made.get(slot, _UNMADE)
        if wrapped is _UNMADE:
            text = "".join(piece for piece, _ in node.parts)
            if len(text) > width - 4 * depth:  # broken over lines (see `_unbroken`)
                text = _unbroken(text)
            wrapped = made[slot] = _wrap(text, width - 4 * depth)
        if wrapped is None:
            return None
        lines.append(guides + first + wrapped[0])
        below = guides + rest
        if len(wrapped) > 1:
            lines.extend([below + line for line in wrapped[1:]])
        if node.children:  # pushed last first: drawn in order
            children = list(node.children.values())
            depth += 1
            stack.append((children[-1], below, _END, _SPACE, depth))
            stack.extend((child, below, _FORK, _CONTINUE, depth) for child in children[-2::-1])
    return lines


_UNMADE: list[str] = []


def _unbroken(text: str) -> str:
    """`text`, redacted before it is broken over lines: the document's redaction reads a line
    at a time, and a credential folded in two, or split between its words with the tree's
    guides before the second line, would leave a piece of it to be read."""
    return redact(text)


def _wrap(text: str, width: int) -> list[str] | None:
    """`text` in lines of at most `width` cells as rich's `Text.wrap` breaks it (at words, a
    word longer than a line folded), or None for a text whose cells rich counts otherwise."""
    if width < 8 or "\t" in text or not text.replace("…", ".").isascii():
        return None
    if len(text) <= width:  # every word fits: no break
        return [text]
    if not text.isprintable() or text[0] == " ":
        return _wrap_words(text, width)
    # blanks are the only spaces: a line ends before the word that crosses its last cell
    # (`_wrap_words`' breaks, found by searching for blanks instead of walking every word)
    lines: list[str] = []
    start, size = 0, len(text)
    while size - start > width:
        end = start + width  # the first cell past the line
        if text[end] == " ":  # every word so far fits: the next one starts the next line
            blanks = _BLANKS_RE.match(text, end)  # (always matches, maybe nothing)
            following = blanks.end() if blanks else end
            if following == size:  # only blanks follow
                break
            lines.append(text[start:following][:width])
            start = following
            continue
        word = text.rfind(" ", start, end) + 1
        after = text.find(" ", end)
        if word <= start or (size if after < 0 else after) - word > width:
            return _wrap_words(text, width)  # a word longer than a line: folded
        lines.append(text[start:word][:width])
        start = word
    lines.append(text[start:][:width])
    return lines


def _wrap_words(text: str, width: int) -> list[str]:
    """`_wrap`, a word at a time: any spaces, and words longer than a line folded."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD_RE.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # folded, a line at a time
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for index, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if index == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(text)]
    return [text[a:b][:width] for a, b in itertools.pairwise(bounds)]


def _step_json(step: PathStep) -> dict[str, Any]:
    return {
        "package": step.package,
        "version": step.version,
        "specifier": step.specifier,
        "markers": list(step.markers),
        "resolved": step.resolved,
        "locations": [{"source": loc.path, "line": loc.line} for loc in step.locations],
    }


def _step_written(step: PathStep, indent: str) -> str:
    """`indented(_step_json(step), ...)` at `indent`, written field by field: the steps are
    most of a large answer, and the general writer calls itself for every value."""
    inner = indent + "  "
    deeper = inner + "  "
    markers = "[]"
    if step.markers:
        listed = ",\n".join(deeper + _string(marker) for marker in step.markers)
        markers = f"[\n{listed}\n{inner}]"
    places = "[]"
    if step.locations:
        inmost = deeper + "  "
        listed = ",\n".join(
            f'{deeper}{{\n{inmost}"source": {_string(loc.path)},\n'
            f'{inmost}"line": {"null" if loc.line is None else loc.line}\n{deeper}}}'
            for loc in step.locations
        )
        places = f"[\n{listed}\n{inner}]"
    version = "null" if step.version is None else _string(step.version)
    return (
        f'{{\n{inner}"package": {_string(step.package)},\n{inner}"version": {version},\n'
        f'{inner}"specifier": {_string(step.specifier)},\n{inner}"markers": {markers},\n'
        f'{inner}"resolved": {"true" if step.resolved else "false"},\n'
        f'{inner}"locations": {places}\n{indent}}}'
    )


def render_why_json(explanation: Explanation) -> str:
    return "".join(why_json_chunks(explanation))


def why_json_chunks(explanation: Explanation) -> Iterator[str]:
    """The JSON document (`json.dumps(indent=2)` of it, byte for byte), a chunk per service."""
    head = {
        "schema_version": 1,
        "tool": {"name": "depcheck", "version": __version__},
        "root": explanation.root,
        "package": explanation.package,
    }
    yield "{\n" + "".join(f"  {json.dumps(k)}: {indented(v, 1)},\n" for k, v in head.items())
    services = explanation.services
    yield '  "services": [' + ("\n" if services else "],\n")
    for index, entry in enumerate(services):
        # a step shared by several paths (their first edges) is written once; steps stand
        # five levels down: document, services, service, paths, path
        written: dict[int, Written] = {}
        for step in (step for path in entry.paths for step in path):
            if id(step) not in written:
                written[id(step)] = Written(_step_written(step, "  " * 5))
        item = {
            "service": entry.service,
            "hosts": list(entry.hosts),
            "truncated": entry.truncated,
            "paths": [[written[id(step)] for step in path] for path in entry.paths],
        }
        last = index == len(services) - 1
        yield "    " + indented(item, 2) + ("\n  ],\n" if last else ",\n")
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
    yield f'  "diagnostics": {indented(diagnostics, 1)}\n}}\n'
