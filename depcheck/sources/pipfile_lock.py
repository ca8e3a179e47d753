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
  include_dev), which service assembly reads with the Pipfile source (`ReadOptions.project`);
  without one, every entry counts as direct (nothing says otherwise).
- requires-python is `==X.Y.Z` from `python_full_version`, else `==X.Y.*` from `python_version`.
- `json` gives no positions, so a small scanner finds the line of each `"<name>": {` inside its
  section; a document `json` rejects is one error at the line `JSONDecodeError` names.
"""

from __future__ import annotations

import json
import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.fs import read_text
from depcheck.model import Diagnostic, Location, Requirement, Role, Severity, SourceFile
from depcheck.sources.declared import long_number_error, nesting_error, vcs_url
from depcheck.sources.interface import ReadOptions, Source, drop_unusable_versions
from depcheck.sources.lockfiles import (
    Diagnostics,
    locked_requirement,
    parse_marker,
)

FORMAT = "Pipfile.lock"
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
# json's messages end in words a position should follow ("Unterminated string starting at")
_VCS = ("git", "hg", "svn", "bzr")
_SECTIONS = ("default", "develop")


class PipfileLockSource(Source):
    """Reads a `Pipfile.lock`; the sibling `Pipfile`'s names come in `ReadOptions.project`."""

    format = FORMAT
    companion = "Pipfile"

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        text, decode_diagnostics = read_text(
            options.root, path, allow_outside_root=options.allow_outside_root
        )
        diagnostics = Diagnostics(path, list(decode_diagnostics))
        data, error = load_json(text, path)
        if error is not None:
            diagnostics.items.append(error)
            return SourceFile(
                path=path, format=FORMAT, role=Role.LOCKED, diagnostics=tuple(diagnostics.items)
            )
        if not isinstance(data, dict):
            diagnostics.error(1, "a Pipfile.lock should hold a JSON object")
            return SourceFile(
                path=path, format=FORMAT, role=Role.LOCKED, diagnostics=tuple(diagnostics.items)
            )
        lines = key_lines(text)
        develop = options.wants_group("dev", default=False)
        sections = ("default", "develop") if develop else ("default",)
        direct = _pipfile_names(options, sections)
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
        requires_python, requires_python_line = _requires_python(
            data.get("_meta"), lines, diagnostics
        )
        return drop_unusable_versions(
            SourceFile(
                path=path,
                format=FORMAT,
                role=Role.LOCKED,
                requirements=tuple(requirements),
                diagnostics=tuple(diagnostics.items),
                requires_python=requires_python,
                requires_python_line=requires_python_line,
            )
        )


def load_json(text: str, path: str) -> tuple[Any, Diagnostic | None]:
    """The parsed document, or None and an error at the line and column `json` names.

    A document that stops short (a lock cut off in transfer) says so.
    """
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        message = exc.msg
        for words in (" starting at", " at"):
            if message.endswith(words):
                message = message.removesuffix(words).rstrip()
                break
        if exc.pos >= len(text.rstrip()) or message == "Unterminated string":
            message += " (the document ends early: is the file truncated?)"
        location = Location(path, exc.lineno, exc.colno)
        return None, Diagnostic(Severity.ERROR, location, f"invalid JSON: {message}")
    except RecursionError:  # json recurses once per nesting level
        return None, nesting_error(path, text, "JSON")
    except ValueError:  # a number past Python's digit limit (JSONDecodeError is caught above)
        return None, long_number_error(path, text, "JSON")


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


def _pipfile_names(options: ReadOptions, sections: tuple[str, ...]) -> set[str] | None:
    """Canonical names the sibling Pipfile asks for (`options.project`), or None without one."""
    declared = options.project
    if declared is None:
        return None
    develop = "develop" in sections
    return {canonicalize_name(d.name) for d in declared.direct if develop or not d.dev}


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
    return locked_requirement(
        path,
        name,
        specifier,
        line=line,
        marker=marker,
        direct=direct is None or canonical in direct,
        url=url,
        editable=editable,
    )


def _url(entry: dict[str, Any]) -> str | None:
    for vcs in _VCS:
        value = entry.get(vcs)
        if isinstance(value, str):
            return vcs_url(vcs, value, entry.get("ref"), entry.get("subdirectory"))
    for key in ("path", "file"):
        value = entry.get(key)
        if isinstance(value, str):
            return value
    return None


def _requires_python(
    meta: object, lines: dict[tuple[str, ...], int], diagnostics: Diagnostics
) -> tuple[SpecifierSet | None, int | None]:
    """`_meta.requires` as the Python requirement, and the line it is written on."""
    if not isinstance(meta, dict):
        return None, None
    requires = meta.get("requires", {})
    if not isinstance(requires, dict):
        return None, None
    for key, template in (("python_full_version", "=={}"), ("python_version", "=={}.*")):
        value = requires.get(key)
        line = lines.get(("_meta", "requires", key))
        if isinstance(value, str) and value.strip():
            try:
                return SpecifierSet(template.format(value.strip())), line
            except InvalidSpecifier:
                diagnostics.warn(line, f"invalid {key} {value!r} ignored")
    return None, None
