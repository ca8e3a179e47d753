"""The choice of topology for a scan: which services share which host.

`topology_for` picks the topology `--hosts-from` asks for: `config` (the config's hosts, else one
host `default`), `deploy`, `single` (one host `default`), or `auto` (the config's hosts if it
declares any, else the deployment files' if they place any service, else one host `default`).
The deployment files are read by `topology/deployed.py`, imported only when a scan looks for
them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.config import Config
from depcheck.topology.discover import DEFAULT_HOST, Topology, build_topology, left_out_note
from depcheck.topology.environment import EnvironmentDefaults

HOSTS_FROM = ("auto", "config", "deploy", "single")


def topology_for(
    root: Path,
    config: Config | None,
    defaults: EnvironmentDefaults,
    *,
    include_dev: bool,
    hosts_from: str = "auto",
    include_examples: bool = False,
    allow_outside_root: bool = False,
) -> Topology:
    """The topology `--hosts-from` asks for (see the module docstring).

    Its `notes` say in one line each how hosts were decided and what discovery left out.
    """
    if hosts_from not in HOSTS_FROM:
        raise ValueError(f"hosts_from must be one of {', '.join(HOSTS_FROM)}, not {hosts_from!r}")
    if hosts_from == "config" or (hosts_from == "auto" and config is not None and config.hosts):
        topology = build_topology(
            root, config, defaults, include_dev=include_dev, include_examples=include_examples
        )
        how = (
            f"hosts from the config {config.path}"
            if config is not None and config.hosts
            else f"no hosts in the config: every service assumed on one host `{DEFAULT_HOST}`"
        )
        assumed = config is None or not config.hosts
        return replace(topology, notes=(how, *topology.notes), assumed=assumed)
    bare = replace(config, hosts=()) if config is not None else None
    topology = build_topology(
        root, bare, defaults, include_dev=include_dev, include_examples=include_examples
    )
    if hosts_from == "single":
        return replace(
            topology,
            notes=(
                f"--hosts-from single: every service on one host `{DEFAULT_HOST}`",
                *topology.notes,
            ),
        )
    # the deployment-file walk and mapping: only a scan that looks for deployment files
    from depcheck.topology.deployed import hosts_from_deploy, to_host

    include_dev = include_dev or (config.include_dev if config is not None else False)
    reserve = [service for service, _ in topology.left_out]
    found = hosts_from_deploy(
        root,
        topology.services,
        include_dev=include_dev,
        reserve=reserve,
        include_examples=include_examples,
        compose_files=config.compose_files if config is not None else (),
        allow_outside_root=allow_outside_root,
    )
    diagnostics = [*topology.diagnostics, *found.diagnostics]
    if not found.hosts:
        if hosts_from == "auto":
            what = "service" if config is not None and config.services else "directory"
            how = (
                f"no deployment file places a service: every {what} assumed on one host "
                f"`{DEFAULT_HOST}`"
                if found.files
                else f"no deployment files: every {what} assumed on one host `{DEFAULT_HOST}`"
            )
            if len(topology.services) < 2:
                how = ""
            return replace(
                topology,
                diagnostics=tuple(diagnostics),
                notes=tuple(n for n in (how, *topology.notes) if n),
                assumed=True,
            )
        message = (
            "--hosts-from deploy: no deployment file places a service (looked for Dockerfiles, "
            "compose.yaml, Procfile, SAM templates, serverless.yml)"
            if found.files
            else "--hosts-from deploy: no deployment files found (Dockerfile, compose.yaml, "
            "Procfile, template.yaml, serverless.yml)"
        )
        diagnostics.append(Diagnostic(Severity.ERROR, Location("."), message))
        return replace(topology, hosts=(), diagnostics=tuple(diagnostics))
    hosts = tuple(to_host(h, defaults) for h in found.hosts)
    placed = {s for h in hosts for s in h.services}
    alone = sorted(s.name for s in found.services if s.name not in placed)
    how = f"hosts from deployment files ({len(hosts)} {'host' if len(hosts) == 1 else 'hosts'})"
    if alone:
        shown = ", ".join(alone[:6]) + (f", … {len(alone) - 6} more" if len(alone) > 6 else "")
        how += (
            f"; {len(alone)} {'directory has' if len(alone) == 1 else 'directories have'} no "
            f"deployment file: checked on {'its' if len(alone) == 1 else 'their'} own ({shown})"
        )
    still_out = [(s, r) for s, r in topology.left_out if s.name not in found.brought_back]
    note = left_out_note(still_out)
    return Topology(
        services=found.services,
        hosts=hosts,
        diagnostics=tuple(diagnostics),
        config=topology.config,
        left_out=tuple(still_out),
        notes=(how, note) if note else (how,),
    )
