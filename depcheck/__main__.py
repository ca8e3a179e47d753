"""`python -m depcheck`: the same entry point as the `depcheck` console script."""

from __future__ import annotations

from depcheck.cli import entrypoint

if __name__ == "__main__":
    entrypoint()
