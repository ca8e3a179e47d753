"""Hosts read from deployment files: Dockerfiles, Compose, Procfiles, AWS SAM, Serverless.

The map of which services share an environment usually exists already in how a repository is
deployed. Each module reads one format statically (nothing is built, run or pulled) into
`DeployHost`s (`interface.py`): `dockerfile/` (a package: parser, base images, path model,
evaluator), `compose.py`, `procfile.py`, `sam.py`, `serverless.py`, with `installers.py` and
`shell.py` for the install commands they run and `yamlfile.py` for the YAML they are written in.
`topology/deployed.py` finds the files and maps what each host installs back to services,
`topology/select.py` chooses the topology `--hosts-from` asks for; `recommend/images.py` states
a host's split in the same terms (images and the files each installs), `recommend/compose.py`
writes a suggested Compose file.
"""

from __future__ import annotations

from depcheck.topology.deploy.interface import DeployHost, Install, InstallKind

__all__ = ["DeployHost", "Install", "InstallKind"]
