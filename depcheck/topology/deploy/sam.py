"""AWS SAM and CloudFormation templates: each Lambda function is a host with its layers.

`AWS::Serverless::Function` (`CodeUri`, `Layers`, `Runtime`, `Architectures`, `PackageType:
Image` with `Metadata.DockerContext`/`Dockerfile`) and `AWS::Lambda::Function` (`Code` as a local
path) are hosts, named by their logical ID. `sam build` installs the `requirements.txt` of a
function's `CodeUri` and of each layer's `ContentUri` (`AWS::Serverless::LayerVersion`, or
`Content` of `AWS::Lambda::LayerVersion`), so a layer's requirements are co-hosted with every
function that lists it (`!Ref TheLayer`); `Globals.Function` supplies what a function leaves out
(`Layers` there are added to each function's own, as SAM does). The runtime (`python3.12`) sets the
host's Python; `arm64` its machine. A layer given as an ARN lives outside the repository: a
warning says it is not checked. Functions on other runtimes (`nodejs20.x`) are not Python hosts.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import replace
from typing import Any

from depcheck.errors import ReadError
from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.dockerfile import read_image
from depcheck.topology.deploy.interface import (
    DeployError,
    DeployHost,
    DeployRead,
    DeployReader,
    Install,
    InstallKind,
)
from depcheck.topology.deploy.yamlfile import YamlMap, load_yaml

_FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_LAYERS = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
_MARKERS = ("AWS::Serverless::", "AWS::Lambda::")


def python_of_runtime(runtime: object) -> str | None:
    """`python3.12` -> `3.12`; None for other runtimes."""
    if not isinstance(runtime, str):
        return None
    match = re.match(r"^python(3\.\d{1,2})$", runtime.strip())
    return match.group(1) if match else None


def _line(mapping: Any, key: str) -> int | None:
    return mapping.line_of(key) if isinstance(mapping, YamlMap) else None


def _shown(reference: object) -> str:
    """A layer reference as the user wrote it: `arn:...`, or the string inside `!Sub`."""
    if isinstance(reference, dict) and len(reference) == 1:
        (value,) = reference.values()
        if isinstance(value, str):
            return value
    shown = reference if isinstance(reference, str) else json.dumps(reference)
    return shown if len(shown) <= 80 else shown[:79] + "…"


def _json_line(text: str, key: str) -> int | None:
    needle = f'"{key}"'
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


class SamReader(DeployReader):
    kind = "sam"

    def read(self, repo: Tree, path: str) -> DeployRead:
        text, warnings = repo.read_text(path)
        if not any(marker in text for marker in _MARKERS):
            return DeployRead()
        if path.lower().endswith(".json"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DeployError(
                    Location(path, exc.lineno), f"not valid JSON: {exc.msg}"
                ) from None
        else:
            data = load_yaml(text, path)
        if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
            return DeployRead()
        read = _Template(repo, path, text, data).read()
        return replace(read, diagnostics=(*warnings, *read.diagnostics))


class _Template:
    def __init__(self, repo: Tree, path: str, text: str, data: dict[str, Any]) -> None:
        self.repo = repo
        self.path = path
        self.text = text
        self.data = data
        self.directory = posixpath.dirname(path) or "."
        self.diagnostics: list[Diagnostic] = []
        self.dockerfiles: list[str] = []
        globals_ = data.get("Globals")
        function = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals: dict[str, Any] = function if isinstance(function, dict) else {}

    def line(self, mapping: Any, key: str, fallback: str | None = None) -> int | None:
        found = _line(mapping, key)
        if found is None and not isinstance(mapping, YamlMap):
            found = _json_line(self.text, fallback or key)
        return found

    def value(self, value: Any) -> Any:
        """A parameter reference (`!Ref Runtime`) as its default; other values as they are."""
        if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
            parameters = self.data.get("Parameters")
            if isinstance(parameters, dict):
                parameter = parameters.get(value["Ref"])
                if isinstance(parameter, dict) and "Default" in parameter:
                    return parameter["Default"]
        return value

    def local_dir(self, value: Any) -> str | None:
        value = self.value(value)
        if not isinstance(value, str) or "://" in value:
            return None
        joined = self.repo.join(self.directory, value)
        return joined if joined is not None and self.repo.is_dir(joined) else None

    def read(self) -> DeployRead:
        resources: dict[str, Any] = self.data["Resources"]
        layers: dict[str, tuple[str | None, int | None]] = {}
        for name, resource in resources.items():
            if isinstance(resource, dict) and resource.get("Type") in _LAYERS:
                properties = resource.get("Properties") or {}
                if not isinstance(properties, dict):
                    where = Location(self.path, self.line(resources, str(name)))
                    self.warn(where, f"layer {name}: its Properties are not a mapping; not read")
                    continue
                key = "ContentUri" if resource["Type"] == _LAYERS[0] else "Content"
                layers[str(name)] = (
                    self.local_dir(properties.get(key)),
                    self.line(properties, key) or self.line(resources, str(name)),
                )
        hosts: list[DeployHost] = []
        for name, resource in sorted(resources.items(), key=lambda item: str(item[0])):
            if isinstance(resource, dict) and resource.get("Type") in _FUNCTIONS:
                host = self.function(str(name), resource, resources, layers)
                if host is not None:
                    hosts.append(host)
        return DeployRead(tuple(hosts), tuple(self.diagnostics), tuple(self.dockerfiles))

    def function(
        self,
        name: str,
        resource: dict[str, Any],
        resources: dict[str, Any],
        layers: dict[str, tuple[str | None, int | None]],
    ) -> DeployHost | None:
        serverless = resource["Type"] == _FUNCTIONS[0]
        properties = resource.get("Properties") or {}
        if not isinstance(properties, dict):
            where = Location(self.path, self.line(resources, name))
            self.warn(where, f"function {name}: its Properties are not a mapping; not read")
            return None
        inherited = self.globals if serverless else {}

        def setting(key: str) -> Any:
            return self.value(properties.get(key, inherited.get(key)))

        origin = Location(self.path, self.line(resources, name))
        installs: list[Install] = []
        notes: list[str] = []
        python = python_of_runtime(setting("Runtime"))
        python_origin = (
            Location(
                self.path, self.line(properties, "Runtime") or self.line(self.globals, "Runtime")
            )
            if python
            else None
        )
        machine = None
        architectures = setting("Architectures")
        if isinstance(architectures, list) and architectures[:1] == ["arm64"]:
            machine = "aarch64"
        if setting("PackageType") == "Image":
            metadata = resource.get("Metadata") or {}
            if not isinstance(metadata, dict):
                metadata = {}
            context = self.local_dir(metadata.get("DockerContext", "."))
            dockerfile = metadata.get("Dockerfile", "Dockerfile")
            if context is None or not isinstance(dockerfile, str):
                self.warn(origin, f"function {name}: its DockerContext is not in the repository")
                return None
            joined = self.repo.join(context, dockerfile)
            if joined is None or not self.repo.present(joined):
                self.warn(origin, f"function {name}: {dockerfile} is not in {context}")
                return None
            args = metadata.get("DockerBuildArgs")
            try:
                image = read_image(
                    self.repo,
                    joined,
                    context=context,
                    target=metadata.get("DockerBuildTarget")
                    if isinstance(metadata.get("DockerBuildTarget"), str)
                    else None,
                    build_args={str(k): str(v) for k, v in args.items()}
                    if isinstance(args, dict)
                    else None,
                )
            except ReadError as exc:
                self.diagnostics.append(exc.diagnostic())
                return None
            self.dockerfiles.append(joined)
            self.diagnostics.extend(image.diagnostics)
            notes.extend(image.notes)
            notes.append(f"image built from {joined}")
            installs.extend(image.installs)
            if image.python is not None:
                python = image.python
                python_origin = Location(joined, image.python_line)
            machine = machine or image.machine
        else:
            runtime = setting("Runtime")
            if python is None:
                if isinstance(runtime, str):
                    return None  # another language's function
                self.warn(origin, f"function {name}: its Runtime is not known; Python unknown")
            code_key = "CodeUri" if serverless else "Code"
            code = setting(code_key)
            if code is not None:
                directory = self.local_dir(code)
                if directory is None:
                    if isinstance(code, str) and not code.startswith("s3://"):
                        self.warn(
                            Location(self.path, self.line(properties, code_key)),
                            f"function {name}: {code_key} {code!r} is not a directory in the "
                            "repository",
                        )
                else:
                    line = self.line(properties, code_key) or self.line(self.globals, code_key)
                    installs.append(
                        Install(directory, InstallKind.PROJECT, Location(self.path, line))
                    )
        references = []
        for source in (inherited.get("Layers"), properties.get("Layers")):
            if isinstance(source, list):
                references.extend(source)
        layers_line = self.line(properties, "Layers") or self.line(self.globals, "Layers")
        for reference in references:
            target = reference.get("Ref") if isinstance(reference, dict) else None
            if isinstance(target, str) and target in layers:
                directory, line = layers[target]
                if directory is not None:
                    installs.append(
                        Install(directory, InstallKind.PROJECT, Location(self.path, line))
                    )
                notes.append(f"uses layer {target}")
            else:
                shown = _shown(reference)
                self.warn(
                    Location(self.path, layers_line),
                    f"function {name} uses layer {shown}, which this template does not build; "
                    "its packages are not checked",
                )
        return DeployHost(
            name=name,
            origin=origin,
            kind="sam",
            installs=tuple(installs),
            python=python,
            python_origin=python_origin,
            platform="linux",
            machine=machine,
            notes=tuple(notes),
        )

    def warn(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, location, message))
