"""`make operator EMAIL=… [PASSWORD=…] [STAGE=dev|prod]`: enroll a staff account in the `operators` group of a
stage's user pool (operators never sign up). Against a deployed stage it uses your AWS credentials and finds the
pool by name (bytebridge-<stage>-users); against the running local platform (the default) it talks to the
platform's emulated AWS endpoint (port + 1, the one presigned downloads use). The first operator of a stage can
also come with the deploy: `cdk deploy -c operatorEmail=…` (infra.identity_construct)."""

import argparse
import os
import secrets
import sys

from infra import identity_spec

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


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
    if args.stage == "local":
        os.environ.update({**LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{args.port + 1}"})
        os.environ.pop("AWS_SESSION_TOKEN", None)
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
    password = args.password or f"Op-{secrets.token_urlsafe(12)}7z"
    try:
        create_staff(args.email, password, OPERATORS)
    except UserError as exc:
        sys.exit(f"error: {exc.message}")
    shown = password if not args.password else "as given"
    print(f"operator {args.email} is in the operators group of {args.stage} (password: {shown})")


if __name__ == "__main__":
    main()
