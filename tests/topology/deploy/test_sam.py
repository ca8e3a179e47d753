"""AWS SAM / CloudFormation: a function and its layers share a host; the runtime sets Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depcheck.fs import Tree
from depcheck.topology.deploy.interface import DeployError, DeployRead
from depcheck.topology.deploy.names import is_template_name
from depcheck.topology.deploy.sam import SamReader, python_of_runtime
from tests.conftest import FIXTURES, write_tree


def hosts(result: DeployRead) -> dict[str, tuple[list[str], str | None, str | None]]:
    return {h.name: (sorted(i.path for i in h.installs), h.python, h.machine) for h in result.hosts}


def test_the_lambda_fixture() -> None:
    result = SamReader().read(Tree(FIXTURES / "deploy" / "lambda"), "template.yaml")
    assert hosts(result) == {
        "OrdersFunction": (["functions/orders", "layers/shared"], "3.12", None),
        "ReportsFunction": (["functions/reports", "layers/shared"], "3.11", "aarch64"),
        "ThumbnailsFunction": (
            ["functions/thumbnails/requirements.txt", "layers/shared"],
            "3.12",
            None,
        ),
    }
    assert {h.name: str(h.origin) for h in result.hosts} == {
        "OrdersFunction": "template.yaml:27",
        "ReportsFunction": "template.yaml:35",
        "ThumbnailsFunction": "template.yaml:43",
    }
    assert result.dockerfiles == ("functions/thumbnails/Dockerfile",)
    (warning,) = result.diagnostics
    assert str(warning.location) == "template.yaml:32"
    assert "AWSLambdaPowertoolsPythonV2" in warning.message
    assert "not checked" in warning.message


def test_other_runtimes_parameters_and_plain_cloudformation(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "fn/requirements.txt": "x\n",
            "layer/requirements.txt": "y\n",
            "template.yaml": "Parameters:\n"
            "  Runtime:\n"
            "    Type: String\n"
            "    Default: python3.13\n"
            "Resources:\n"
            "  Node:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties: {CodeUri: fn/, Runtime: nodejs20.x}\n"
            "  Layer:\n"
            "    Type: AWS::Lambda::LayerVersion\n"
            "    Properties: {Content: layer}\n"
            "  Plain:\n"
            "    Type: AWS::Lambda::Function\n"
            "    Properties:\n"
            "      Code: fn\n"
            "      Runtime: !Ref Runtime\n"
            "      Layers: [!Ref Layer]\n",
        },
    )
    result = SamReader().read(Tree(tmp_path), "template.yaml")
    assert hosts(result) == {"Plain": (["fn", "layer"], "3.13", None)}


def test_json_templates(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "src", "Runtime": "python3.10"},
            }
        }
    }
    write_tree(
        tmp_path,
        {"src/requirements.txt": "x\n", "template.json": json.dumps(template, indent=2)},
    )
    result = SamReader().read(Tree(tmp_path), "template.json")
    assert hosts(result) == {"Fn": (["src"], "3.10", None)}
    assert result.hosts[0].origin.line == 3


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"template.yaml": "Resources:\n  Fn: [AWS::Serverless::Function\n"})
    with pytest.raises(DeployError, match=r"template.yaml:3: not valid YAML"):
        SamReader().read(Tree(tmp_path), "template.yaml")


def test_names_and_runtimes() -> None:
    assert is_template_name("template.yaml")
    assert is_template_name("infra.template.yml")
    assert not is_template_name("values.yaml")
    assert python_of_runtime("python3.12") == "3.12"
    assert python_of_runtime("nodejs20.x") is None
