"""depcheck: find dependency-version conflicts between Python services that share a host."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
