"""pip requirements files (`requirements*.txt`, `requirements*.in`) and pip-compile / uv output.

We parse these ourselves on top of `packaging.requirements` rather than use
`pip-requirements-parser` (what pip-audit uses). That library vendors a copy of pip's internals,
follows pip's behaviour of the day it was cut, and loses what we need most: the line and column of
every requirement, every include, and every error, and the comments pip-compile writes (`# via`),
which carry the transitive edges. pip's file grammar is small and stable, so we follow it here
(pip/_internal/req/req_file.py) and leave the PEP 508 grammar to `packaging`:

    file        = logical_line*
    logical     = physical lines joined where a line ends in "\\" (a comment line never joins)
    comment     = "#" preceded by start of line or whitespace, to end of line
    line        = requirement [options] | option+
    requirement = PEP 508 string | URL-or-path ["; " marker]
    options     = tokens from the first token starting with "-" (shell-split)

Global options (`--index-url`, `--find-links`, `--pre`, ...) are accepted and ignored;
`-r/--requirement` and `-c/--constraint` are followed (relative to the including file, cycles and
escapes from the scan root reported); `-e/--editable` and bare paths/URLs are recorded, not
resolved. A file is *locked* when pip-compile or uv wrote it (their header, or `# via` comments);
then `# via` names become package-to-package edges.

The parts: `lines` (logical lines and pip's options), `entries` (what one line names) and
`annotations` (pip-compile's and uv's headers and `# via`); this module follows includes and
turns each line into a record.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.errors import ReadError
from depcheck.fs import read_text
from depcheck.model import (
    Diagnostic,
    Location,
    OpaqueRequirement,
    Requirement,
    RequirementChain,
    RequirementRows,
    Role,
    Severity,
    SourceFile,
    ViaEdges,
    is_version,
    joined_requirements,
)
from depcheck.sources.interface import (
    ReadOptions,
    Source,
    drop_unusable_versions,
)
from depcheck.sources.requirements.annotations import (
    annotated_tool,
    compiled_for,
    head_lines,
    header_tool,
    lock_lines,
    origins_direct,
    via_annotations,
    via_parents,
)
from depcheck.sources.requirements.declared import declared_requirements
from depcheck.sources.requirements.entries import (
    ANY,
    URL_RE,
    looks_like_path_or_url,
    name_from_reference,
    parse_pep508,
    plain_requirement,
)
from depcheck.sources.requirements.lines import (
    PER_REQUIREMENT,
    OptionError,
    iter_logical_lines,
    parse_options,
    single_lines,
    split_args_options,
)
from depcheck.sources.requirements.lock import LockScan, scan_lock_cached


@dataclass(slots=True)
class _Parse:
    """State for one read: the root file and everything it includes."""

    options: ReadOptions
    root_path: str
    #: the requirements each file gave, in reading order (a fast path's `RequirementRows`)
    chunks: list[Sequence[Requirement]] = field(default_factory=list)
    #: each lock file's requirements beside their `# via` origins (`ViaEdges` makes the edges)
    via: list[tuple[Sequence[Requirement], Sequence[tuple[str, ...] | None]]] = field(
        default_factory=list
    )
    opaque: list[OpaqueRequirement] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    root_locked: bool = False
    root_tool: str | None = None

    @property
    def requirements(self) -> Sequence[Requirement]:
        """Every requirement read, in order."""
        return joined_requirements(self.chunks)

    def error(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, location, message))

    def warn(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, location, message))


class RequirementsFileSource(Source):
    """Reads a requirements file and everything it includes with `-r` / `-c`."""

    format = "requirements"

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        state = _Parse(options=options, root_path=path)
        text, decode_diagnostics = read_text(
            options.root, path, allow_outside_root=options.allow_outside_root
        )
        state.diagnostics.extend(decode_diagnostics)
        self._parse_text(state, path, text, stack=(path,), constraint=False)
        tool = state.root_tool
        return drop_unusable_versions(
            SourceFile(
                path=path,
                format=tool or self.format,
                role=Role.LOCKED if tool else Role.DECLARED,
                requirements=state.requirements,
                dependencies=ViaEdges(state.via, via_parents) if state.via else (),
                opaque=tuple(state.opaque),
                diagnostics=tuple(state.diagnostics),
                includes=tuple(state.includes),
                compiled_for=compiled_for(text) if tool else None,
            )
        )

    def _parse_text(
        self,
        state: _Parse,
        path: str,
        text: str,
        *,
        stack: tuple[str, ...],
        constraint: bool,
    ) -> None:
        # a header names the tool in the first lines: a lock the scan reads whole is never
        # split into lines here
        tool = header_tool(head_lines(text))
        physical = None
        if tool is None:
            physical = text.splitlines()
            tool = annotated_tool(physical, text)
        if len(stack) == 1:
            state.root_tool = tool
        role = Role.LOCKED if tool else Role.DECLARED
        logical: list[tuple[int, str, int | None]]
        if tool:
            entries = scan_lock_cached(text, None if physical is None else len(physical))
            if entries is not None:
                self._add_lock_entries(state, path, entries, role=role, constraint=constraint)
                return
        if physical is None:
            physical = text.splitlines()
        if tool and "\\" not in text:
            # a lock file with no continuation: logical lines and `# via` in one pass
            logical, via = lock_lines(physical)
        elif not tool and "\\" not in text:
            plain = declared_requirements(physical, path, role, constraint)
            if plain is not None:
                state.chunks.append(plain)
                return
            logical, via = single_lines(physical), {}
        else:
            logical = [(e.line, e.text, e.column) for e in iter_logical_lines(text)]
            via = via_annotations(physical) if tool else {}
        file_requirements: list[Requirement] = []
        direct_default = not constraint
        of = Requirement.of
        for number, text, column in logical:
            if not text:
                continue
            if text[0] != "-" and " -" not in text:
                # the common line, a plain PEP 508 requirement: straight from the parse cache
                parsed = plain_requirement(text)
                if parsed is not None:
                    origins = via.get(number) if via else None
                    direct = origins_direct(origins) if origins is not None else direct_default
                    file_requirements.append(
                        of(parsed, path, number, column, role, direct, constraint)
                    )
                    continue
            location = Location(path, number, column)
            args, option_text = split_args_options(text)
            options: list[tuple[str, str | None]] = []
            if option_text:
                try:
                    options = parse_options(option_text)
                except OptionError as exc:
                    state.error(location, str(exc))
                    continue
            if args:
                bad = [name for name, _ in options if name not in PER_REQUIREMENT]
                if bad:
                    state.error(location, f"option {bad[0]} cannot follow a requirement")
                    continue
                requirement = self._parse_requirement(
                    state,
                    args,
                    location,
                    role=role,
                    constraint=constraint,
                    editable=False,
                    origins=via.get(number),
                )
                if requirement is not None:
                    file_requirements.append(requirement)
                continue
            for name, value in options:
                if name in ("--requirement", "--constraint") and value is not None:
                    self._include(
                        state,
                        path,
                        value,
                        location,
                        stack=stack,
                        constraint=constraint or name == "--constraint",
                    )
                elif name == "--editable" and value is not None:
                    requirement = self._parse_requirement(
                        state,
                        value,
                        location,
                        role=role,
                        constraint=constraint,
                        editable=True,
                        origins=via.get(number),
                    )
                    if requirement is not None:
                        file_requirements.append(requirement)
                elif name in PER_REQUIREMENT:
                    state.error(location, f"option {name} must follow a requirement on its line")
        state.chunks.append(file_requirements)
        if tool and via:
            state.via.append((file_requirements, [via.get(r.line or 0) for r in file_requirements]))

    def _add_lock_entries(
        self,
        state: _Parse,
        path: str,
        entries: LockScan,
        *,
        role: Role,
        constraint: bool,
    ) -> None:
        """The requirements of a lock that `lock.scan_lock` read, kept as its columns (each
        `Requirement` is made when something reads it: `RequirementRows`), and their `# via`
        origins (the edges are made from them when something reads them: `ViaEdges`)."""
        default = not constraint
        direct = [default if d is None else d for d in entries.direct]
        if not entries.odd:
            rows = RequirementRows(
                entries.parsed, path, entries.lines, entries.columns, role, direct, constraint
            )
            state.chunks.append(rows)
            state.via.append((rows, entries.origins))
            return
        # references among the pins (`-e ./libs/common`): the pins between them stay columns,
        # each reference is parsed as the general reader parses its line; the `# via` edges
        # read the file as one part (each edge names its parent's pin in the same file)
        parts: list[Sequence[Requirement]] = []
        named: list[tuple[str, ...] | None] = []
        start = 0
        for index, text in (*entries.odd, (len(entries.parsed), "")):
            if index > start:
                cut = slice(start, index)
                parts.append(
                    RequirementRows(
                        entries.parsed[cut], path, entries.lines[cut], entries.columns[cut],
                        role, direct[cut], constraint,
                    )
                )  # fmt: skip
                named.extend(entries.origins[cut])
            if text:
                origins = entries.origins[index]
                location = Location(path, entries.lines[index], entries.columns[index])
                editable = text[0] == "-"  # `-e VALUE`, `--editable VALUE`
                requirement = self._parse_requirement(
                    state,
                    text.split(None, 1)[1] if editable else text,
                    location,
                    role=role,
                    constraint=constraint,
                    editable=editable,
                    origins=origins,
                )
                if requirement is not None:
                    parts.append([requirement])
                    named.append(origins)
            start = index + 1
        state.chunks.extend(parts)
        state.via.append((RequirementChain(parts), named))

    def _parse_requirement(
        self,
        state: _Parse,
        text: str,
        location: Location,
        *,
        role: Role,
        constraint: bool,
        editable: bool,
        origins: tuple[str, ...] | None,
    ) -> Requirement | None:
        text = text.strip()
        direct = not constraint
        if origins is not None and role is Role.LOCKED:
            direct = origins_direct(origins)
        if editable or looks_like_path_or_url(text):
            reference, _, marker_text = text.partition("; ")
            if ";" in reference and not URL_RE.match(reference):
                reference, _, marker_text = text.partition(";")
            marker = None
            if marker_text.strip():
                try:
                    marker = Marker(marker_text.strip())
                except InvalidMarker as exc:
                    state.error(location, f"invalid marker {marker_text.strip()!r}: {exc}")
                    return None
            name, version = name_from_reference(reference.strip())
            if name is None:
                state.opaque.append(OpaqueRequirement(text, location, editable=editable))
                return None
            return Requirement(
                name=canonicalize_name(name),
                display_name=name,
                specifier=SpecifierSet(f"=={version}") if version and is_version(version) else ANY,
                marker=marker,
                extras=frozenset(),
                text=text,
                location=location,
                role=role,
                direct=direct,
                url=reference.strip(),
                editable=editable,
                constraint_only=constraint,
            )
        parsed = parse_pep508(text)
        if isinstance(parsed, tuple):
            message, column = parsed
            if location.column is not None and column is not None:
                location = Location(location.path, location.line, location.column + column)
            state.error(location, message)
            return None
        # `editable` is False here: an editable requirement is a path or URL (above)
        return Requirement.of(
            parsed, location.path, location.line, location.column, role, direct, constraint
        )

    def _include(
        self,
        state: _Parse,
        including: str,
        target: str,
        location: Location,
        *,
        stack: tuple[str, ...],
        constraint: bool,
    ) -> None:
        if URL_RE.match(target):
            state.warn(
                location, f"remote include {target!r} is not fetched; its contents are unknown"
            )
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
        outside = joined.startswith("../") or joined == ".." or posixpath.isabs(joined)
        if outside and not state.options.allow_outside_root:
            state.error(
                location,
                f"include {target!r} leaves the scan root (use --allow-outside-root to follow it)",
            )
            return
        if joined in stack:
            cycle = " -> ".join([*stack[stack.index(joined) :], joined])
            state.error(location, f"include cycle: {cycle}")
            return
        try:
            text, decode_diagnostics = read_text(
                state.options.root, joined, allow_outside_root=state.options.allow_outside_root
            )
        except ReadError as exc:
            state.error(location, f"cannot include {target!r}: {joined} {exc.message}")
            return
        state.diagnostics.extend(decode_diagnostics)
        if joined not in state.includes:
            state.includes.append(joined)
        self._parse_text(state, joined, text, stack=(*stack, joined), constraint=constraint)
