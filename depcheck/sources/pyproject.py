"""`pyproject.toml`: PEP 621 project dependencies, PEP 735 dependency groups, Poetry and uv tables.

What counts as a service's requirement, table by table:

    [project]                       dependencies (PEP 508 strings): always;
                                    requires-python -> SourceFile.requires_python
    [project.optional-dependencies] an extra's strings when `options.extras` names it ("*": all)
    [dependency-groups]             PEP 735 groups (strings and {include-group = "..."}): dev only
    [tool.poetry.dependencies]      Poetry constraints: always (`python` -> requires_python;
                                    `optional = true` entries only through a selected
                                    [tool.poetry.extras] extra)
    [tool.poetry.group.*.dependencies], [tool.poetry.dev-dependencies]:           dev only
    [tool.uv] dev-dependencies      legacy uv dev list (PEP 508 strings):            dev only

"dev only" means: read when the install takes that group (`options.wants_group`: every group
with `--include-dev`; else what the deployment's install command selects, `poetry install
--with docs`, `uv sync --no-dev`, with each tool's defaults: Poetry's non-optional groups, uv's
`default-groups`, `dev` when unset). Every table is checked whether or not its requirements
count, so a broken dev group is still reported. A project naming itself
(`myproj[a]`) in its extras or groups pulls in extra `a` (see `declared.py`); it is not a
requirement on a package. Poetry constraints (`^1.2`, `~1.2`, `1.*`, `||`, ...) become PEP 440
specifier sets in `poetry_constraints.py`; a Poetry entry may be a string, a table
(`{version, extras, markers, python, platform, optional, path/git/url, develop}`) or an array of
tables, one requirement each (`python` and `platform` become markers). With Poetry 2 a file may
have both `[project] dependencies` and `[tool.poetry.dependencies]`; then a Poetry entry with no
version and no source (`tomli = {allow-prereleases = true}`) only annotates the PEP 621 entry and
is skipped, and a `python` there narrows `requires-python`. Dependencies that are `dynamic`
and come from files through `[tool.setuptools.dynamic]` (`dependencies = {file = [...]}`) are
read from those requirements files (they become this file's includes); other dynamic
dependencies are invisible here, which a warning says.

Other tables (`[build-system]`, `[tool.depcheck]`, linters' settings) are not dependencies and
are ignored, so a pyproject.toml with none of the tables above reads as empty. `tomllib` keeps no
positions; `TomlLocations` finds the line of every entry.

We read the tables ourselves rather than through `pyproject-metadata` or poetry-core: the former
stops at the first error and knows nothing of Poetry, uv or PEP 735, the latter is a build
backend with vendored dependencies, and neither says where an entry is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.markers import InvalidMarker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from depcheck.model import Location, Requirement, Role, is_version
from depcheck.sources.declared import (
    Collector,
    Entry,
    TomlDeclaredSource,
    TomlReader,
    and_markers,
    companion_data,
    describe_type,
    expand_entries,
    load_toml,
    parse_pep508,
    read_requirement_files,
    requirement_text,
    selected_extras,
    vcs_url,
)
from depcheck.sources.direct import pyproject_declaration
from depcheck.sources.interface import ProjectDeclaration, ReadOptions
from depcheck.sources.poetry_constraints import (
    PoetryConstraintError,
    convert_constraint,
    python_marker,
)
from depcheck.sources.toml_locations import KeyPath, TomlLocations, dotted
from depcheck.sources.uv_tables import default_groups, read_uv_conflicts

_POETRY_SOURCES = ("git", "path", "url")
_GIT_REFS = ("rev", "tag", "branch")


class PyprojectSource(TomlDeclaredSource):
    """Reads the dependency tables of a `pyproject.toml`."""

    format = "pyproject"

    def declaration(self, path: str, options: ReadOptions) -> ProjectDeclaration | None:
        data = companion_data(options, path)
        return None if data is None else pyproject_declaration(data)

    def reader(
        self, path: str, options: ReadOptions, locations: TomlLocations, collector: Collector
    ) -> TomlReader:
        return _Reader(path, options, locations, collector)


@dataclass(slots=True)
class _Reader(TomlReader):
    """State for reading one pyproject.toml."""

    project: NormalizedName | None = None
    extras: dict[NormalizedName, list[Entry]] = field(default_factory=dict)

    def content_loc(self, path: KeyPath) -> Location:
        """Where a string element's text starts, so errors can point inside it."""
        found = self.locations.string_content(path)
        return Location(self.path, *found) if found else self.loc(path)

    # -- the file -------------------------------------------------------------------------

    def read(self, data: dict[str, Any]) -> None:
        tool = data.get("tool", {})
        tool = self.table(tool, ("tool",)) or {}
        poetry = self.table(tool["poetry"], ("tool", "poetry")) if "poetry" in tool else None
        project = self.table(data["project"], ("project",)) if "project" in data else None
        self.project = self._project_name(project, poetry)

        runtime: list[Entry] = []
        if project is not None:
            runtime.extend(self._read_project(project, tool))
        poetry_extras: dict[NormalizedName, list[str]] = {}
        poetry_main: list[tuple[Requirement, bool]] = []
        if poetry is not None:
            has_pep621 = project is not None and "dependencies" in project
            poetry_main = self._read_poetry_main(poetry, enrich_only=has_pep621)
            poetry_extras = self._read_poetry_extras(poetry)
        uv = self.table(tool["uv"], ("tool", "uv")) if "uv" in tool else None
        dev = self._read_dependency_groups(data, default_groups(uv))
        if poetry is not None:
            dev.extend(self._read_poetry_groups(poetry))
        if uv is not None:
            if "dev-dependencies" in uv:
                entries = self._pep508_list(
                    uv["dev-dependencies"], ("tool", "uv", "dev-dependencies")
                )
                if self.options.wants_group("dev"):
                    dev.extend(entries)
            self._read_uv_workspace(uv)

        chosen = self._choose_extras(poetry, poetry_extras)
        wanted_optional = {name for extra in chosen for name in poetry_extras.get(extra, [])}
        for extra in chosen:
            runtime.extend(self.extras.get(extra, []))
        self.requirements.extend(expand_entries(runtime, self.extras, self.collector))
        self.requirements.extend(
            requirement
            for requirement, optional in poetry_main
            if not optional or requirement.name in wanted_optional
        )
        self.requirements.extend(expand_entries(dev, self.extras, self.collector))
        self.itself = self._project_itself(project, poetry)
        # an extra reached both from the runtime list and from a dev group is one requirement
        unique: dict[tuple[Location, str, str], Requirement] = {}
        for requirement in self.requirements:
            unique.setdefault(
                (requirement.location, requirement.name, str(requirement.marker)), requirement
            )
        self.requirements = list(unique.values())

    def _project_itself(
        self, project: dict[str, Any] | None, poetry: dict[str, Any] | None
    ) -> Requirement | None:
        """The project installs itself at its version: `langgraph==1.2.11` for the service.

        Only a static name and version (no `dynamic = ["version"]`) of a project that is a
        package (not Poetry's `package-mode = false`); other services' constraints on that name
        are then checked against it like any other.
        """
        for table, where in ((project, ("project",)), (poetry, ("tool", "poetry"))):
            if table is None:
                continue
            name, version = table.get("name"), table.get("version")
            if where == ("tool", "poetry") and table.get("package-mode") is False:
                return None
            if not isinstance(name, str) or not isinstance(version, str) or not is_version(version):
                continue
            return Requirement(
                name=canonicalize_name(name),
                display_name=name,
                specifier=SpecifierSet(f"=={version}"),
                marker=None,
                extras=frozenset(),
                text=f"{name}=={version} (the project itself)",
                location=self.loc((*where, "version")),
                role=Role.DECLARED,
            )
        return None

    def _project_name(
        self, project: dict[str, Any] | None, poetry: dict[str, Any] | None
    ) -> NormalizedName | None:
        for table in (project, poetry):
            if table is not None and isinstance(table.get("name"), str):
                return canonicalize_name(table["name"])
        return None

    def _choose_extras(
        self,
        poetry: dict[str, Any] | None,
        poetry_extras: Mapping[NormalizedName, list[str]],
    ) -> list[NormalizedName]:
        defined = set(self.extras) | set(poetry_extras)
        chosen, unknown = selected_extras(self.options.extras, defined)
        if unknown and defined:
            where: KeyPath = ("project", "optional-dependencies")
            if not self.extras and poetry is not None:
                where = ("tool", "poetry", "extras")
            self.warn(
                where,
                f"extra {', '.join(repr(u) for u in unknown)} is not defined here "
                f"(defined: {', '.join(sorted(defined))})",
            )
        return chosen

    # -- PEP 621 --------------------------------------------------------------------------

    def _read_project(self, project: dict[str, Any], tool: dict[str, Any]) -> list[Entry]:
        if "requires-python" in project:
            self._set_requires_python(project["requires-python"], ("project", "requires-python"))
        dynamic = project.get("dynamic", [])
        dynamic = dynamic if isinstance(dynamic, list) else []
        setuptools = tool.get("setuptools", {})
        setuptools = setuptools if isinstance(setuptools, dict) else {}
        from_files = setuptools.get("dynamic", {})
        from_files = from_files if isinstance(from_files, dict) else {}
        setuptools_path: KeyPath = ("tool", "setuptools", "dynamic")

        entries: list[Entry] = []
        if "dependencies" in project:
            entries = self._pep508_list(project["dependencies"], ("project", "dependencies"))
        elif "dependencies" in dynamic and "dependencies" in from_files:
            where = (*setuptools_path, "dependencies")
            entries = list(self._files_directive(from_files["dependencies"], where))
        elif "dependencies" in dynamic:
            self.warn(
                ("project", "dynamic"),
                "dependencies are dynamic: the build backend computes them, so this file "
                "states none (requirements files next to it are read on their own)",
            )
        if "optional-dependencies" in project:
            where = ("project", "optional-dependencies")
            table = self.table(project["optional-dependencies"], where)
            for extra, value in (table or {}).items():
                self._add_extra(extra, (*where, extra), self._pep508_list(value, (*where, extra)))
        elif "optional-dependencies" in dynamic and "optional-dependencies" in from_files:
            where = (*setuptools_path, "optional-dependencies")
            table = self.table(from_files["optional-dependencies"], where)
            for extra, value in (table or {}).items():
                found = self._files_directive(value, (*where, extra))
                self._add_extra(extra, (*where, extra), list(found))
        return entries

    def _add_extra(self, extra: str, path: KeyPath, entries: list[Entry]) -> None:
        name = canonicalize_name(extra)
        if name in self.extras:
            self.error(path, f"extra {extra!r} is defined twice (as {name!r})")
        else:
            self.extras[name] = entries

    def _files_directive(self, value: object, path: KeyPath) -> list[Requirement]:
        """setuptools' `{file = "requirements.txt"}` / `{file = [...]}`: read those files."""
        files = value.get("file") if isinstance(value, dict) else None
        names = [files] if isinstance(files, str) else files
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.error(path, f"`{dotted(path)}` must be {{file = [...]}} naming requirements files")
            return []
        requirements, includes = read_requirement_files(
            self.path, names, self.options, self.collector, self.loc(path)
        )
        self.includes.extend(p for p in includes if p not in self.includes)
        return requirements

    def _read_uv_workspace(self, uv: dict[str, Any]) -> None:
        """`constraint-dependencies` narrow what is installed, `override-dependencies` replace
        every other range on their package; both hold for this project and, at a workspace
        root, for every member (`[tool.uv.workspace] members`)."""
        for key, override in (("constraint-dependencies", False), ("override-dependencies", True)):
            if key not in uv:
                continue
            for entry in self._pep508_list(uv[key], ("tool", "uv", key)):
                if isinstance(entry, Requirement):
                    special = entry.replace(constraint_only=True, override=override)
                    self.requirements.append(special)
                    self.workspace_requirements.append(special)
        workspace = uv.get("workspace")
        if isinstance(workspace, dict) and isinstance(workspace.get("members"), list):
            self.workspace_members.extend(
                m for m in workspace["members"] if isinstance(m, str) and m.strip()
            )
        if "conflicts" in uv:
            read_uv_conflicts(self, uv["conflicts"], self.project)

    def _pep508_list(self, value: object, path: KeyPath) -> list[Entry]:
        if not isinstance(value, list):
            self.error(
                path,
                f"`{dotted(path)}` must be an array of PEP 508 strings, not {describe_type(value)}",
            )
            return []
        entries: list[Entry] = []
        for index, item in enumerate(value):
            element = (*path, index)
            if not isinstance(item, str):
                self.error(
                    element,
                    f"`{dotted(path)}` entry {index + 1} must be a PEP 508 string, "
                    f"not {describe_type(item)}",
                )
                continue
            entry = parse_pep508(
                item, self.content_loc(element), self.collector, project=self.project
            )
            if entry is not None:
                entries.append(entry)
        return entries

    def _set_requires_python(self, value: object, path: KeyPath, *, poetry: bool = False) -> None:
        if not isinstance(value, str):
            self.error(path, f"`{dotted(path)}` must be a string, not {describe_type(value)}")
            return
        try:
            if poetry:
                converted = convert_constraint(value)
                if converted.widened:
                    self.warn(path, _widened_message("python", value, converted.text))
                specifier = converted.specifier_set
            else:
                specifier = SpecifierSet(value)
        except (PoetryConstraintError, InvalidSpecifier) as exc:
            self.error(path, f"invalid python version constraint {value!r}: {exc}")
            return
        if self.requires_python is None:
            self.requires_python = specifier
            self.requires_python_line = self.loc(path).line
        else:
            self.requires_python &= specifier

    # -- PEP 735 --------------------------------------------------------------------------

    def _read_dependency_groups(
        self, data: dict[str, Any], defaults: frozenset[str] | None
    ) -> list[Entry]:
        """PEP 735 groups: every group is checked; those the install takes count, with the
        groups they include (`defaults`: uv's `default-groups`, None for all of them)."""
        if "dependency-groups" not in data:
            return []
        root: KeyPath = ("dependency-groups",)
        groups = self.table(data["dependency-groups"], root)
        if not groups:
            return []
        names: dict[NormalizedName, str] = {}
        entries: dict[NormalizedName, list[Entry]] = {}
        includes: dict[NormalizedName, list[tuple[NormalizedName, KeyPath]]] = {}
        for group, value in groups.items():
            name = canonicalize_name(group)
            if name in names:
                self.error(
                    (*root, group),
                    f"dependency group {group!r} is defined twice (also as {names[name]!r})",
                )
                continue
            names[name] = group
            includes[name] = []
            entries[name] = []
            path = (*root, group)
            if not isinstance(value, list):
                self.error(
                    path,
                    f"dependency group {group!r} must be an array, not {describe_type(value)}",
                )
                continue
            for index, item in enumerate(value):
                element = (*path, index)
                if isinstance(item, str):
                    entry = parse_pep508(
                        item, self.content_loc(element), self.collector, project=self.project
                    )
                    if entry is not None:
                        entries[name].append(entry)
                elif isinstance(item, dict) and set(item) == {"include-group"}:
                    target = item["include-group"]
                    if isinstance(target, str):
                        includes[name].append((canonicalize_name(target), element))
                        continue
                    self.error(element, "include-group must name a group (a string)")
                else:
                    self.error(
                        element,
                        f"dependency group {group!r} entry {index + 1} must be a PEP 508 "
                        f'string or {{include-group = "..."}}, not {describe_type(item)}',
                    )
        self._check_includes(includes, names)
        wanted = [
            g
            for g in names
            if self.options.wants_group(g, default=defaults is None or g in defaults)
        ]
        chosen: list[NormalizedName] = []
        while wanted:  # with the groups they include (cycles were reported above)
            group = wanted.pop(0)
            if group in chosen or group not in entries:
                continue
            chosen.append(group)
            wanted.extend(target for target, _ in includes.get(group, ()))
        return [entry for group in chosen for entry in entries[group]]

    def _check_includes(
        self,
        includes: Mapping[NormalizedName, Sequence[tuple[NormalizedName, KeyPath]]],
        names: Mapping[NormalizedName, str],
    ) -> None:
        """Report includes of unknown groups and every include that closes a cycle."""
        for group, targets in includes.items():
            for target, element in targets:
                if target not in names:
                    known = ", ".join(sorted(names.values()))
                    self.error(
                        element,
                        f"group {names[group]!r} includes unknown group {target!r} "
                        f"(defined: {known})",
                    )
        finished: set[NormalizedName] = set()

        def visit(group: NormalizedName, stack: list[NormalizedName]) -> None:
            stack.append(group)
            for target, element in includes.get(group, ()):
                if target in stack:
                    cycle = [names[g] for g in stack[stack.index(target) :]] + [names[target]]
                    self.error(element, f"include-group cycle: {' -> '.join(cycle)}")
                elif target in names and target not in finished:
                    visit(target, stack)
            stack.pop()
            finished.add(group)

        for group in includes:
            if group not in finished:
                visit(group, [])

    # -- Poetry ---------------------------------------------------------------------------

    def _read_poetry_main(
        self, poetry: dict[str, Any], *, enrich_only: bool
    ) -> list[tuple[Requirement, bool]]:
        if "dependencies" not in poetry:
            return []
        where: KeyPath = ("tool", "poetry", "dependencies")
        table = self.table(poetry["dependencies"], where) or {}
        result: list[tuple[Requirement, bool]] = []
        for key, value in table.items():
            if key == "python":
                self._set_requires_python(value, (*where, key), poetry=True)
                continue
            if enrich_only and isinstance(value, dict) and not _constrains(value):
                continue  # Poetry 2: only annotates the [project] entry of the same name
            result.extend(self._poetry_dependency(key, value, (*where, key)))
        return result

    def _read_poetry_extras(self, poetry: dict[str, Any]) -> dict[NormalizedName, list[str]]:
        if "extras" not in poetry:
            return {}
        where: KeyPath = ("tool", "poetry", "extras")
        table = self.table(poetry["extras"], where) or {}
        result: dict[NormalizedName, list[str]] = {}
        for extra, members in table.items():
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                self.error((*where, extra), f"extra {extra!r} must be an array of package names")
                continue
            result[canonicalize_name(extra)] = [canonicalize_name(m) for m in members]
        return result

    def _read_poetry_groups(self, poetry: dict[str, Any]) -> list[Entry]:
        """Poetry's groups: every one is checked; those the install takes count (Poetry installs
        each group not marked `optional = true` unless told otherwise)."""
        tables: list[tuple[KeyPath, object, bool]] = []
        if "dev-dependencies" in poetry:
            path: KeyPath = ("tool", "poetry", "dev-dependencies")
            tables.append((path, poetry["dev-dependencies"], self.options.wants_group("dev")))
        if "group" in poetry:
            groups = self.table(poetry["group"], ("tool", "poetry", "group")) or {}
            for name, group in groups.items():
                path = ("tool", "poetry", "group", name)
                body = self.table(group, path)
                if body is not None and "dependencies" in body:
                    default = body.get("optional") is not True
                    wanted = self.options.wants_group(name, default=default)
                    tables.append(((*path, "dependencies"), body["dependencies"], wanted))
        result: list[Entry] = []
        tables.sort(key=lambda table: self.locations.find(table[0]) or (0, 0))  # file order
        for path, value, wanted in tables:
            table = self.table(value, path) or {}
            for key, item in table.items():
                if key == "python":
                    self.warn((*path, key), "`python` in a dependency group is ignored")
                    continue
                found = self._poetry_dependency(key, item, (*path, key))
                if wanted:
                    result.extend(r for r, _ in found)
        return result

    def _poetry_dependency(
        self, name: str, value: object, path: KeyPath
    ) -> list[tuple[Requirement, bool]]:
        """One Poetry entry: a constraint string, a table, or an array of tables."""
        if isinstance(value, str):
            requirement = self._poetry_requirement(name, {"version": value}, path)
            return [(requirement, False)] if requirement else []
        if isinstance(value, dict):
            requirement = self._poetry_requirement(name, value, path)
            return [(requirement, value.get("optional") is True)] if requirement else []
        if isinstance(value, list):
            result: list[tuple[Requirement, bool]] = []
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    self.error(
                        (*path, index),
                        f"{name}: entry {index + 1} of a multiple-constraints array must be a "
                        f"table, not {describe_type(item)}",
                    )
                    continue
                requirement = self._poetry_requirement(name, item, (*path, index))
                if requirement:
                    result.append((requirement, item.get("optional") is True))
            return result
        self.error(
            path,
            f"{name}: a Poetry dependency must be a version string, a table or an array of "
            f"tables, not {describe_type(value)}",
        )
        return []

    def _poetry_requirement(
        self, name: str, table: dict[str, Any], path: KeyPath
    ) -> Requirement | None:
        strings = ("version", "markers", "python", "platform", "subdirectory", *_POETRY_SOURCES)
        extras = self.entry_extras(name, table, path, (*strings, *_GIT_REFS))
        if extras is None:
            return None
        sources = [key for key in _POETRY_SOURCES if key in table]
        if len(sources) > 1:
            self.error(path, f"{name}: give only one of {', '.join(sources)}")
            return None

        specifier_text = ""
        if "version" in table:
            constraint = table["version"]
            try:
                converted = convert_constraint(constraint)
            except PoetryConstraintError as exc:
                self.error(path, f"{name}: {exc}")
                return None
            if converted.widened:
                self.warn(path, _widened_message(name, constraint, converted.text))
            specifier_text = converted.text
        try:
            python = python_marker(table["python"]) if "python" in table else None
        except PoetryConstraintError as exc:
            self.error(path, f"{name}: python {exc}")
            return None
        platform = _platform_marker(table["platform"]) if "platform" in table else None
        try:
            marker = and_markers(table.get("markers"), python, platform)
        except InvalidMarker as exc:
            self.error(path, f"{name}: invalid marker: {str(exc).splitlines()[0]}")
            return None

        url = _poetry_url(table, sources[0]) if sources else None
        return Requirement(
            name=canonicalize_name(name),
            display_name=name,
            specifier=SpecifierSet(specifier_text),
            marker=marker,
            extras=frozenset(canonicalize_name(e) for e in extras),
            text=requirement_text(name, extras, specifier_text, url, marker),
            location=self.loc(path),
            role=Role.DECLARED,
            url=url,
            editable=table.get("develop") is True,
        )


def declares_dependencies(text: str) -> bool:
    """Whether a pyproject.toml has a table this source reads dependencies from.

    One with only tool settings (`[tool.ruff]`, `[build-system]`, ...) has none; one that does
    not parse, or whose tables have the wrong type, might (reading it reports what is wrong).
    """
    data, _ = load_toml(text, "pyproject.toml")
    if data is None or "project" in data or "dependency-groups" in data:
        return True
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        return True
    poetry, uv = tool.get("poetry", {}), tool.get("uv", {})
    if not isinstance(poetry, dict) or not isinstance(uv, dict):
        return True
    return bool({"dependencies", "group", "dev-dependencies"} & set(poetry)) or (
        "dev-dependencies" in uv
    )


def _constrains(table: Mapping[str, Any]) -> bool:
    """Whether a Poetry table says which versions or which source, not only how to lock."""
    return "version" in table or any(key in table for key in _POETRY_SOURCES)


def _platform_marker(platform: str) -> str:
    choices = [p.strip() for p in platform.split("||") if p.strip()]
    return " or ".join(f'sys_platform == "{choice}"' for choice in choices)


def _poetry_url(table: Mapping[str, Any], kind: str) -> str:
    """A PEP 508 direct reference for a Poetry git/path/url entry (paths stay as written)."""
    if kind == "path":
        return str(table["path"])
    if kind == "url":
        return str(table["url"])
    repository = str(table["git"])
    if repository.startswith("git@") and ":" in repository:  # scp-like: git@host:owner/repo
        host, _, rest = repository.partition(":")
        repository = f"ssh://{host}/{rest}"
    reference = next((table[key] for key in _GIT_REFS if key in table), None)
    return vcs_url("git", repository, reference, table.get("subdirectory"))


def _widened_message(name: str, constraint: str, hull: str) -> str:
    return (
        f"{name} = {constraint!r}: a union (||) is not one version range; read as its hull "
        f"{hull or '(any version)'!s}, which admits versions no alternative allows"
    )
