"""Serverless Framework: each function is a host with its module's requirements and its layers."""

from __future__ import annotations

from pathlib import Path

from depcheck.fs import Tree
from depcheck.topology.deploy.serverless import ServerlessReader, layer_logical_id
from tests.conftest import FIXTURES, write_tree


def test_the_serverless_fixture() -> None:
    result = ServerlessReader().read(Tree(FIXTURES / "deploy" / "sls"), "serverless.yml")
    assert {
        h.name: (sorted(i.path for i in h.installs), h.python, h.machine, str(h.origin))
        for h in result.hosts
    } == {
        "export": (["handlers/export/requirements.txt"], "3.11", "aarch64", "serverless.yml:30"),
        "hello": (
            ["handlers/hello/requirements.txt", "layers/common"],
            "3.12",
            None,
            "serverless.yml:25",
        ),
    }
    assert result.diagnostics == ()


def test_service_requirements_variables_and_external_layers(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "deps.txt": "x\n",
            "serverless.yml": "service: s\n"
            "custom:\n"
            "  py: python3.11\n"
            "  pythonRequirements: {fileName: deps.txt, layer: true}\n"
            "provider: {name: aws, runtime: '${self:custom.py}'}\n"
            "functions:\n"
            "  a:\n"
            "    handler: a.main\n"
            "    layers:\n"
            "      - {Ref: PythonRequirementsLambdaLayer}\n"
            "      - arn:aws:lambda:eu-west-1:1:layer:x:1\n"
            "  b:\n"
            "    handler: b.main\n"
            "    runtime: nodejs20.x\n",
        },
    )
    result = ServerlessReader().read(Tree(tmp_path), "serverless.yml")
    ((name, installs, python),) = [
        (h.name, sorted({i.path for i in h.installs}), h.python) for h in result.hosts
    ]
    assert (name, installs, python) == ("a", ["deps.txt"], "3.11")
    (warning,) = result.diagnostics
    assert str(warning.location) == "serverless.yml:9"
    assert "arn:aws:lambda:eu-west-1:1:layer:x:1" in warning.message


def test_layer_logical_ids() -> None:
    assert layer_logical_id("common") == "CommonLambdaLayer"
    assert layer_logical_id("common-deps") == "CommonDashdepsLambdaLayer"
    assert layer_logical_id("my_layer") == "My_layerLambdaLayer".replace("_", "Underscore")
