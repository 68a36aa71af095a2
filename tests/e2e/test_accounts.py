"""Accounts on the running platform as a person makes them: `make account` (sign-up through /auth/v1 with the code
from the local outbox), `make operator`, and the demo operator `make run` prints."""

import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

from bytebridge.signing import signed_headers
from local.platform import DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.xdist_group("platform")


def _module(platform, *args: str) -> subprocess.CompletedProcess:
    port = str(urlsplit(platform.base_url).port)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared/python", "functions", "")),
    }
    return subprocess.run(
        [sys.executable, "-m", *args, "--port", port], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )


def _sign_in(platform, email: str, password: str) -> requests.Response:
    return requests.post(f"{platform.base_url}/auth/v1/signIn", json={"email": email, "password": password}, timeout=10)


def test_make_account_signs_up_through_the_real_path_and_the_secret_signs_requests(platform):
    done = _module(platform, "local.account", "--email", "e2e.client@example.com", "--password", "E2e-passw0rd")
    assert done.returncode == 0, done.stderr
    account = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(account) == {"userId", "secretKey"} and account["userId"].startswith("U_")

    body = json.dumps({"userId": account["userId"], "params": {"projectId": "p1_nothing"}})
    headers = signed_headers(account["userId"], body, account["secretKey"], int(time.time() * 1000))
    answer = requests.post(
        f"{platform.base_url}/api/v1/projects/retrieveProject", data=body, headers=headers, timeout=10
    )
    assert answer.json()["code"] == 8  # signature accepted: the project does not exist

    mails = requests.get(f"{platform.base_url}/local/outbox", params={"to": "e2e.client@example.com"}, timeout=10)
    assert mails.status_code == 200 and len(mails.json()) == 1  # the verification mail

    tokens = _sign_in(platform, "e2e.client@example.com", "E2e-passw0rd").json()
    bearer = {"Authorization": f"Bearer {tokens['idToken']}"}
    me = requests.get(f"{platform.base_url}/account/v1/me", headers=bearer, timeout=10)
    assert me.status_code == 200 and me.json()["userId"] == account["userId"]
    assert requests.get(f"{platform.base_url}/account/v1/me", timeout=10).status_code == 401
    assert (
        requests.post(f"{platform.base_url}/local/accounts", json={"email": "x@example.com"}, timeout=10).status_code
        == 404
    )


def test_demo_operator_and_make_operator(platform):
    signed_in = _sign_in(platform, DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    done = _module(platform, "infra.operators", "--email", "e2e.ops@example.com", "--password", "E2e-0perator")
    assert done.returncode == 0, done.stderr
    tokens = _sign_in(platform, "e2e.ops@example.com", "E2e-0perator").json()
    client_route = requests.get(
        f"{platform.base_url}/account/v1/me", headers={"Authorization": f"Bearer {tokens['idToken']}"}, timeout=10
    )
    assert client_route.status_code == 403  # staff are not clients
