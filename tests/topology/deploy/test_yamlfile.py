"""Safe YAML for deployment files: key lines, CloudFormation tags, versions kept as text, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.topology.deploy.interface import DeployError
from depcheck.topology.deploy.yamlfile import YamlMap, load_yaml

BAD = Path(__file__).parent / "assets" / "bad-yaml"


def test_mappings_remember_the_line_of_each_key() -> None:
    data = load_yaml("name: app\nprovider:\n  runtime: python3.12\n  memory: 512\n", "t.yml")
    assert isinstance(data, YamlMap)
    assert data.line_of("provider") == 2
    assert data["provider"].line_of("memory") == 4
    # a key it does not have answers with the mapping's own line
    assert data["provider"].line_of("missing") == data["provider"].line


def test_cloudformation_tags_become_their_json_form() -> None:
    text = "Role: !Ref AppRole\nArn: !GetAtt Fn.Arn\nName: !Sub '${AWS::StackName}-api'\n"
    data = load_yaml(text, "template.yaml")
    assert data["Role"] == {"Ref": "AppRole"}
    assert data["Arn"] == {"Fn::GetAtt": "Fn.Arn"}
    assert data["Name"] == {"Fn::Sub": "${AWS::StackName}-api"}


def test_floats_keep_their_text_because_they_mean_versions() -> None:
    data = load_yaml("python: 3.10\nother: 3.12\n", "x.yml")
    assert data == {"python": "3.10", "other": "3.12"}


def test_python_objects_are_never_built() -> None:
    with pytest.raises(DeployError):
        load_yaml("x: !!python/object/apply:os.system ['true']\n", "evil.yml")


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("unclosed-flow.yaml", 3, "not valid YAML: expected the node content"),
        ("bad-indent.yaml", 4, "not valid YAML: expected <block end>"),
        ("unknown-alias.yaml", 1, "not valid YAML: found undefined alias 'nowhere'"),
        ("alias-bomb.yaml", 5, "not read: its aliases expand it to more than"),
        ("deep.yaml", 1, "not read: nested deeper than"),
    ],
)
def test_bad_documents_are_one_error_at_their_line(name: str, line: int, message: str) -> None:
    with pytest.raises(DeployError) as raised:
        load_yaml((BAD / name).read_text(encoding="utf-8"), name)
    assert raised.value.location.path == name
    assert raised.value.location.line == line
    assert message in str(raised.value)
