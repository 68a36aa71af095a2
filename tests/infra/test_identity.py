"""The user pool (one pool, three groups, an app client without secret), the Cognito authorizer on the JWT prefixes
only, the auth API's admin grants, and the first operator from `-c operatorEmail`."""

import json

import pytest

from bytebridge.identity import GROUPS, OPERATORS
from infra import identity_spec
from infra.catalog import FUNCTIONS
from infra.grants import USER_POOL_SIGNUP_ACTIONS
from infra.stack import build_app
from tests.infra.cfn import ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def _pool(synth, stage: str = "dev") -> tuple[str, dict]:
    ((logical_id, pool),) = synth.resources("AWS::Cognito::UserPool", stage).items()
    return logical_id, pool["Properties"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_one_pool_with_email_usernames_our_password_policy_and_no_cognito_mail(synth, stage):
    _, pool = _pool(synth, stage)
    assert pool["UserPoolName"] == f"bytebridge-{stage}-users"
    assert pool["UsernameAttributes"] == ["email"]
    assert not pool.get("AutoVerifiedAttributes")  # the auth API mails its own codes
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "admin_only", "Priority": 1}]
    policy = pool["Policies"]["PasswordPolicy"]
    spec = identity_spec.PASSWORD_POLICY
    assert policy["MinimumLength"] == spec.minimum_length
    assert (policy["RequireUppercase"], policy["RequireLowercase"], policy["RequireNumbers"]) == (True, True, True)
    assert policy["RequireSymbols"] is True
    (custom,) = [a for a in pool["Schema"] if a["Name"] == "user_id"]
    assert custom["Mutable"] is True and custom["AttributeDataType"] == "String"
    assert (pool.get("DeletionProtection") == "ACTIVE") == (stage == "prod")


def test_groups_and_the_app_client(synth):
    pool_id, _ = _pool(synth)
    groups = {
        g["Properties"]["GroupName"]: g["Properties"] for g in synth.resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert set(groups) == set(GROUPS) == {"clients", "operators", "annotators"}
    assert all(ref_ids(g["UserPoolId"]) == {pool_id} for g in groups.values())
    ((_, client),) = synth.resources("AWS::Cognito::UserPoolClient").items()
    props = client["Properties"]
    assert ref_ids(props["UserPoolId"]) == {pool_id}
    assert props["GenerateSecret"] is False
    assert set(props["ExplicitAuthFlows"]) == set(identity_spec.CLIENT_AUTH_FLOWS)
    assert props["WriteAttributes"] == ["email"]  # never custom:user_id
    assert props["EnableTokenRevocation"] is True
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    # no operator unless the deploy names one
    assert not synth.resources("AWS::Cognito::UserPoolUser")


def test_the_cognito_authorizer_guards_the_jwt_prefixes_and_nothing_else(synth):
    pool_id, _ = _pool(synth)
    ((authorizer_id, authorizer),) = synth.resources("AWS::ApiGateway::Authorizer").items()
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    assert ref_ids(authorizer["Properties"]["ProviderARNs"]) == {pool_id}
    paths = {v: k for k, v in synth.api_paths().items()}
    by_path = {}
    for method in synth.resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        (resource,) = ref_ids(props["ResourceId"])
        by_path[paths[resource]] = props
    guarded = {p for spec in FUNCTIONS for p in spec.authorizer_prefixes}
    assert {"/account/v1", "/dashboard/v1"} <= guarded
    for spec in FUNCTIONS:
        for prefix in () if spec.http_api else spec.http_prefixes:  # the HTTP API's: tests/infra/test_api.py
            for path in (prefix, f"{prefix}/{{proxy+}}"):
                props = by_path[path]
                if prefix in guarded:
                    assert props["AuthorizationType"] == "COGNITO_USER_POOLS", path
                    assert ref_ids(props["AuthorizerId"]) == {authorizer_id}, path
                else:
                    assert props.get("AuthorizationType", "NONE") == "NONE", path
    assert by_path["/auth/v1/{proxy+}"].get("AuthorizationType", "NONE") == "NONE"
    (response,) = synth.resources("AWS::ApiGateway::GatewayResponse").values()
    assert response["Properties"]["ResponseType"] == "UNAUTHORIZED"
    body = json.loads(response["Properties"]["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "unauthenticated"


def test_functions_know_the_pool_and_only_the_auth_api_administers_it(synth):
    pool_id, _ = _pool(synth)
    ((client_id, _),) = synth.resources("AWS::Cognito::UserPoolClient").items()
    for spec in FUNCTIONS:
        function = synth.raw["dev"]["Resources"][synth.function_id(spec.name)]
        variables = function["Properties"]["Environment"]["Variables"]
        assert ref_ids(variables["USER_POOL_ID"]) == {pool_id}
        assert ref_ids(variables["USER_POOL_CLIENT_ID"]) == {client_id}
        granted = synth.grants(synth.function_role(synth.function_id(spec.name)))
        if spec.name == "auth-api":
            assert granted[pool_id] == set(USER_POOL_SIGNUP_ACTIONS)
        else:
            assert pool_id not in granted, spec.name


def test_operator_email_creates_the_first_operator(tmp_path):
    app = build_app(stages=["dev"], context={"operatorEmail": "ops@example.com"}, outdir=str(tmp_path))
    template = app.synth().get_stack_by_name("ByteBridge-dev").template
    resources = template["Resources"]
    (user,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolUser"]
    assert user["Username"] == "ops@example.com" and user["MessageAction"] == "SUPPRESS"
    (attachment,) = [r for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolUserToGroupAttachment"]
    assert attachment["Properties"]["GroupName"] == OPERATORS
    assert attachment["Properties"]["Username"] == "ops@example.com"
    assert len(attachment["DependsOn"]) == 2  # the user and the operators group exist first
