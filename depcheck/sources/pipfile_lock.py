"""Pipfile.lock: the JSON lock pipenv writes next to a Pipfile.

The format (pipfile-spec 6):

    {
      "_meta": {"requires": {"python_version": "3.8", "python_full_version": "3.8.10"},
                "sources": [...], "hash": {...}, "pipfile-spec": 6},
      "default": {"<name>": {"version": "==1.0", "hashes": [...], "markers": "...",
                             "index": "pypi", "extras": [...]},
                  "<name>": {"git": "https://...", "ref": "<commit>", "editable": true},
                  "<name>": {"path": "./lib", "editable": true}, "<name>": {"file": "https://..."}},
      "develop": { ...same shape... }
    }

Decisions:

- Every entry of `default` is a pin (`==version`, its `markers`); `develop` only with
  `include_dev` (an entry in both sections is read once, from `default`). Git, path and file
  entries carry no version: they are recorded by their URL with an empty specifier. The
  project itself (`{"path": ".", "editable": true}`) is not a pin.
- The lock records no edges between packages, so there is no `via` from it. Which entries are
  direct comes from the sibling `Pipfile` (`[packages]`, and `[dev-packages]` with
  include_dev); without one, every entry counts as direct (nothing says otherwise).
- requires-python is `==X.Y.Z` from `python_full_version`, else `==X.Y.*` from `python_version`.
- `json` gives no positions, so a small scanner finds the line of each `"<name>": {` inside its
  section; a document `json` rejects is one error at the line `JSONDecodeError` names.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Diagnostic, Location, Requirement, Role, Severity, SourceFile
from depcheck.sources.interface import ReadOptions, Source, read_text
from depcheck.sources.lockfiles import Diagnostics, parse_marker, read_sibling

FORMAT = "Pipfile.lock"
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_VCS = ("git", "hg", "svn", "bzr")
_SECTIONS = ("default", "develop")


class PipfileLockSource(Source):
    """Reads a `Pipfile.lock` (and the package names in the sibling `Pipfile`)."""

    format = FORMAT

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        text, decode_diagnostics = read_text(options.root, path)
        diagnostics = Diagnostics(path, list(decode_diagnostics))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            diagnostics.items.append(
                Diagnostic(
                    Severity.ERROR,
                    Location(path, exc.lineno, exc.colno),
                    f"invalid JSON: {exc.msg}",
                )
            )
            return SourceFile(
                path=path, format=FORMAT, role=Role.LOCKED, diagnostics=tuple(diagnostics.items)
            )
        if not isinstance(data, dict):
            diagnostics.error(1, "a Pipfile.lock should hold a JSON object")
            return SourceFile(
                path=path, format=FORMAT, role=Role.LOCKED, diagnostics=tuple(diagnostics.items)
            )
        lines = key_lines(text)
        sections = ("default", "develop") if options.include_dev else ("default",)
        direct = _pipfile_names(options, path, sections)
        requirements: list[Requirement] = []
        seen: set[str] = set()
        for section in sections:
            entries = data.get(section, {})
            if not isinstance(entries, dict):
                diagnostics.error(lines.get((section,)), f"{section!r} should be a JSON object")
                continue
            for name, entry in entries.items():
                line = lines.get((section, name))
                requirement = _entry(path, name, entry, line, diagnostics, direct)
                if requirement is not None and requirement.name not in seen:
                    seen.add(requirement.name)
                    requirements.append(requirement)
        return SourceFile(
            path=path,
            format=FORMAT,
            role=Role.LOCKED,
            requirements=tuple(requirements),
            diagnostics=tuple(diagnostics.items),
            requires_python=_requires_python(data.get("_meta"), lines, diagnostics),
        )


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of every object key, by its path of keys (`("default", "requests")`).

    Only meaningful for text `json` accepted: a string followed by `:` is a key, `{` / `[` open
    a level under the last key seen (arrays are entered, their items are not named).
    """
    result: dict[tuple[str, ...], int] = {}
    stack: list[str | None] = []  # the key each open object or array was entered under
    last_key: str | None = None
    line, position = 1, 0
    for match in _TOKEN_RE.finditer(text):
        token, start = match.group(0), match.start()
        line += text.count("\n", position, start)
        position = start
        if token.startswith('"'):
            after = match.end()
            while after < len(text) and text[after] in " \t\r\n":
                after += 1
            if after < len(text) and text[after] == ":":
                last_key = json.loads(token)
                path = tuple(key for key in stack if key is not None)
                result.setdefault((*path, last_key), line)
        elif token in "{[":
            stack.append(last_key)
            last_key = None
        elif token in "}],":
            if token != "," and stack:
                stack.pop()
            last_key = None
    return result


def _pipfile_names(options: ReadOptions, path: str, sections: tuple[str, ...]) -> set[str] | None:
    """Canonical names the sibling Pipfile asks for, or None when there is no readable one."""
    text = read_sibling(options, path, "Pipfile")
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    tables = ["packages"] + (["dev-packages"] if "develop" in sections else [])
    names: set[str] = set()
    for table in tables:
        value = data.get(table, {})
        if isinstance(value, dict):
            names |= {canonicalize_name(name) for name in value}
    return names


def _entry(
    path: str,
    name: str,
    entry: Any,
    line: int | None,
    diagnostics: Diagnostics,
    direct: set[str] | None,
) -> Requirement | None:
    if not isinstance(entry, dict):
        diagnostics.error(line, f"entry {name!r} should be a JSON object")
        return None
    canonical = canonicalize_name(name)
    editable = entry.get("editable") is True
    url = _url(entry)
    local = entry.get("path")
    if isinstance(local, str) and local.rstrip("/") in (".", "") and editable:
        return None  # `-e .`: the project itself
    marker = parse_marker(entry.get("markers"), line, diagnostics)
    version = entry.get("version")
    specifier = SpecifierSet()
    if isinstance(version, str) and version.strip() not in ("", "*"):
        try:
            specifier = SpecifierSet(version)
        except InvalidSpecifier:
            diagnostics.error(line, f"{name!r}: invalid version {version!r}")
            return None
    elif version is not None and not isinstance(version, str):
        diagnostics.error(line, f"{name!r}: version should be a string")
        return None
    elif url is None:
        diagnostics.error(line, f"{name!r} has neither a version nor a git/path/file source")
        return None
    text = f"{name}{specifier}" if str(specifier) else f"{name} @ {url}"
    return Requirement(
        name=canonical,
        display_name=name,
        specifier=specifier,
        marker=marker,
        extras=frozenset(),
        text=text,
        location=Location(path, line),
        role=Role.LOCKED,
        direct=direct is None or canonical in direct,
        url=url,
        editable=editable,
    )


def _url(entry: dict[str, Any]) -> str | None:
    for vcs in _VCS:
        value = entry.get(vcs)
        if isinstance(value, str):
            reference = entry.get("ref")
            url = value if value.startswith(f"{vcs}+") else f"{vcs}+{value}"
            url += f"@{reference}" if isinstance(reference, str) else ""
            subdirectory = entry.get("subdirectory")
            if isinstance(subdirectory, str):
                url += f"#subdirectory={subdirectory}"
            return url
    for key in ("path", "file"):
        value = entry.get(key)
        if isinstance(value, str):
            return value
    return None


def _requires_python(
    meta: object, lines: dict[tuple[str, ...], int], diagnostics: Diagnostics
) -> SpecifierSet | None:
    if not isinstance(meta, dict):
        return None
    requires = meta.get("requires", {})
    if not isinstance(requires, dict):
        return None
    for key, template in (("python_full_version", "=={}"), ("python_version", "=={}.*")):
        value = requires.get(key)
        if isinstance(value, str) and value.strip():
            try:
                return SpecifierSet(template.format(value.strip()))
            except InvalidSpecifier:
                diagnostics.warn(
                    lines.get(("_meta", "requires", key)), f"invalid {key} {value!r} ignored"
                )
    return None
