"""Print action.yml's steps as a workflow (JSON, which is YAML) for actionlint to check.

actionlint checks workflows, not action metadata: the composite action's steps become one job of
a reusable workflow whose `workflow_call` inputs are the action's inputs, so `${{ inputs.* }}`,
`steps.*.outputs`, the known actions' inputs and the expressions are all checked. Each step's name
is kept, so a finding can be traced back to action.yml.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def main(path: str) -> int:
    action = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    inputs = {}
    for name, spec in action.get("inputs", {}).items():
        default = str(spec.get("default", ""))
        inputs[name] = {
            "description": spec.get("description", ""),
            "type": "string",
            "required": False,
            # a workflow_call default cannot use the github context; an action's may
            "default": "" if "${{" in default else default,
        }
    steps = [dict(step) for step in action["runs"]["steps"]]
    workflow = {
        "name": action["name"],
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {"contents": "read", "security-events": "write", "pull-requests": "write"},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    json.dump(workflow, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "action.yml"))
