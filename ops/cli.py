"""The operators' command line, until the console screens exist: the operator API (/operator/v1) of a local or
deployed stage, signed in through /auth/v1 as a member of `operators`.

    make ops ARGS="reviews list"
    make ops ARGS="approve p12_AbCdEfGh [--trial-size 50]"
    make ops ARGS="reject p12_AbCdEfGh --reason flow_logic [--reason flow_wording] --note 'the options overlap'"
    make ops ARGS="trial-size p12_AbCdEfGh 50"
    make ops ARGS="disputes"
    make ops ARGS="reply p12_AbCdEfGh 'relabeled the two items' [--relabel i… --relabel i…]"
    make ops ARGS="start p12_AbCdEfGh"   (an audited override: starts without the client's confirm and pre-charge)
    make ops ARGS="prices p12_AbCdEfGh single_choice=1 [rectangle_frame_select=4]"   (negotiated, cents per task)
    make ops ARGS="messages p12_AbCdEfGh" / ARGS="message p12_AbCdEfGh 'text' [--item i…]"
    make ops ARGS="audit [--day 2026-12-02]"
    make ops ARGS="inbox"   (threads with client messages the operators have not read, newest first)
    make ops ARGS="account client@example.com" / ARGS="account U_…"   (balance, card's last 4, projects; audited)
    make ops ARGS="billing-disputes"
    make ops ARGS="accept-dispute U_… d… 120 [--note 're-checked: the boxes miss']"   (amount in cents)
    make ops ARGS="reject-dispute U_… d… 'the results follow the instruction'"

Credentials: OPS_EMAIL / OPS_PASSWORD (default: the local demo operator `make run` creates); --url (default
http://127.0.0.1:20000, or OPS_URL). Answers are printed as JSON; a refused action exits 1 with its error.
"""

import argparse
import json
import os
import sys
from typing import Any

import requests

DEFAULT_URL = "http://127.0.0.1:20000"
# The demo operator of the local platform (local.platform.DEMO_OPERATOR_*): only the local runtime has it.
LOCAL_EMAIL = "operator@bytebridge.local"
LOCAL_PASSWORD = "Operator-demo-1"
REASONS = ("flow_logic", "flow_wording", "files_not_standard", "sensitive_content")


class OperatorApi:
    def __init__(self, url: str, email: str, password: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        credentials = {"email": email, "password": password}
        signed_in = self.http.post(f"{self.url}/auth/v1/signIn", json=credentials, timeout=30)
        if signed_in.status_code != 200:
            raise SystemExit(f"sign-in as {email} failed ({signed_in.status_code}): {signed_in.text}")
        self.http.headers["Authorization"] = f"Bearer {signed_in.json()['idToken']}"

    def call(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> Any:
        answer = self.http.request(method, f"{self.url}/operator/v1{path}", json=body, params=params, timeout=120)
        try:
            payload = answer.json()
        except ValueError:
            payload = {"error": {"code": "http", "message": answer.text}}
        if answer.status_code != 200:
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            raise SystemExit(f"{answer.status_code} {error.get('code', '')}: {error.get('message', payload)}")
        return payload


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="make ops ARGS=", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("OPS_URL", DEFAULT_URL))
    commands = p.add_subparsers(dest="command", required=True)
    reviews = commands.add_parser("reviews", help="the review queue")
    reviews.add_argument("what", choices=["list"], nargs="?", default="list")
    approve = commands.add_parser("approve", help="pass review: the trial starts")
    approve.add_argument("project_id")
    approve.add_argument("--trial-size", type=int)
    reject = commands.add_parser("reject", help="send back to the client with reasons")
    reject.add_argument("project_id")
    reject.add_argument("--reason", action="append", choices=REASONS, required=True)
    reject.add_argument("--note", default="")
    size = commands.add_parser("trial-size", help="the trial's sample size (before or at approval)")
    size.add_argument("project_id")
    size.add_argument("size", type=int)
    commands.add_parser("disputes", help="trials with submitted issues")
    reply = commands.add_parser("reply", help="answer a trial's issues (optionally relabel items, free)")
    reply.add_argument("project_id")
    reply.add_argument("text")
    reply.add_argument("--relabel", action="append", default=[], metavar="ITEM_ID")
    start = commands.add_parser("start", help="start a project waiting for payment (override: nothing pre-charged)")
    start.add_argument("project_id")
    prices = commands.add_parser("prices", help="a project's negotiated prices, before its trial")
    prices.add_argument("project_id")
    prices.add_argument("prices", nargs="+", metavar="TASK_TYPE=CENTS")
    messages = commands.add_parser("messages", help="a project's message thread")
    messages.add_argument("project_id")
    message = commands.add_parser("message", help="write to the client in the project's thread")
    message.add_argument("project_id")
    message.add_argument("text")
    message.add_argument("--item", dest="item_id")
    audit = commands.add_parser("audit", help="operator actions of one day")
    audit.add_argument("--day")
    commands.add_parser("inbox", help="threads with client messages the operators have not read")
    account = commands.add_parser("account", help="look an account up by e-mail or userId (audited)")
    account.add_argument("who", help="an e-mail address or a userId (U_…)")
    commands.add_parser("billing-disputes", help="clients' disputes of consumed items, to decide")
    accept = commands.add_parser("accept-dispute", help="credit a disputed amount back to the client's balance")
    accept.add_argument("user_id")
    accept.add_argument("dispute_id")
    accept.add_argument("amount_cents", type=int)
    accept.add_argument("--note", default="")
    refuse = commands.add_parser("reject-dispute", help="close a dispute without credit, telling the client why")
    refuse.add_argument("user_id")
    refuse.add_argument("dispute_id")
    refuse.add_argument("reason")
    return p


def run(args: argparse.Namespace, api: OperatorApi) -> Any:
    match args.command:
        case "reviews":
            return api.call("GET", "/reviews")
        case "approve":
            body = {"trialSize": args.trial_size} if args.trial_size else {}
            return api.call("POST", f"/reviews/{args.project_id}/approve", body)
        case "reject":
            return api.call("POST", f"/reviews/{args.project_id}/reject", {"reasons": args.reason, "note": args.note})
        case "trial-size":
            return api.call("POST", f"/projects/{args.project_id}/trialSize", {"size": args.size})
        case "disputes":
            return api.call("GET", "/disputes")
        case "reply":
            body = {"text": args.text, "relabel": args.relabel}
            return api.call("POST", f"/projects/{args.project_id}/disputes/answer", body)
        case "start":
            return api.call("POST", f"/projects/{args.project_id}/start")
        case "prices":
            pairs = [pair.partition("=") for pair in args.prices]
            if any(not sep or not cents.isdigit() for _, sep, cents in pairs):
                raise SystemExit("prices are TASK_TYPE=CENTS, e.g. single_choice=1")
            body = {"prices": {task_type: int(cents) for task_type, _, cents in pairs}}
            return api.call("PUT", f"/projects/{args.project_id}/prices", body)
        case "messages":
            return api.call("GET", f"/projects/{args.project_id}/messages")
        case "message":
            body = {"text": args.text, **({"itemId": args.item_id} if args.item_id else {})}
            return api.call("POST", f"/projects/{args.project_id}/messages", body)
        case "audit":
            return api.call("GET", "/audit", params={"day": args.day} if args.day else None)
        case "inbox":
            return api.call("GET", "/inbox")
        case "account":
            return api.call("GET", "/accounts", params={"email" if "@" in args.who else "userId": args.who})
        case "billing-disputes":
            return api.call("GET", "/billing/disputes")
        case "accept-dispute":
            body = {"amountCents": args.amount_cents, "note": args.note}
            return api.call("POST", f"/billing/disputes/{args.user_id}/{args.dispute_id}/accept", body)
        case "reject-dispute":
            body = {"reason": args.reason}
            return api.call("POST", f"/billing/disputes/{args.user_id}/{args.dispute_id}/reject", body)
    raise SystemExit(f"unknown command {args.command}")


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    email = os.environ.get("OPS_EMAIL") or LOCAL_EMAIL
    password = os.environ.get("OPS_PASSWORD") or (LOCAL_PASSWORD if email == LOCAL_EMAIL else "")
    if not password:
        raise SystemExit("set OPS_PASSWORD for " + email)
    try:
        api = OperatorApi(args.url, email, password)
        print(json.dumps(run(args, api), indent=2, ensure_ascii=False))
    except requests.ConnectionError:
        sys.exit(f"error: no platform at {args.url} (start it with `make run`, or pass --url)")


if __name__ == "__main__":
    main()
