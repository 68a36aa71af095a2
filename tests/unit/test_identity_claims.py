"""bytebridge.identity: the caller from API Gateway's Cognito authorizer claims, in every shape they arrive."""

import pytest

from bytebridge.identity import (
    CLIENTS,
    OPERATORS,
    Unauthenticated,
    WrongGroup,
    caller_of,
    parse_groups,
    require_group,
)


def _event(claims: dict | None) -> dict:
    return {"requestContext": {"authorizer": {"claims": claims} if claims is not None else {}}}


@pytest.mark.parametrize(
    "value",
    [
        "clients,operators",
        "[clients operators]",
        "clients operators",
        ["clients", "operators"],
        " [clients, operators] ",
    ],
)
def test_groups_in_every_shape(value):
    assert parse_groups(value) == {CLIENTS, OPERATORS}


def test_no_groups():
    assert parse_groups(None) == frozenset() and parse_groups("") == frozenset() and parse_groups("[]") == frozenset()


def test_caller_of_reads_the_claims():
    caller = caller_of(_event({"sub": "s-1", "email": "a@b.c", "cognito:groups": "clients", "custom:user_id": "U_1"}))
    assert (caller.sub, caller.email, caller.groups, caller.user_id) == ("s-1", "a@b.c", {CLIENTS}, "U_1")
    assert caller_of(_event({"sub": "s-2"})).user_id is None


@pytest.mark.parametrize("event", [{}, {"requestContext": {}}, _event(None), _event({"email": "a@b.c"})])
def test_no_claims_is_unauthenticated(event):
    with pytest.raises(Unauthenticated):
        caller_of(event)


def test_require_group():
    operator = caller_of(_event({"sub": "s", "cognito:groups": "[operators]"}))
    assert require_group(operator, OPERATORS) is operator
    with pytest.raises(WrongGroup) as refused:
        require_group(operator, CLIENTS)
    assert refused.value.group == CLIENTS
