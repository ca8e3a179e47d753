"""Analysis: PEP 440 algebra over a host's constraints, the conflict rules, ignores, baselines."""
