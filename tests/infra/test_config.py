"""Stage selection and naming, and the layer's bundling command (no synth needed)."""

import pytest
from aws_cdk import App

from bytebridge.settings import resource_name
from infra import bundling, lambda_factory
from infra.config import StageConfig
from infra.stack import build_app

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_names_follow_the_layers_resource_name(monkeypatch, stage):
    """What the stack names a table/queue/function is what the deployed code looks up."""
    monkeypatch.setenv("BYTEBRIDGE_STAGE", stage)
    assert StageConfig(stage=stage).name("items") == resource_name("items")


def test_stage_comes_from_context_and_is_validated():
    assert StageConfig.from_context(App(context={"stage": "prod"}).node).stage == "prod"
    assert StageConfig.from_context(App().node).stage == "dev"
    with pytest.raises(ValueError, match="unknown stage 'qa'"):
        StageConfig.from_context(App(context={"stage": "qa"}).node)
    with pytest.raises(ValueError, match="notifyFrom"):
        StageConfig(stage="dev", notify_from="not-an-address")


def test_app_builds_the_stack_of_the_context_stage():
    app = build_app(context={"stage": "prod", "alarmEmail": "ops@example.com"})
    assert [child.node.id for child in app.node.children if child.node.id.startswith("ByteBridge")] == [
        "ByteBridge-prod"
    ]


def test_pip_installs_wheels_for_lambdas_arm64_python312(tmp_path):
    command = bundling.pip_command(tmp_path)
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    # Amazon Linux 2023 has glibc 2.34: numpy's manylinux_2_28 wheels and the older manylinux2014 ones, no newer.
    assert {"manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"} <= set(platforms)
    assert "manylinux_2_34_aarch64" in platforms and "manylinux_2_35_aarch64" not in platforms
    assert all(p.endswith("_aarch64") for p in platforms)
    assert command[command.index("--python-version") + 1] == "3.12"
    assert "--only-binary=:all:" in command
    assert command[command.index("--target") + 1] == str(tmp_path)
    assert command[command.index("-r") + 1] == str(bundling.ROOT / "requirements.txt")
    assert command[command.index("-c") + 1] == str(bundling.ROOT / "constraints.txt")


def test_layer_is_built_for_the_functions_runtime():
    assert lambda_factory.RUNTIME.name == f"python{bundling.PYTHON_VERSION}"


def test_layer_hash_follows_the_pins_as_well_as_the_code(tmp_path, monkeypatch):
    requirements, constraints = tmp_path / "requirements.txt", tmp_path / "constraints.txt"
    requirements.write_text("pynamodb==6.1.0\n")
    constraints.write_text("")
    monkeypatch.setattr(bundling, "PIN_FILES", (requirements, constraints))
    before = bundling.source_hash()
    assert bundling.source_hash() == before  # stable
    requirements.write_text("pynamodb==6.1.1\n")
    assert bundling.source_hash() != before
    after_pin = bundling.source_hash()
    monkeypatch.setattr(bundling, "PYTHON_VERSION", "3.13")  # other wheels, another layer
    assert bundling.source_hash() != after_pin
