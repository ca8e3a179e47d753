"""Which install tool a shell command runs, and what it installs, from its words alone.

`recognize(words)` knows pip (`pip`, `pip3.12`, `python -m pip`, `/opt/venv/bin/pip`), `uv pip`,
`uv sync`/`export`/`build`/`venv`/`python install`, pip-tools (`pip-sync`, `pip-compile`), Poetry,
Pipenv, PDM, `python -m build`, `python -m venv`/`virtualenv`, `setup.py install`, and the system
package managers' `python3.X` packages (apt, apk, dnf, yum) plus pyenv and conda for the Python
version. It returns an `InstallCommand` describing the effect in the command's own terms (paths
as written, relative to the working directory); the Dockerfile reader maps those paths into the
image. Anything else (`npm ci`, `apt-get update`) is None. Pure: no file system, no environment.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

from depcheck.model import ALL_GROUPS, NO_GROUPS, Groups

# options that take a value, for pip, uv and their general options (the rest are flags)
_VALUE_OPTIONS = {
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--target",
    "-t",
    "--prefix",
    "--root",
    "--src",
    "--upgrade-strategy",
    "--platform",
    "--python-version",
    "--python-platform",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--trusted-host",
    "--cache-dir",
    "--log",
    "--log-file",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--global-option",
    "--install-option",
    "--build-option",
    "--config-settings",
    "--config-setting",
    "-C",
    "--python",
    "-p",
    "--index-strategy",
    "--keyring-provider",
    "--resolution",
    "--prerelease",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--report",
    "--root-user-action",
    "--use-feature",
    "--use-deprecated",
    "--index",
    "--default-index",
    "--reinstall-package",
    "--upgrade-package",
    "-P",
    "--link-mode",
    "--exclude-newer",
    "--config-file",
    "--build-constraint",
    "--build-constraints",
    "--torch-backend",
    "--requirement",
    "-r",
    "--constraint",
    "-c",
    "--constraints",
    "--override",
    "--overrides",
    "--editable",
    "-e",
    "--wheel-dir",
    "-w",
    "--dest",
    "-d",
    "--output-file",
    "-o",
    "--output",
    "--outdir",
    "--out-dir",
    "--format",
    "--project",
    "--directory",
    "--package",
    "--only",
    "--with",
    "--without",
    "-E",
    "--extras",
    "--categories",
    "--dev-group",
    "--python-preference",
    "--cache",
    "--install-dir",
    "--seed",
    "--prompt",
    "-G",
}
_PIP_RE = re.compile(r"^pip(\d+(\.\d+)?)?$")
_PYTHON_RE = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?$")
_WRAPPERS = {"sudo", "exec", "time", "nice", "command", "nohup", "eatmydata"}
#: installer tooling that pip installs on its own line; not worth a note
TOOLING = frozenset(
    {
        "pip",
        "setuptools",
        "wheel",
        "uv",
        "poetry",
        "pipenv",
        "pip-tools",
        "pdm",
        "virtualenv",
        "build",
        "poetry-plugin-export",
        "hatch",
        "hatchling",
    }
)


@dataclass
class InstallCommand:
    """What one install-tool invocation does, in its own terms (paths as written)."""

    tool: str
    action: str  # install | sync | wheel | download | export | build | venv | python
    files: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    #: -C/--directory/--project: where the project is (None: the working directory)
    project_dir: str | None = None
    #: -o/--output/-w/-d/--outdir, or stdout handled by the caller
    output: str | None = None
    #: --target/--prefix/--root: where the install goes
    target: str | None = None
    user: bool = False
    system: bool = False
    #: a Python version the command installs or selects ("3.12"), or "distro" for `python3`
    python: str | None = None
    #: the interpreter the command runs with or is told to use (a venv's python, --python PATH)
    python_exe: str | None = None
    #: the executable as written (`/opt/venv/bin/pip`), to tell which environment it installs into
    executable: str = ""
    #: the project's extras it installs (`pip install .[server]`, `poetry install -E server`,
    #: `uv sync --extra server`; `*` for --all-extras)
    extras: list[str] = field(default_factory=list)
    #: the project's dependency groups it installs (`--with docs`, `uv sync`'s default `dev`)
    groups: Groups = NO_GROUPS


def _names(value: str) -> list[str]:
    """`a,b` / `a b` -> [a, b] (Poetry's -E and groups take either)."""
    return [part for part in re.split(r"[\s,]+", value.strip().strip("'\"")) if part]


def _extras_of(word: str) -> list[str]:
    """`.[server,cli]` -> [server, cli]."""
    match = re.search(r"\[([^\]]*)\]$", word)
    return _names(match.group(1)) if match else []


def _group_names(value: str | None) -> frozenset[str]:
    return frozenset(canonicalize_name(g) for g in _names(value or "") if g != "main")


def _select(command: InstallCommand, tool: str, options: list[tuple[str, str | None]]) -> None:
    """Extras and dependency groups from a project tool's options, in that tool's terms.

    Poetry installs every non-optional group unless told `--only`/`--without`; `uv sync`
    installs its default groups (`dev`) unless `--no-dev`/`--no-default-groups`/`--only-group`;
    PDM installs its dev groups unless `--prod`; Pipenv installs none unless `--dev` or
    `--categories` (`dev-packages` is the group `dev`).
    """
    default = tool in ("poetry", "uv", "pdm")
    names: set[str] = set()
    without: set[str] = set()
    for name, value in options:
        if name in ("-E", "--extras", "--extra") and value:
            command.extras.extend(_names(value))
        elif name == "--all-extras":
            command.extras.append("*")
        elif name in ("--with", "--group", "--dev-group") and value:
            names |= _group_names(value)
        elif name in ("--without", "--no-group") and value:
            without |= _group_names(value)
        elif name in ("--only", "--only-group") and value:
            default = False
            names |= _group_names(value)
        elif name == "--all-groups":
            names.add(ALL_GROUPS)
        elif name in ("--dev", "-d"):
            names.add("dev")
        elif name == "--only-dev":
            default = False
            names.add("dev")
        elif name == "--no-dev":
            without.add("dev")
        elif name in ("--no-default-groups", "--prod", "--production"):
            default = False
        elif name == "--categories" and value:
            for category in _names(value):
                if category == "dev-packages":
                    names.add("dev")
                elif category != "packages":
                    names.add(canonicalize_name(category))
        elif name == "-G" and value:
            if value == ":all":
                command.extras.append("*")
                names.add(ALL_GROUPS)
            else:
                # PDM's -G names extras and dev groups alike
                command.extras.extend(_names(value))
                names |= _group_names(value)
    command.groups = Groups(default, frozenset(names - without), frozenset(without))


def _options(args: list[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Split arguments into (option, value) pairs and positionals."""
    options: list[tuple[str, str | None]] = []
    positionals: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positionals.extend(args[i + 1 :])
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in _VALUE_OPTIONS and not eq:
                value = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            options.append((name, value if (eq or name in _VALUE_OPTIONS) else None))
        elif arg.startswith("-") and len(arg) > 1:
            short = arg[:2]
            if short in _VALUE_OPTIONS:
                value = arg[2:].lstrip("=")
                if not value:
                    value = args[i + 1] if i + 1 < len(args) else ""
                    i += 1
                options.append((short, value))
            else:
                options.extend((f"-{letter}", None) for letter in arg[1:])
        else:
            positionals.append(arg)
        i += 1
    return options, positionals


def _strip_extras(path: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", path)


def is_path_like(word: str) -> bool:
    """Whether a pip argument names a local path rather than a requirement."""
    lowered = word.lower()
    if "://" in lowered or re.match(r"^(git|hg|svn|bzr)\+", lowered) or "@" in word:
        return False
    return (
        word.startswith((".", "/", "~"))
        or "/" in word
        or lowered.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"))
    )


def _package_name(word: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", word)
    return match.group(1) if match else word


def _subcommand(
    args: list[str],
) -> tuple[str, list[tuple[str, str | None]], list[str]] | None:
    """A tool's SUBCOMMAND, the options before and after it (in order), and its positionals."""
    _, positionals = _options(args)
    if not positionals:
        return None
    subcommand = positionals[0]
    # re-parse after the subcommand so its own options are read in order
    index = args.index(subcommand)
    general, _ = _options(args[:index])
    options, rest = _options(args[index + 1 :])
    return subcommand, general + options, rest


def _pip(tool: str, executable: str, args: list[str]) -> InstallCommand | None:
    """`pip [general options] SUBCOMMAND ...` (also `uv pip ...`)."""
    split = _subcommand(args)
    if split is None:
        return None
    subcommand, options, positionals = split
    command = InstallCommand(tool=tool, action=subcommand, executable=executable)
    if subcommand not in ("install", "sync", "wheel", "download", "compile"):
        return None
    if subcommand == "compile":
        command.action = "export"
    for name, value in options:
        if value is None:
            if name == "--user":
                command.user = True
            elif name == "--system":
                command.system = True
            continue
        if name in ("-r", "--requirement", "--requirements"):
            command.files.append(value)
        elif name in ("-c", "--constraint", "--constraints", "--override", "--overrides"):
            command.constraints.append(value)
        elif name in ("-e", "--editable"):
            (command.projects if is_path_like(value) else command.packages).append(
                _strip_extras(value)
            )
            if is_path_like(value):
                command.extras.extend(_extras_of(value))
        elif name in ("-t", "--target", "--prefix", "--root"):
            command.target = value
        elif name in ("-w", "--wheel-dir", "-d", "--dest", "-o", "--output-file"):
            command.output = value
        elif name in ("--python", "-p"):
            command.python_exe = value
        elif name == "--group" and subcommand in ("install", "wheel", "download"):
            # pip >= 25.1: `--group [path:]name`, a PEP 735 group of ./pyproject.toml (or of the
            # pyproject.toml at path); read as that project with the group (its own
            # dependencies too, which pip leaves out unless the project is installed as well)
            where, _, group = value.rpartition(":")
            folder = posixpath.dirname(where) if where.endswith("pyproject.toml") else where
            folder = folder or "."
            if folder not in command.projects:
                command.projects.append(folder)
            command.groups = Groups(
                names=command.groups.names | {canonicalize_name(group)},
            )
    for word in positionals:
        if subcommand in ("sync", "compile"):
            command.files.append(word)
        elif is_path_like(word):
            command.projects.append(_strip_extras(word))
            command.extras.extend(_extras_of(word))
        else:
            command.packages.append(_package_name(word))
    if command.action == "sync" and not command.files:
        command.files.append("requirements.txt")
    return command


def _project_tool(tool: str, executable: str, args: list[str]) -> InstallCommand | None:
    """Poetry, Pipenv, PDM and `uv sync`/`export`/`build`: commands on the project in a dir."""
    split = _subcommand(args)
    if split is None:
        return None
    subcommand, options, rest = split
    command = InstallCommand(tool=tool, action="", executable=executable)
    for name, value in options:
        if name in ("-C", "--directory", "--project", "--cwd") and value:
            command.project_dir = value
        elif name in ("-o", "--output", "--output-file", "--outdir", "--out-dir") and value:
            command.output = value
        elif name == "--system":
            command.system = True
        elif name in ("--python", "-p") and value:
            command.python_exe = value
    if subcommand in ("install", "sync"):
        _select(command, tool, options)
    if tool == "poetry":
        if subcommand in ("install", "sync"):
            command.action = "sync"
        elif subcommand == "export":
            command.action = "export"
        elif subcommand == "build":
            command.action = "build"
            command.output = command.output or "dist"
        else:
            return None
    elif tool == "pipenv":
        if subcommand == "sync" or (subcommand == "install" and not rest):
            command.action = "sync"
        elif subcommand == "install":
            command.action = "install"
            command.packages.extend(_package_name(w) for w in rest)
        elif subcommand == "requirements" or (subcommand == "lock" and ("-r", None) in options):
            command.action = "export"
        else:
            return None
    elif tool == "pdm":
        if subcommand in ("install", "sync"):
            command.action = "sync"
        elif subcommand == "export":
            command.action = "export"
        else:
            return None
    elif tool == "uv":
        if subcommand == "sync":
            command.action = "sync"
        elif subcommand == "export":
            command.action = "export"
        elif subcommand == "build":
            command.action = "build"
            if rest:
                command.project_dir = rest[0]
            command.output = command.output or posixpath.join(command.project_dir or ".", "dist")
        elif subcommand == "venv":
            command.action = "venv"
            command.output = rest[0] if rest else ".venv"
            command.python = _version_of(command.python_exe)
        elif subcommand == "python" and rest[:1] == ["install"]:
            command.action = "python"
            command.python = _version_of(rest[1]) if len(rest) > 1 else None
            if command.python is None:
                return None
        else:
            return None
    return command


def _version_of(text: str | None) -> str | None:
    """ "3.12", "python3.12", "cpython-3.12.4" -> "3.12" / "3.12.4"; None otherwise."""
    if not text:
        return None
    match = re.search(r"(?<![\d.])(3)\.(\d{1,2})(?:\.(\d{1,3}))?(?![\d])", text)
    if match is None:
        return None
    return ".".join(g for g in match.groups() if g is not None)


def _system_packages(words: list[str]) -> InstallCommand | None:
    """`apt-get install python3.11`, `apk add python3`, `dnf install python3.12`."""
    tool = posixpath.basename(words[0])
    if tool in ("apt-get", "apt", "aptitude", "yum", "dnf", "microdnf"):
        if "install" not in words[1:]:
            return None
    elif tool == "apk":
        if "add" not in words[1:]:
            return None
    else:
        return None
    version: str | None = None
    for word in words[1:]:
        name = word.split("=")[0].lower()
        match = re.match(r"^python(3)\.?(\d{1,2})$", name)
        if match:
            version = f"{match.group(1)}.{match.group(2)}"
        elif name in ("python3", "python3-minimal", "python3-pip", "python3-venv") and not version:
            version = "distro"
    if version is None:
        return None
    return InstallCommand(tool=tool, action="python", python=version, executable=words[0])


def recognize(words: list[str]) -> InstallCommand | None:
    """The install tool `words` runs, or None when it is none we follow."""
    words = list(words)
    while words and (
        posixpath.basename(words[0]) in _WRAPPERS or posixpath.basename(words[0]) == "env"
    ):
        head = posixpath.basename(words.pop(0))
        if head == "env":
            while words and ("=" in words[0] or words[0].startswith("-")):
                words.pop(0)
        elif head in ("sudo", "nice"):
            while words and words[0].startswith("-"):
                words.pop(0)
    if not words:
        return None
    executable = words[0]
    base = posixpath.basename(executable)
    args = words[1:]
    if _PIP_RE.match(base):
        return _pip("pip", executable, args)
    if _PYTHON_RE.match(base):
        if args[:1] == ["-m"] and len(args) > 1:
            module, rest = args[1], args[2:]
            if module == "pip":
                return _pip("pip", executable, rest)
            if module == "uv":
                return recognize(["uv", *rest])
            if module == "venv":
                _, positionals = _options(rest)
                if not positionals:
                    return None
                return InstallCommand(
                    tool="venv",
                    action="venv",
                    output=positionals[-1],
                    executable=executable,
                    python=_version_of(base),
                )
            if module == "build":
                options, positionals = _options(rest)
                output = next((v for n, v in options if n in ("-o", "--outdir") and v), None)
                directory = positionals[0] if positionals else "."
                return InstallCommand(
                    tool="build",
                    action="build",
                    project_dir=directory,
                    output=output or posixpath.join(directory, "dist"),
                    executable=executable,
                )
            if module == "piptools" and rest[:1] in (["sync"], ["compile"]):
                return recognize([f"pip-{rest[0]}", *rest[1:]])
            if module in ("poetry", "pipenv", "pdm"):
                return _project_tool(module, executable, rest)
            return None
        if args[:1] == ["setup.py"] and len(args) > 1 and args[1] in ("install", "develop"):
            return InstallCommand(
                tool="setup.py", action="install", projects=["."], executable=executable
            )
        return None
    if base == "uv":
        if args[:1] == ["pip"]:
            return _pip("uv pip", executable, args[1:])
        return _project_tool("uv", executable, args)
    if base == "pip-sync":
        options, positionals = _options(args)
        command = InstallCommand(tool="pip-sync", action="sync", executable=executable)
        command.files = positionals or ["requirements.txt"]
        command.python_exe = next((v for n, v in options if n == "--python-executable"), None)
        return command
    if base == "pip-compile":
        options, positionals = _options(args)
        command = InstallCommand(tool="pip-compile", action="export", executable=executable)
        command.files = positionals or ["requirements.in"]
        output = next((v for n, v in options if n in ("-o", "--output-file") and v), None)
        if output is None and command.files[0].endswith(".in"):
            output = command.files[0][: -len(".in")] + ".txt"
        command.output = output
        return command
    if base in ("poetry", "pipenv", "pdm"):
        return _project_tool(base, executable, args)
    if base == "virtualenv":
        options, positionals = _options(args)
        if not positionals:
            return None
        exe = next((v for n, v in options if n in ("-p", "--python") and v), None)
        return InstallCommand(
            tool="virtualenv",
            action="venv",
            output=positionals[-1],
            python=_version_of(exe),
            executable=executable,
        )
    if base == "pyenv" and args[:1] in (["install"], ["global"]) and len(args) > 1:
        version = _version_of(args[-1])
        if version is None:
            return None
        return InstallCommand(tool="pyenv", action="python", python=version, executable=base)
    if base in ("conda", "mamba", "micromamba") and args[:1] in (["create"], ["install"]):
        for word in args[1:]:
            match = re.match(r"^python[=<>~]*=?(3\.\d{1,2}(?:\.\d{1,3})?)", word)
            if match:
                return InstallCommand(
                    tool=base, action="python", python=match.group(1), executable=base
                )
        return None
    return _system_packages(words)
