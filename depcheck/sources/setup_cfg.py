"""`setup.cfg`: setuptools' declarative `install_requires`, `extras_require` and `python_requires`.

The file is INI as `configparser` reads it (setuptools reads it the same way, interpolation off):
`[section]` headers, `key = value` (or `key: value`) lines, values continued on indented lines,
full-line comments starting with `#` or `;`. The parts depcheck reads, as setuptools does
(setuptools/config/setupcfg.py):

    [metadata]                name (so the project's own extras can be recognised)
    [options]                 install_requires   always
                              python_requires    -> SourceFile.requires_python
    [options.extras_require]  <extra> = ...      only when `options.extras` names it ("*": all)

A requirements value is one PEP 508 requirement per line when it spans lines (so a marker keeps
its `;`), and is split at `;` when it is written on one line (`install_requires = a; b`); lines
starting with `#` are dropped and ` #` starts a trailing comment. `file: a.txt, b.txt` reads
those files with the requirements-file source (they become this file's includes). Dash spellings
(`install-requires`) are accepted as setuptools still does. configparser gives no positions, so
line numbers come from a scan of the text that follows the same rules (`scan_layout`).
setuptools' own `read_configuration` is not used: it needs setuptools at scan time, applies
every other option too (and may fail on them), and reports no lines.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from depcheck.fs import read_text
from depcheck.model import Location, Requirement, SourceFile
from depcheck.sources.declared import (
    Collector,
    Entry,
    declared_file,
    expand_entries,
    parse_pep508,
    read_requirement_files,
    selected_extras,
)
from depcheck.sources.interface import ReadOptions, Source

_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]+)\]")
_OPTION_RE = re.compile(r"^(?P<key>[^=:\s][^=:]*?)\s*[=:]\s*(?P<value>.*)$")
_LONG_BLANKS_RE = re.compile(r"[^\S\n]{64,}")


@dataclass(slots=True)
class _OptionLines:
    """Where one option is written: its key's line and each physical line of its value."""

    line: int
    values: list[tuple[int, str]] = field(default_factory=list)

    def locate(self, text: str, start: int) -> tuple[int, int]:
        """The index (at or after `start`) and line of the value line holding `text`."""
        for index in range(start, len(self.values)):
            if text in self.values[index][1]:
                return index, self.values[index][0]
        return start, self.line


@dataclass(slots=True)
class Layout:
    """Where each section header and each option of an INI file is written."""

    sections: dict[str, int] = field(default_factory=dict)
    options: dict[tuple[str, str], _OptionLines] = field(default_factory=dict)


def scan_layout(text: str) -> Layout:
    """Section and option lines, following configparser's rules (keys lowercased)."""
    layout = Layout()
    section: str | None = None
    current: _OptionLines | None = None
    # configparser ends lines at "\n" only (not at form feeds or other line boundaries)
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        indented = raw[:1].isspace()
        if indented and current is not None:
            current.values.append((number, stripped))
            continue
        header = _SECTION_RE.match(stripped) if not indented else None
        if header:
            section = header.group("name").strip()
            layout.sections.setdefault(section, number)
            current = None
            continue
        option = _OPTION_RE.match(stripped)
        if option and section is not None:
            current = _OptionLines(number)
            if option.group("value").strip():
                current.values.append((number, option.group("value").strip()))
            layout.options.setdefault((section, option.group("key").strip().lower()), current)
        else:
            current = None
    return layout


def split_requirements(value: str) -> list[str]:
    """setuptools' `_parse_requirements_list`: lines, or `;`-separated items on one line."""
    chunks = value.splitlines() if "\n" in value else value.split(";")
    result = []
    for chunk in chunks:
        chunk = chunk.strip()
        if not chunk or chunk.startswith("#"):
            continue
        chunk = chunk.partition(" #")[0].strip()
        if chunk:
            result.append(chunk)
    return result


class SetupCfgSource(Source):
    """Reads the requirements a `setup.cfg` declares."""

    format = "setup.cfg"

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        text, decode_diagnostics = read_text(
            options.root, path, allow_outside_root=options.allow_outside_root
        )
        collector = Collector(list(decode_diagnostics))
        # configparser's option pattern (and ours) backtracks over a run of blanks at every
        # position in it: a long run costs its length squared. Within a line a run of blanks
        # means one, for keys and requirements alike, and line numbers do not change.
        text = _LONG_BLANKS_RE.sub(" ", text)
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text, source=path)
        except configparser.Error as exc:
            line = _error_line(exc)
            collector.error(Location(path, line), _error_message(exc, text, line))
            return declared_file(path, self.format, collector)
        reader = _Reader(path, options, scan_layout(text), collector)
        reader.read(parser)
        return declared_file(path, self.format, collector, reader)


def _error_line(exc: configparser.Error) -> int | None:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno
    if isinstance(exc, configparser.ParsingError) and getattr(exc, "errors", None):
        return int(exc.errors[0][0])
    line = getattr(exc, "lineno", None)
    return line if isinstance(line, int) else None


def _error_message(exc: configparser.Error, text: str, line: int | None) -> str:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return "not an INI file: a [section] header must come first"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"section [{exc.section}] is defined twice"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"option {exc.option!r} is defined twice in [{exc.section}]"
    physical = text.splitlines()
    if isinstance(exc, configparser.ParsingError) and line and line <= len(physical):
        return f"cannot parse line {physical[line - 1].strip()!r}"
    return str(exc).splitlines()[0]


@dataclass(slots=True)
class _Reader:
    path: str
    options: ReadOptions
    layout: Layout
    collector: Collector
    requirements: list[Requirement] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    requires_python: SpecifierSet | None = None
    requires_python_line: int | None = None

    def read(self, parser: configparser.ConfigParser) -> None:
        project: NormalizedName | None = None
        if parser.has_option("metadata", "name"):
            project = canonicalize_name(parser.get("metadata", "name").strip())
        runtime: list[Entry] = []
        if parser.has_section("options"):
            key = _option(parser, "options", "python_requires")
            if key is not None:
                self._requires_python(parser.get("options", key), key)
            key = _option(parser, "options", "install_requires")
            if key is not None:
                runtime = self._entries(parser.get("options", key), "options", key, project)
        extras: dict[NormalizedName, list[Entry]] = {}
        section = "options.extras_require"
        if parser.has_section(section):
            for extra in parser.options(section):
                value = parser.get(section, extra)
                extras[canonicalize_name(extra)] = self._entries(value, section, extra, project)
        chosen, unknown = selected_extras(self.options.extras, extras)
        if unknown and extras:
            self.collector.warn(
                self._location(section, None),
                f"extra {', '.join(repr(u) for u in unknown)} is not defined here "
                f"(defined: {', '.join(sorted(extras))})",
            )
        for extra in chosen:
            runtime.extend(extras[extra])
        self.requirements.extend(expand_entries(runtime, extras, self.collector))

    def _location(self, section: str, key: str | None, line: int | None = None) -> Location:
        if line is not None:
            return Location(self.path, line)
        where = self.layout.options.get((section, key)) if key is not None else None
        if where is not None:
            return Location(self.path, where.line)
        return Location(self.path, self.layout.sections.get(section))

    def _requires_python(self, value: str, key: str) -> None:
        location = self._location("options", key)
        try:
            self.requires_python = SpecifierSet(value.strip())
        except InvalidSpecifier:
            self.collector.error(location, f"invalid python_requires {value.strip()!r}")
            return
        self.requires_python_line = location.line

    def _entries(
        self, value: str, section: str, key: str, project: NormalizedName | None
    ) -> list[Entry]:
        where = self.layout.options.get((section, key))
        stripped = value.strip()
        if stripped.startswith("file:"):
            return self._from_files(stripped[5:], section, key)
        entries: list[Entry] = []
        cursor = 0
        for chunk in split_requirements(value):
            line = None
            if where is not None:
                cursor, line = where.locate(chunk, cursor)
            location = self._location(section, key, line)
            if "\n" not in value and ";" in value and _is_marker(chunk):
                self.collector.error(
                    location,
                    f"{chunk!r} is a marker, not a requirement: on one line setuptools splits "
                    f"{key} at ';' (put each requirement on its own line)",
                )
                continue
            entry = parse_pep508(chunk, location, self.collector, project=project)
            if entry is not None:
                entries.append(entry)
        return entries

    def _from_files(self, names: str, section: str, key: str) -> list[Entry]:
        """`file: a.txt, b.txt`: requirements files, read with the requirements source."""
        requirements, includes = read_requirement_files(
            self.path,
            [name.strip() for name in names.split(",") if name.strip()],
            self.options,
            self.collector,
            self._location(section, key),
        )
        self.includes.extend(includes)
        return list(requirements)


def declares_dependencies(text: str) -> bool:
    """Whether a setup.cfg states requirements (`install_requires`, `extras_require`,
    `python_requires`); one with only tool sections (`[flake8]`, `[tool:pytest]`) does not. A
    file configparser rejects might (reading it reports the error)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return True
    if parser.has_section("options.extras_require"):
        return True
    return parser.has_section("options") and any(
        _option(parser, "options", key) for key in ("install_requires", "python_requires")
    )


def _option(parser: configparser.ConfigParser, section: str, key: str) -> str | None:
    """The spelling of `key` the file uses: `install_requires` or the older `install-requires`."""
    for spelling in (key, key.replace("_", "-")):
        if parser.has_option(section, spelling):
            return spelling
    return None


def _is_marker(text: str) -> bool:
    """Whether `text` is an environment marker (which no PEP 508 requirement can be)."""
    try:
        Marker(text)
    except InvalidMarker:
        return False
    return True
