"""EventBridge schedules: one rule per catalog function with a `schedule`, targeting that function."""

import pytest

from infra.catalog import FUNCTIONS
from tests.infra.cfn import ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def test_every_scheduled_function_has_its_rule(synth):
    rules = {r["Properties"]["Name"]: r["Properties"] for r in synth.resources("AWS::Events::Rule").values()}
    scheduled = [spec for spec in FUNCTIONS if spec.schedule]
    assert scheduled  # delivery's jobs
    assert set(rules) == {f"bytebridge-dev-{spec.name}" for spec in scheduled}
    permissions = synth.resources("AWS::Lambda::Permission")
    for spec in scheduled:
        rule = rules[f"bytebridge-dev-{spec.name}"]
        assert rule["ScheduleExpression"] == spec.schedule
        assert rule["State"] == "ENABLED"
        (target,) = rule["Targets"]
        function = synth.function_id(spec.name)
        assert ref_ids(target["Arn"]) == {function}
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 1800, "MaximumRetryAttempts": 2}
        assert any(
            ref_ids(p["Properties"]["FunctionName"]) == {function}
            and p["Properties"]["Principal"] == "events.amazonaws.com"
            for p in permissions.values()
        ), spec.name
