"""Safe YAML for deployment files: line numbers for keys, CloudFormation tags as plain values.

PyYAML's `SafeLoader` (never an unsafe loader: these files come from the scanned repository) with
two additions. Mappings load as `YamlMap`, a dict that remembers the line of each key, so a host
can say which line made it. Tags the safe loader does not know (CloudFormation's `!Ref`,
`!GetAtt`, `!Sub`, `!If`, ...) become the values their JSON form would have: `!Ref X` is
`{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": "A.B"}`. Floats keep their text (`3.10`
stays "3.10": these files mean versions, not numbers). PyYAML is imported here only, so a scan
of a repository without YAML deployment files never imports it.

Bounded: a document's cost is linear in its size. Aliases share one node, but every reader that
walks the result (and every message that shows part of it) pays for the expanded tree, so a
1 KB "billion laughs" would take minutes: a document whose aliases expand it past
`EXPANSION_PER_BYTE` nodes per byte (at least `MIN_EXPANSION`) is refused, as is one nested
deeper than `MAX_DEPTH` (PyYAML composes recursively).
"""

from __future__ import annotations

from typing import Any

from depcheck.model import Location
from depcheck.topology.deploy.interface import DeployError

#: expanded nodes allowed per byte of the document, and at least
EXPANSION_PER_BYTE = 4
MIN_EXPANSION = 10_000
#: the deepest nesting read (real templates stay below 30)
MAX_DEPTH = 200


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
        expansion_budget = MIN_EXPANSION
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise _Refused(mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def compose_document(self) -> Any:
            node = super().compose_document()
            _check_expansion(node, self.expansion_budget)
            return node

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

    def construct_int(loader: Any, node: Any) -> Any:
        text = loader.construct_scalar(node)
        # past Python's 4300-digit limit int() raises: such a "number" stays the text it is
        return text if len(text) > 4300 else loader.construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_multi_constructor("!", construct_unknown)
    return Loader


class _Refused(Exception):
    """A document refused before it is constructed: its line and why."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _check_expansion(root: Any, budget: int) -> None:
    """Refuse a composed document whose tree, with every alias expanded, has more than
    `budget` nodes. Linear: each distinct node's expanded size is computed once."""
    import yaml

    size: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size and not done:
            continue
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not done:
            size[id(node)] = 0  # in progress: a recursive alias counts as nothing here
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            continue
        total = 1 + sum(size.get(id(child), 0) for child in children)
        if total > budget:
            raise _Refused(
                node.start_mark.line + 1,
                f"its aliases expand it to more than {budget} nodes (an alias bomb?)",
            )
        size[id(node)] = total


_LOADER: type[Any] | None = None


def load_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; `DeployError` (naming the line) when it is not valid YAML."""
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader()
    try:
        # a SafeLoader subclass: no arbitrary objects; its reader already refuses control
        # characters (a YAML error too) when it is made
        loader = _LOADER(text)
    except yaml.YAMLError as exc:
        raise DeployError(Location(path), f"not valid YAML: {exc}".splitlines()[0]) from None
    loader.expansion_budget = max(MIN_EXPANSION, EXPANSION_PER_BYTE * len(text))
    try:
        return loader.get_single_data()
    except _Refused as exc:
        raise DeployError(Location(path, exc.line), f"not read: {exc.reason}") from None
    except RecursionError:
        raise DeployError(
            Location(path), f"not read: nested deeper than {MAX_DEPTH} levels"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DeployError(Location(path, line), f"not valid YAML: {problem}") from None
    finally:
        loader.dispose()
