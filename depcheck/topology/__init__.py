"""Topology: which services exist, which files belong to each, and which services share a host.

`config.py` reads `depcheck.toml` / `[tool.depcheck]`; `discover.py` walks the tree for
services and their files; `deploy/` reads deployment files into hosts; `select.py` chooses
between the config's hosts, the deployment files' and one host for all (`--hosts-from`);
`environment.py` decides each host's Python and platform, and nothing else decides them.
"""
