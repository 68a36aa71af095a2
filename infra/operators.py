"""`make operator EMAIL=… [PASSWORD=…] [STAGE=dev|prod]`: enroll a staff account in the `operators` group of a
stage's user pool (operators never sign up). Against a deployed stage it uses your AWS credentials and finds the
pool by name (bytebridge-<stage>-users); against the running local platform (the default) it asks the platform
(`POST /local/operators`), whose emulated AWS is not reachable from outside (local.s3_door). The first operator of
a stage can also come with the deploy: `cdk deploy -c operatorEmail=…` (infra.identity_construct)."""

import argparse
import json
import os
import secrets
import sys
import urllib.error
import urllib.request

from infra import identity_spec


def enroll_locally(port: int, email: str, password: str) -> None:
    """The operator on the running `make run` platform; exits with the platform's refusal, if any."""
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/local/operators", body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30):
            return
    except urllib.error.HTTPError as exc:
        sys.exit(f"error: {json.loads(exc.read() or b'{}').get('error', exc.reason)}")
    except OSError as exc:
        sys.exit(f"error: cannot reach the local platform on port {port} ({exc}): is `make run` running?")


def find_pool(idp, name: str) -> str:
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return str(pool["Id"])
    raise SystemExit(f"error: no user pool named {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", default="", help="default: a generated one (printed once)")
    parser.add_argument("--stage", default="local", help="local (the running `make run`), dev or prod")
    parser.add_argument("--port", type=int, default=20000, help="local platform's port")
    args = parser.parse_args()
    os.environ["BYTEBRIDGE_STAGE"] = args.stage
    password = args.password or f"Op-{secrets.token_urlsafe(12)}7z"
    shown = password if not args.password else "as given"
    if args.stage == "local":
        enroll_locally(args.port, args.email, password)
        print(f"operator {args.email} is in the operators group of local (password: {shown})")
        return
    from bytebridge.aws import client, reset_clients
    from bytebridge.identity import OPERATORS
    from bytebridge.logic.users import UserError, create_staff
    from bytebridge.settings import resource_name

    reset_clients()
    try:
        os.environ["USER_POOL_ID"] = find_pool(client("cognito-idp"), resource_name(identity_spec.POOL_BASE))
    except Exception as exc:  # no platform / no credentials: say so plainly
        if isinstance(exc, SystemExit):
            raise
        sys.exit(f"error: cannot reach the {args.stage} user pool ({exc})")
    reset_clients()
    try:
        create_staff(args.email, password, OPERATORS)
    except UserError as exc:
        sys.exit(f"error: {exc.message}")
    print(f"operator {args.email} is in the operators group of {args.stage} (password: {shown})")


if __name__ == "__main__":
    main()
