"""Every catalog function is deployed the same way (one factory), and gets exactly the grants its catalog
entry declares: no wildcard resources or actions beyond what X-Ray forces."""

import json
import os
import subprocess
import sys

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match

from infra import bundling
from infra.bundling import LAYER_SOURCE
from infra.catalog import FUNCTIONS, FunctionSpec, by_name
from infra.config import StageConfig
from infra.stack import NO_BUNDLING, ByteBridgeStack
from tests.infra.cfn import listed, ref_ids, wildcard_grants

pytestmark = pytest.mark.xdist_group("cdk")


def test_every_catalog_function_is_deployed_as_arm64_python312_with_json_logs_and_tracing(synth):
    functions = synth.catalog_functions()
    # besides the catalog's, only CDK's own function that copies the dashboard build into its bucket on deploy
    others = set(synth.resources("AWS::Lambda::Function")) - set(functions)
    assert len(others) == 1 and next(iter(others)).startswith("CustomCDKBucketDeployment")
    assert len(functions) == len(FUNCTIONS)
    # the shared layer, and the AWS CLI layer CDK's copier brings per dashboard deployment
    layers = [k for k in synth.resources("AWS::Lambda::LayerVersion") if not k.startswith("FrontendSite")]
    assert len(layers) == 1
    log_groups = synth.resources("AWS::Logs::LogGroup")
    for spec in FUNCTIONS:
        props = functions[synth.function_id(spec.name)]["Properties"]
        assert props["Runtime"] == "python3.12"  # Amazon Linux 2023: loads the layer's manylinux_2_28 wheels
        assert props["Architectures"] == ["arm64"]
        assert props["Handler"] == spec.handler
        assert props["Timeout"] == spec.timeout_seconds
        assert props["MemorySize"] == spec.memory_mb
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Layers"] == [{"Ref": layers[0]}]
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        (log_group,) = ref_ids(props["LoggingConfig"]["LogGroup"])
        assert log_groups[log_group]["Properties"]["LogGroupName"] == f"/aws/lambda/bytebridge-dev-{spec.name}"
        assert log_groups[log_group]["Properties"]["RetentionInDays"] == 14
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_SERVICE_NAME"] == spec.name
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ByteBridge"
        assert spec.environment.items() <= variables.items()


def test_prod_keeps_logs_longer(synth):
    for logical_id, group in synth.resources("AWS::Logs::LogGroup", "prod").items():
        assert group["Properties"]["RetentionInDays"] == 90, logical_id


def test_layer_is_arm64_python312_and_not_bundled_at_synth(synth):
    synth.template().has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {
            "CompatibleArchitectures": ["arm64"],
            "CompatibleRuntimes": ["python3.12"],
            "LayerName": "bytebridge-dev-shared",
        },
    )
    # Skipped bundling leaves the layer's asset pointing at its source folder: no pip install ran in this synth.
    assets = json.loads((synth.outdir / "ByteBridge-dev.assets.json").read_text())["files"]
    sources = {asset["displayName"]: asset["source"]["path"] for asset in assets.values() if "displayName" in asset}
    assert sources["Functions/SharedLayer/Code"] == str(LAYER_SOURCE)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_no_wildcard_resources_or_actions(synth, stage):
    assert wildcard_grants(synth.raw[stage]) == []


def _grants(synth, function: str) -> dict[str, set[str]]:
    """logical id of each resource the function's role may touch → the actions on it."""
    return synth.grants(synth.function_role(synth.function_id(function)))


def test_grants_follow_the_catalog_access_entries(synth):
    auto_accept = _grants(synth, "auto-accept")
    items = synth.table_id("items")
    assert "dynamodb:UpdateItem" in auto_accept[items]
    # Nothing it did not declare: no other table, no secrets key, no bucket.
    tables = set(synth.resources("AWS::DynamoDB::Table"))
    assert tables & set(auto_accept) == {items}
    secrets_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataSecretsKey"))
    assert secrets_key not in auto_accept

    client = _grants(synth, "client-api")
    assert client[secrets_key] == {"kms:Decrypt"}  # verify signatures; cannot seal new secrets
    (seal,) = [s for s in synth.role_statements(synth.function_id("client-api")) if "Condition" in s]
    assert listed(seal["Action"]) == ["kms:Encrypt"]  # bucket-import credentials only, by encryption context
    assert seal["Condition"] == {"StringLike": {"kms:EncryptionContext:purpose": "import:*"}}
    assert client[synth.table_id("accounts")] >= {"dynamodb:PutItem", "dynamodb:Query"}
    assert client[synth.function_id("export-job")] == {"lambda:InvokeFunction"}
    exports_bucket = next(k for k in synth.resources("AWS::S3::Bucket") if k.startswith("DataExportsBucket"))
    assert not any(a.startswith(("s3:Put", "s3:Delete")) for a in client[exports_bucket])  # read only

    callbacks = next(k for k in synth.resources("AWS::SQS::Queue") if k.startswith("WorkflowCallbacksQueue"))
    assert "sqs:SendMessage" in client[callbacks]

    statements = synth.role_statements(synth.function_id("notify-clients"))
    (statement,) = [s for s in statements if "ses:SendEmail" in listed(s["Action"])]
    rendered = str(statement["Resource"])
    assert "identity/noreply@bytebridge.example" in rendered and "identity/bytebridge.example" in rendered


def test_read_access_is_read_only(synth):
    sender = _grants(synth, "callback-sender")
    accounts = sender[synth.table_id("accounts")]
    assert "dynamodb:GetItem" in accounts
    assert not accounts & {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def test_every_access_entry_resolves(synth):
    """Each declared entry became a statement: the function's policy names the resource it declared."""
    for spec in FUNCTIONS:
        granted = _grants(synth, spec.name)
        for entry in spec.access:
            kind, name, *_ = entry.split(":")
            if kind == "table":
                assert synth.table_id(name) in granted, (spec.name, entry)
            elif kind == "function":
                assert synth.function_id(name) in granted, (spec.name, entry)
            elif kind == "queue":
                assert synth.queue_id(name) in granted, (spec.name, entry)
    assert by_name("client-api").access  # the check above is not vacuous


def test_unknown_access_entry_fails_the_synth():
    bad = FunctionSpec(
        name="typo", handler="scheduled.handler.auto_accept", description="x", access=("table:itmes:write",)
    )
    app = App(context=NO_BUNDLING)  # a bare App would pip-install the layer
    with pytest.raises(ValueError, match=r"typo: cannot grant 'table:itmes:write'"):
        ByteBridgeStack(app, "Broken", config=StageConfig(stage="dev"), functions=(bad,), queues=(), state_machines=())


def test_functions_get_the_settings_environment(synth):
    synth.template("prod").has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": "bytebridge-prod-client-api",
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "BYTEBRIDGE_STAGE": "prod",
                        "SECRETS_KEY_ID": "alias/bytebridge-prod-secrets",
                        "NOTIFY_FROM": "noreply@bytebridge.example",
                    }
                )
            },
        },
    )


def test_no_deployed_function_allows_private_callback_addresses(synth):
    """ALLOW_PRIVATE_CALLBACKS lets the local runtime's callbacks reach its loopback receiver; never deployed."""
    for stage in ("dev", "prod"):
        for function in synth.resources("AWS::Lambda::Function", stage).values():
            variables = function["Properties"].get("Environment", {}).get("Variables", {})
            assert "ALLOW_PRIVATE_CALLBACKS" not in variables
            # The local web stand-in (plain http for https links) and inline checks: the local runtime's only.
            assert "WEB_STANDIN" not in variables and "INGEST_CHECK_INLINE" not in variables


def test_the_layer_is_compiled_to_pyc_that_lambda_uses_without_its_sources_timestamps(tmp_path):
    """Lambda's /opt is read-only: without shipped .pyc every cold start compiles each module it imports. The
    bundling compiles them unchecked (zip timestamps are not the sources'): the .pyc is what runs."""
    package = tmp_path / "python" / "shipped"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("ANSWER = 'compiled'\n")
    assert bundling.compile_layer(tmp_path / "python", sys.executable)
    (pyc,) = (package / "__pycache__").glob("__init__.*.pyc")
    assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01  # hash-based, source never checked
    (package / "__init__.py").write_text("ANSWER = 'source, as unzipped with another timestamp and size'\n")
    answer = subprocess.run(
        [sys.executable, "-c", "import shipped; print(shipped.ANSWER)"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "python")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "compiled"


def test_the_layer_is_compiled_by_lambdas_python_only(monkeypatch):
    """.pyc files are per Python version: another version's would be ignored on Lambda."""
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    monkeypatch.setattr(bundling, "PYTHON_VERSION", here)
    assert bundling.lambda_python() == sys.executable
    monkeypatch.setattr(bundling, "PYTHON_VERSION", "2.1")
    assert bundling.lambda_python() is None
