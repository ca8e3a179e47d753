"""Serverless Framework (`serverless.yml`): each function is a host with its layers.

A function's code is the service directory (the folder of `serverless.yml`), or its `module`
when `serverless-python-requirements` packages functions individually; that plugin installs the
folder's `requirements.txt` (`custom.pythonRequirements.fileName`). A layer (`layers.NAME.path`)
is co-hosted with each function listing it (`{Ref: NameLambdaLayer}`, the logical ID Serverless
derives from NAME); the plugin's own `PythonRequirementsLambdaLayer` carries the service's
requirements. `provider.runtime` (or the function's `runtime`: `python3.12`) sets the Python,
`architecture: arm64` the machine. `${self:...}` and `${opt:x, 'default'}` are resolved where
they can be; layers by ARN are outside the repository and get a warning.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import replace
from typing import Any

from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.interface import (
    DeployHost,
    DeployRead,
    DeployReader,
    Install,
    InstallKind,
)
from depcheck.topology.deploy.sam import python_of_runtime
from depcheck.topology.deploy.yamlfile import YamlMap, load_yaml

_VARIABLE_RE = re.compile(r"\$\{([^{}]+)\}")
_HANDLER_LANGUAGES = (
    (".py", "python"),
    (".js", "node"),
    (".mjs", "node"),
    (".cjs", "node"),
    (".ts", "node"),
    (".go", "go"),
    (".rb", "ruby"),
)


def layer_logical_id(name: str) -> str:
    """The CloudFormation logical ID Serverless gives layer `name` (`common-deps` ->
    `CommonDashdepsLambdaLayer`)."""
    normalized = name[:1].upper() + name[1:]
    normalized = normalized.replace("-", "Dash").replace("_", "Underscore")
    return f"{normalized}LambdaLayer"


class ServerlessReader(DeployReader):
    kind = "serverless"

    def read(self, repo: Tree, path: str) -> DeployRead:
        text, warnings = repo.read_text(path)
        data = load_yaml(text, path)
        if not isinstance(data, dict):
            return DeployRead(diagnostics=tuple(warnings))
        read = _Service(repo, path, data).read()
        return replace(read, diagnostics=(*warnings, *read.diagnostics))


class _Service:
    def __init__(self, repo: Tree, path: str, data: dict[str, Any]) -> None:
        self.repo = repo
        self.path = path
        self.data = data
        self.directory = posixpath.dirname(path) or "."
        self.diagnostics: list[Diagnostic] = []

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """`${self:a.b}`, `${opt:x, 'default'}`, `${env:X, default}` where statically known."""
        if not isinstance(value, str) or "${" not in value or depth > 5:
            return value

        def replace(match: re.Match[str]) -> str:
            body = match.group(1)
            reference, _, default = body.partition(",")
            reference = reference.strip()
            if reference.startswith("self:"):
                found: Any = self.data
                for part in reference[len("self:") :].split("."):
                    found = found.get(part) if isinstance(found, dict) else None
                if isinstance(found, str | int | float):
                    return str(self.resolve(str(found), depth + 1))
            default = default.strip().strip("'\"")
            return default if default else match.group(0)

        return _VARIABLE_RE.sub(replace, value)

    def read(self) -> DeployRead:
        provider = self.data.get("provider")
        provider = provider if isinstance(provider, dict) else {}
        functions = self.data.get("functions")
        if not isinstance(functions, dict):
            return DeployRead()
        custom = self.data.get("custom")
        settings = custom.get("pythonRequirements") if isinstance(custom, dict) else None
        settings = settings if isinstance(settings, dict) else {}
        file_name = self.resolve(settings.get("fileName", "requirements.txt"))
        layers: dict[str, tuple[str | None, int | None]] = {}
        section = self.data.get("layers")
        if isinstance(section, dict):
            for name, layer in section.items():
                if isinstance(layer, dict):
                    directory = self.local_dir(layer.get("path"))
                    line = layer.line_of("path") if isinstance(layer, YamlMap) else None
                    layers[layer_logical_id(str(name))] = (directory, line)
        hosts: list[DeployHost] = []
        for name in sorted(functions, key=str):
            definition = functions[name]
            if not isinstance(definition, dict):
                continue
            host = self.function(str(name), definition, functions, provider, layers, file_name)
            if host is not None:
                hosts.append(host)
        return DeployRead(tuple(hosts), tuple(self.diagnostics))

    def local_dir(self, value: Any) -> str | None:
        value = self.resolve(value)
        if not isinstance(value, str) or "${" in value:
            return None
        joined = self.repo.join(self.directory, value)
        return joined if joined is not None and self.repo.is_dir(joined) else None

    def code(self, directory: str, file_name: Any, location: Location) -> Install:
        if isinstance(file_name, str):
            joined = self.repo.join(directory, file_name)
            if joined is not None and self.repo.is_file(joined):
                return Install(joined, InstallKind.FILE, location)
        return Install(directory, InstallKind.PROJECT, location)

    def function(
        self,
        name: str,
        definition: dict[str, Any],
        functions: Any,
        provider: dict[str, Any],
        layers: dict[str, tuple[str | None, int | None]],
        file_name: Any,
    ) -> DeployHost | None:
        line = functions.line_of(name) if isinstance(functions, YamlMap) else None
        origin = Location(self.path, line)
        if "image" in definition:
            self.warn(origin, f"function {name} runs a container image; it is not followed here")
            return None
        runtime = self.resolve(definition.get("runtime", provider.get("runtime")))
        python = python_of_runtime(runtime)
        if python is None and isinstance(runtime, str) and "${" not in runtime:
            return None  # another language's function
        if python is None:
            language = self.handler_language(definition, provider)
            if language != "python":
                # no runtime stated: the provider's default, or the handler's file, is not
                # Python (Node for AWS, OpenWhisk, Cloudflare, Twilio, ...): not a Python host
                return None
            self.warn(origin, f"function {name}: no runtime stated; its Python is unknown")
        runtime_line = (
            definition.line_of("runtime")
            if isinstance(definition, YamlMap) and "runtime" in definition
            else (provider.line_of("runtime") if isinstance(provider, YamlMap) else None)
        )
        installs: list[Install] = []
        module = definition.get("module")
        directory = self.local_dir(module) if module is not None else self.directory
        if directory is None:
            self.warn(origin, f"function {name}: module {module!r} is not a directory")
        else:
            installs.append(self.code(directory, file_name, origin))
        references = definition.get("layers") or []
        layers_line = definition.line_of("layers") if isinstance(definition, YamlMap) else line
        for reference in references if isinstance(references, list) else []:
            target = reference.get("Ref") if isinstance(reference, dict) else None
            if target == "PythonRequirementsLambdaLayer":
                installs.append(
                    self.code(self.directory, file_name, Location(self.path, layers_line))
                )
            elif isinstance(target, str) and target in layers:
                layer_dir, layer_line = layers[target]
                if layer_dir is not None:
                    installs.append(
                        Install(layer_dir, InstallKind.PROJECT, Location(self.path, layer_line))
                    )
            else:
                shown = reference if isinstance(reference, str) else json.dumps(reference)
                self.warn(
                    Location(self.path, layers_line),
                    f"function {name} uses layer {shown}, which this service does not build; "
                    "its packages are not checked",
                )
        architecture = self.resolve(definition.get("architecture", provider.get("architecture")))
        return DeployHost(
            name=name,
            origin=origin,
            kind="serverless",
            installs=tuple(installs),
            python=python,
            python_origin=Location(self.path, runtime_line) if python else None,
            platform="linux",
            machine="aarch64" if architecture == "arm64" else None,
        )

    def handler_language(self, definition: dict[str, Any], provider: dict[str, Any]) -> str | None:
        """`python` when the function's handler is a Python file, else the other language seen
        (`node`, ...), else None (nothing says).

        Without a runtime, Serverless deploys the provider's default, which is Node.js for AWS
        and most others; only a handler module found as a `.py` file makes it Python.
        """
        handler = self.resolve(definition.get("handler"))
        base = self.directory
        module = definition.get("module")
        if isinstance(module, str):
            base = self.local_dir(module) or base
        if isinstance(handler, str) and "${" not in handler:
            stem = handler.rsplit(".", 1)[0] if "." in handler else handler
            for extension, language in _HANDLER_LANGUAGES:
                joined = self.repo.join(base, stem + extension)
                if joined is not None and self.repo.is_file(joined):
                    return language
        plugins = self.data.get("plugins")
        if isinstance(plugins, dict):
            plugins = plugins.get("modules")
        if isinstance(plugins, list) and "serverless-python-requirements" in plugins:
            return "python"
        provider_name = provider.get("name")
        if isinstance(provider_name, str) and provider_name.lower() != "aws":
            return "other"
        for marker, language in (("package.json", "node"), ("go.mod", "go"), ("pom.xml", "java")):
            joined = self.repo.join(base, marker)
            if joined is not None and self.repo.is_file(joined):
                return language
        return "node"  # AWS's default runtime

    def warn(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, location, message))
