"""Adversarial plan graphs: one host whose services clash along a chosen graph.

`write_graph(root, edges, n)` writes a repository of `n` services on one host (a `depcheck.toml`)
where services `u` and `v` clash exactly when `(u, v)` is an edge: each service `u` pins its own
package `star-u` at `==1`, and every later neighbour `v` pins `star-u==2` (a star per vertex, so
`n` packages and `n + |E|` requirement lines encode any graph). The plan step then has to colour
that graph (fewest groups) and cover it (fewest services to move out).

The families (`FAMILIES`) are the classic hard cases for graph colouring:

- `dense`: a random graph G(n, 0.5) (seeded): the chromatic number is far above the largest
  clique, so no exact search closes the gap in seconds;
- `mycielski`: the Mycielski graph M_k (k = 6: 47 vertices, chromatic number 6, no triangle),
  where the clique bound says 2 and only an exhaustive search proves more;
- `cliques`: disjoint cliques of growing size (exact at once: a clique meets its bound);
- `multipartite`: a complete multipartite graph (parts of equal size), k groups and no fewer.

And `exclusions` (`write_exclusions`), not a drawn graph but the ranges that made plans slow: `n`
services on one host, each with its own window `>=1.a,<1.b` on one package and 98 `!=` holes
(a hundred clauses, the most depcheck reads); two services clash when their windows miss.

    python benchmarks/plan_graphs.py OUT --family mycielski --size 6
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

Edges = list[tuple[int, int]]


def dense(size: int, *, seed: int = 1, density: float = 0.5) -> tuple[int, Edges]:
    rng = random.Random(seed)
    edges = [(u, v) for u in range(size) for v in range(u + 1, size) if rng.random() < density]
    return size, edges


def mycielski(order: int, *, seed: int = 1) -> tuple[int, Edges]:
    """M_order: M_2 is one edge; M_{k+1} adds a shadow of each vertex and one apex."""
    n, edges = 2, [(0, 1)]
    for _ in range(order - 2):
        shadow = [(u, v + n) for u, v in edges] + [(v, u + n) for u, v in edges]
        apex = [(n + i, 2 * n) for i in range(n)]
        edges = edges + shadow + apex
        n = 2 * n + 1
    return n, sorted((min(u, v), max(u, v)) for u, v in edges)


def cliques(count: int, *, seed: int = 1) -> tuple[int, Edges]:
    """Disjoint cliques of sizes 2, 3, ..., count + 1."""
    edges: Edges = []
    start = 0
    for size in range(2, count + 2):
        members = range(start, start + size)
        edges += [(u, v) for u in members for v in members if u < v]
        start += size
    return start, edges


def multipartite(parts: int, *, seed: int = 1, part_size: int = 8) -> tuple[int, Edges]:
    n = parts * part_size
    edges = [(u, v) for u in range(n) for v in range(u + 1, n) if u // part_size != v // part_size]
    return n, edges


FAMILIES: dict[str, Callable[..., tuple[int, Edges]]] = {
    "dense": dense,
    "mycielski": mycielski,
    "cliques": cliques,
    "multipartite": multipartite,
}
# the sizes the benchmark runs: (family, size) -> what the size means
DEFAULT_CASES: tuple[tuple[str, int], ...] = (
    ("dense", 200),
    ("mycielski", 6),
    ("cliques", 12),
    ("multipartite", 12),
    ("exclusions", 200),
)


def write_graph(root: Path, n: int, edges: Iterable[tuple[int, int]]) -> int:
    """Write the repository for a graph on vertices 0..n-1; returns the requirement lines."""
    width = len(str(max(n - 1, 1)))
    names = [f"s{i:0{width}}" for i in range(n)]
    pins: list[list[str]] = [[f"star-{i}==1"] for i in range(n)]
    for u, v in edges:
        low, high = min(u, v), max(u, v)
        pins[high].append(f"star-{low}==2")
    for name, lines in zip(names, pins, strict=True):
        directory = root / "services" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_host(root, names)
    return sum(len(lines) for lines in pins)


def write_exclusions(root: Path, n: int, *, seed: int = 1, holes: int = 98) -> int:
    """The `exclusions` case for `n` services; returns the pairs of services that clash."""
    rng = random.Random(seed)
    windows = []
    names = [f"s{i:03}" for i in range(n)]
    for index, name in enumerate(names):
        low = rng.randrange(0, 150)
        high = low + rng.randrange(5, 60)
        windows.append((low, high))
        holed = sorted(rng.sample(range(400), holes))
        clauses = [f">=1.{low}", f"<1.{high}", *(f"!=1.{h}.{index % 7}" for h in holed)]
        directory = root / "services" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "requirements.txt").write_text(
            f"exclusions{','.join(clauses)}\nsix==1.16.0\n", encoding="utf-8"
        )
    _write_host(root, names)
    # a window minus points is never empty, so two clash exactly when their windows miss
    return sum(
        1 for i, (a, b) in enumerate(windows) for c, d in windows[i + 1 :] if b <= c or d <= a
    )


def _write_host(root: Path, names: Sequence[str]) -> None:
    config = [f'[services.{name}]\npath = "services/{name}"\n' for name in names]
    listed = ", ".join(f'"{name}"' for name in names)
    config.append(f'[hosts.host]\nservices = [{listed}]\npython = "3.12"\nplatform = "linux"\n')
    (root / "depcheck.toml").write_text("\n".join(config), encoding="utf-8")


def generate_case(root: Path, family: str, size: int, *, seed: int = 1) -> tuple[int, int]:
    """Write one family's graph; returns (services, edges)."""
    if family == "exclusions":
        return size, write_exclusions(root, size, seed=seed)
    n, edges = FAMILIES[family](size, seed=seed)
    write_graph(root, n, edges)
    return n, len(edges)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--family", choices=sorted([*FAMILIES, "exclusions"]), default="mycielski")
    parser.add_argument("--size", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n, edges = generate_case(args.out, args.family, args.size, seed=args.seed)
    print(f"{args.out}: {n} services, {edges} clashing pairs ({args.family} {args.size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
