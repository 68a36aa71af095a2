"""What a signed call costs before its route runs, counted on the wire to moto: one consistent read of the account
and one conditional write of the replay record; KMS only on the first call that meets a sealed secret (the secret
is then held decrypted in memory, briefly). Revoking a secret, rotating or changing the account still takes effect
at once, because the account is read on every call."""

from collections import Counter
from collections.abc import Iterator

import botocore.client
import pytest
from botocore.exceptions import ClientError

from bytebridge import clock, secret_store
from bytebridge.dal.accounts import AccountModel, active_secrets
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import create_account, revoke_secret, rotate_secret
from tests.support.client import ClientApi
from tests.support.client_api import assert_error

TEMPLATES = "/api/v1/flows/templates"  # a route that reads nothing itself: every request counted is the check's


class Wire:
    """Every AWS API call made in this process (boto3 and pynamodb alike), as (service, operation, table)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.conditional: list[bool] = []  # per call: did it carry a ConditionExpression

    def counts(self) -> Counter:
        return Counter(self.calls)


@pytest.fixture
def wire(monkeypatch) -> Iterator[Wire]:
    recorded = Wire()
    real = botocore.client.BaseClient._make_api_call

    def counting(client, operation_name, api_params):
        table = api_params.get("TableName") if isinstance(api_params, dict) else None
        recorded.calls.append((client.meta.service_model.service_name, operation_name, table))
        recorded.conditional.append(isinstance(api_params, dict) and "ConditionExpression" in api_params)
        return real(client, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    yield recorded


def _call(api: ClientApi, wire: Wire) -> tuple[dict, Counter]:
    wire.calls.clear()
    wire.conditional.clear()
    out = api.call(TEMPLATES, {})
    return out, wire.counts()


def test_a_warm_signed_call_makes_one_read_and_one_conditional_write_and_no_kms_call(api, wire):
    cold, _ = _call(api, wire)
    warm, counts = _call(api, wire)

    assert cold["code"] == 0 and warm["code"] == 0
    assert sum(counts.values()) == 2, counts
    services = {service for service, _op, _table in counts}
    assert services == {"dynamodb"}, counts
    assert sorted((op, table) for _service, op, table in wire.calls) == [
        ("GetItem", AccountModel.Meta.table_name),
        ("PutItem", SeenRequestModel.Meta.table_name),
    ]
    assert wire.conditional[[op for _s, op, _t in wire.calls].index("PutItem")]


def test_the_first_call_decrypts_each_secret_once(api, wire):
    secret_store.forget_unsealed()

    _call(api, wire)
    first = wire.counts()
    _call(api, wire)
    second = wire.counts()

    assert sum(n for (service, _op, _t), n in first.items() if service == "kms") == 1
    assert sum(n for (service, _op, _t), n in second.items() if service == "kms") == 0


def test_a_rotated_secret_works_at_once_and_a_revoked_one_stops_at_once(api, wire):
    old_secret = api.secret
    _call(api, wire)  # the old secret is now cached decrypted
    _key_id, new_secret = rotate_secret(api.user_id)

    assert ClientApi(api.user_id, new_secret).call(TEMPLATES, {})["code"] == 0
    assert ClientApi(api.user_id, old_secret).call(TEMPLATES, {})["code"] == 0
    revoke_secret(api.user_id, "k1")

    assert_error(ClientApi(api.user_id, old_secret).call(TEMPLATES, {}), ErrorCode.SIGNATURE_FAILED, api)
    assert ClientApi(api.user_id, new_secret).call(TEMPLATES, {})["code"] == 0


def test_a_deleted_account_stops_signing_at_once(api, wire):
    assert _call(api, wire)[0]["code"] == 0
    AccountModel.get(api.user_id).delete()

    out = api.call(TEMPLATES, {})

    assert_error(out, ErrorCode.USER_NOT_FOUND, api)


def test_a_cached_secret_is_bound_to_its_ciphertext_and_account(api):
    """A sealed secret copied onto another account's row is not served from the cache (the key is the account and
    the ciphertext) but sent to KMS, which refuses it: the ciphertext is bound to its account."""
    assert api.call(TEMPLATES, {})["code"] == 0  # the secret is now cached decrypted for api's account
    mine = AccountModel.get(api.user_id).secrets[0].ciphertext
    other_id, _other_secret = create_account("other@example.com", card_bound=True)
    theirs = AccountModel.get(other_id)
    theirs.secrets[0].ciphertext = mine

    with pytest.raises(ClientError, match="InvalidCiphertext"):
        active_secrets(theirs)


def test_a_decrypted_secret_is_forgotten_after_its_ttl(api, wire):
    _call(api, wire)
    clock.advance(secret_store.UNSEALED_TTL_MS / 1000 + 1)

    out, counts = _call(api, wire)

    assert out["code"] == 0
    assert sum(n for (service, _op, _t), n in counts.items() if service == "kms") == 1
