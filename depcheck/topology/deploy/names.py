"""Which file names are deployment files: the only part of the deployment readers every scan needs.

Finding the files (`topology/deployed.py`) runs on every `--hosts-from auto` scan; the readers
themselves (Compose, Dockerfile, SAM, Serverless, Procfile) are imported only when such a file
exists. Each reader module re-exports its predicate from here.
"""

from __future__ import annotations

import re

DOCKERFILE_RE = re.compile(r"^(dockerfile|containerfile)$|^dockerfile\.|\.dockerfile$", re.I)
SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml")
PROCFILE = "Procfile"


def is_dockerfile(name: str) -> bool:
    """`Dockerfile`, `Containerfile`, `Dockerfile.worker`, `api.Dockerfile` (no `.dockerignore`)."""
    lowered = name.lower()
    return bool(DOCKERFILE_RE.search(lowered)) and not lowered.endswith(".dockerignore")


def is_compose_file(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered.startswith(("compose.", "docker-compose."))
        and lowered.endswith((".yaml", ".yml"))
        and lowered.count(".") <= 2
    )


def is_template_name(name: str) -> bool:
    """File names `sam build` and CloudFormation users give templates."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "template" in lowered
    return lowered.endswith((".yaml", ".yml")) and (
        "template" in lowered or lowered.startswith(("sam.", "sam-", "cloudformation"))
    )
