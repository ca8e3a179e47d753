"""Safe YAML for deployment files: line numbers for keys, CloudFormation tags as plain values.

PyYAML's `SafeLoader` (never an unsafe loader: these files come from the scanned repository) with
two additions. Mappings load as `YamlMap`, a dict that remembers the line of each key, so a host
can say which line made it. Tags the safe loader does not know (CloudFormation's `!Ref`,
`!GetAtt`, `!Sub`, `!If`, ...) become the values their JSON form would have: `!Ref X` is
`{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": "A.B"}`. Floats keep their text (`3.10`
stays "3.10": these files mean versions, not numbers). PyYAML is imported here only, so a scan
of a repository without YAML deployment files never imports it.
"""

from __future__ import annotations

from typing import Any

from depcheck.model import Location
from depcheck.topology.deploy.interface import DeployError


class YamlMap(dict[Any, Any]):
    """A mapping that knows the 1-based line of each of its keys (and of itself)."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        return self.key_lines.get(key, self.line)


def _loader() -> type[Any]:
    import yaml

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    def construct_map(loader: Any, node: Any) -> Any:
        data = YamlMap()
        data.line = node.start_mark.line + 1
        yield data
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            data[key] = loader.construct_object(value_node, deep=True)
            data.key_lines.setdefault(key, key_node.start_mark.line + 1)

    def construct_unknown(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = dict(loader.construct_mapping(node, deep=True))
        name = suffix.lstrip("!")
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        result = YamlMap()
        result.line = node.start_mark.line + 1
        result[key] = value
        return result

    def construct_float(loader: Any, node: Any) -> Any:
        # Compose reads `PYTHON_VERSION: 3.10` as the text "3.10", not the number 3.1
        return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    Loader.add_multi_constructor("!", construct_unknown)
    return Loader


_LOADER: type[Any] | None = None


def load_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; `DeployError` (naming the line) when it is not valid YAML."""
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader()
    try:
        return yaml.load(text, Loader=_LOADER)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DeployError(Location(path, line), f"not valid YAML: {problem}") from None
