"""Stripe in the stack: its keys in one Secrets Manager secret sealed with the secrets key, read only by the functions
that move money on cards; the webhook endpoint on the API; the scheduled top-up on its schedule."""

import pytest

from infra.catalog import FUNCTIONS

pytestmark = pytest.mark.xdist_group("cdk")

# the dashboard API runs the signed API's routes (setupCard, confirm, refund): the same access
CARD_FUNCTIONS = {"client-api", "dashboard-api", "stripe-webhook", "scheduled-top-ups"}


def _stripe_secret(synth) -> str:
    return synth.named("AWS::SecretsManager::Secret", "Name", "stripe")


def test_the_stripe_keys_are_one_secret_sealed_with_the_secrets_key(synth):
    props = synth.resources("AWS::SecretsManager::Secret")[_stripe_secret(synth)]["Properties"]
    secrets_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataSecretsKey"))

    assert props["KmsKeyId"] == {"Fn::GetAtt": [secrets_key, "Arn"]}
    template = props["GenerateSecretString"]["SecretStringTemplate"]
    assert "secretKey" in template and "publishableKey" in template
    assert props["GenerateSecretString"]["GenerateStringKey"] == "webhookSecret"


def test_only_the_functions_that_move_money_on_cards_read_the_stripe_secret(synth):
    secret = _stripe_secret(synth)
    readers = set()
    for spec in FUNCTIONS:
        grants = synth.grants(synth.function_role(synth.function_id(spec.name)))
        if secret in grants:
            assert grants[secret] == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
            readers.add(spec.name)
    assert readers == CARD_FUNCTIONS


def test_the_webhook_is_served_on_the_api_without_an_authorizer(synth):
    paths = synth.api_paths()
    methods = synth.resources("AWS::ApiGateway::Method")
    proxies = [
        m["Properties"]
        for m in methods.values()
        if m["Properties"].get("ResourceId") == {"Ref": paths.get("/stripe/v1/{proxy+}")}
    ]

    assert proxies, sorted(paths)
    assert all(p.get("AuthorizationType", "NONE") == "NONE" for p in proxies)  # Stripe signs; it has no token


def test_the_scheduled_top_up_runs_hourly(synth):
    function = synth.function_id("scheduled-top-ups")
    rules = [
        r["Properties"]
        for r in synth.resources("AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [function, "Arn"]} for t in r["Properties"].get("Targets", []))
    ]

    assert [r["ScheduleExpression"] for r in rules] == ["rate(1 hour)"]
