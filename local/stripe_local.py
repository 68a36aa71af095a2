"""Stripe on this machine: localstripe (PyPI), a real HTTP server speaking Stripe's API, run in-process on its own
event-loop thread, with the stripe SDK pointed at it (STRIPE_API_BASE) and its webhooks delivered to the local
gateway's POST /stripe/v1/webhook, signed as Stripe signs them.

localstripe keeps its state in a module-global store that it pickles to a fixed /tmp/localstripe.pickle after every
write and reloads at start, so two instances (two `make run`s, two xdist workers) would read each other's
customers. Here the store stays in memory, like the rest of the local platform: the pickling is switched off
(`_in_memory`) before the server starts, and each process has its own store.

Test cards (localstripe's list, as Stripe's docs give them): pm_card_visa saves and charges; 4000000000000341
(pm_card_chargeCustomerFail) saves, then every charge is declined (402 card_declined); 4000002760003184 needs 3-D
Secure (a SetupIntent answers requires_action; an off-session charge on it answers requires_action)."""

import asyncio
import json
import logging
import os
import socket
import threading
from dataclasses import dataclass
from functools import cache

import requests

from bytebridge.aws import client
from bytebridge.billing import cards, stripe_gateway
from bytebridge.billing.stripe_gateway import WEBHOOK_PATH
from bytebridge.dal.accounts import get_account
from bytebridge.errors import ApiError
from bytebridge.settings import get_settings

LOCAL_SECRET_KEY = "sk_test_bytebridge_local"
LOCAL_PUBLISHABLE_KEY = "pk_test_bytebridge_local"
LOCAL_WEBHOOK_SECRET = "whsec_bytebridge_local"  # a local-only value, never deployed
# The events Stripe sends us (the webhook endpoint's subscription on a deployed stage says the same).
WEBHOOK_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "setup_intent.succeeded",
)

log = logging.getLogger("bytebridge.local.stripe")


def _in_memory() -> None:
    """localstripe pickles its store to a fixed path on every write: keep it in this process's memory instead."""
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None


@dataclass
class LocalStripe:
    """A localstripe server on host:port (port 0: any free one), started by start(), stopped by stop()."""

    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LocalStripe":
        _in_memory()
        from aiohttp import web
        from localstripe.server import app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        self._loop = loop
        self._runner = runner
        self._thread = threading.Thread(target=loop.run_forever, name="localstripe", daemon=True)
        self._thread.start()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        return self

    def environment(self) -> dict[str, str]:
        """The settings environment that points the platform's Stripe calls at this server."""
        return {"STRIPE_API_BASE": self.url}

    def deliver_webhooks_to(self, gateway_url: str) -> None:
        """Register the platform's webhook endpoint (localstripe signs each event with the secret given here)."""
        response = requests.post(
            f"{self.url}/_config/webhooks/bytebridge",
            data={
                "url": gateway_url + WEBHOOK_PATH,
                "secret": LOCAL_WEBHOOK_SECRET,
                **{f"events[{i}]": event for i, event in enumerate(WEBHOOK_EVENTS)},
            },
            timeout=10,
        )
        response.raise_for_status()

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._loop = None


def forget_everything() -> None:
    """Empty localstripe's store (customers, cards, payments) and forget its webhook endpoints: the test harness's
    reset."""
    from localstripe import resources, webhooks

    dict.clear(resources.store)
    webhooks._webhooks.clear()


@cache
def local_stripe() -> LocalStripe:
    """This process's localstripe, started on first use (one per process: its store is a module global), on
    LOCALSTRIPE_PORT (make run: the API's port + 2) or any free port (tests)."""
    return LocalStripe(port=int(os.environ.get("LOCALSTRIPE_PORT") or 0)).start()


def provision_stripe() -> None:
    """Point the platform at this process's localstripe and store the keys where a deployed stage keeps them
    (Secrets Manager). Part of local.provision.provision."""
    os.environ.update(local_stripe().environment())
    get_settings.cache_clear()
    secret = json.dumps(
        {"secretKey": LOCAL_SECRET_KEY, "webhookSecret": LOCAL_WEBHOOK_SECRET, "publishableKey": LOCAL_PUBLISHABLE_KEY}
    )
    client("secretsmanager").create_secret(Name=get_settings().stripe_secret_name, SecretString=secret)


def save_test_card(user_id: str, payment_method: str = "pm_card_visa") -> cards.SavedCard:
    """Save one of Stripe's test cards on an account the way the dashboard does (setupCard, Stripe.js confirms the
    SetupIntent, confirmCard): the demo account and tests use it."""
    account = get_account(user_id)
    assert account is not None, user_id
    setup = cards.setup_card(account)
    stripe_gateway.confirm_setup_intent(setup.setup_intent_id, payment_method)
    account = get_account(user_id)
    assert account is not None
    return cards.confirm_card(account, setup.setup_intent_id)


# The cards POST /local/cards may save (Stripe's test payment methods; local only).
TEST_CARDS = ("pm_card_visa", "pm_card_chargeCustomerFail", "pm_card_visa_chargeDeclined")


def cards_route(body: bytes) -> tuple[int, dict]:
    """POST /local/cards {"userId": "U_…", "card": "pm_card_visa"}: save a Stripe test card on an account as the
    dashboard would (what `make account` accounts need before confirm can top up)."""
    try:
        request = json.loads(body or b"{}")
        user_id, card = str(request["userId"]), str(request.get("card") or "pm_card_visa")
    except (ValueError, KeyError, TypeError, AttributeError):
        return 400, {"error": 'body must be {"userId": "U_…", "card": "pm_card_visa"}'}
    if card not in TEST_CARDS:
        return 400, {"error": f"card must be one of {', '.join(TEST_CARDS)}"}
    if get_account(user_id) is None:
        return 404, {"error": "no such account"}
    try:
        saved = save_test_card(user_id, card)
    except ApiError as exc:
        return 400, {"error": exc.detail or exc.message}
    return 200, {"userId": user_id, "brand": saved.brand, "last4": saved.last4, "settled": saved.settled}
