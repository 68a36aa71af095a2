"""bytebridge.public_net.fetch_head: the first bytes of a client's file, from public addresses only (every spelling,
after resolution, at every redirect), with byte and time limits. "The public web" is the local web stand-in
(local.web_standin), reached only for names that do not resolve; the resolver is the outside world's seam."""

import pytest

from bytebridge.public_net import Head, fetch_head
from bytebridge.settings import get_settings
from local import web_standin
from local.web_standin import Reply
from tests.support.web import resolving

LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def standin(monkeypatch):
    """The local runtime's settings: the stand-in configured, on the local stage."""
    monkeypatch.setenv("WEB_STANDIN", web_standin.address())
    monkeypatch.delenv("BYTEBRIDGE_STAGE", raising=False)
    get_settings.cache_clear()
    web_standin.clear()
    yield
    web_standin.clear()
    get_settings.cache_clear()


@pytest.fixture
def names(monkeypatch) -> dict[str, list[str]]:
    return resolving(monkeypatch)


def head(url: str, limit: int = LIMIT, timeout: float = 5.0) -> Head:
    answer = fetch_head(url, limit, timeout)
    assert isinstance(answer, Head), answer
    return answer


def test_a_name_that_does_not_resolve_is_served_by_the_standin_with_a_range():
    picture = web_standin.picture("PNG", 300, 200)
    answer = head("https://x.example/a/cat_300x200.png", limit=100)
    assert (answer.status, answer.content_type, answer.total_size) == (206, "image/png", len(picture))
    assert answer.data == picture[:100] and not answer.complete
    whole = head("https://x.example/a/cat_300x200.png")
    assert whole.data == picture and whole.complete


def test_a_server_that_ignores_the_range_is_cut_off_at_the_limit():
    web_standin.register("https://big.example/f.bin", Reply(bytes(1_000_000), ranges=False))
    answer = head("https://big.example/f.bin", limit=1000)
    assert (answer.status, len(answer.data), answer.total_size) == (200, 1000, 1_000_000)


def test_other_answers_are_returned_as_they_are():
    web_standin.register("https://x.example/gone.jpg", Reply(b"gone", status=404, content_type="text/plain"))
    answer = head("https://x.example/gone.jpg")
    assert (answer.status, answer.data) == (404, b"gone")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.jpg",
        "https://127.1/a.jpg",
        "https://2130706433/a.jpg",
        "https://0x7f000001/a.jpg",
        "https://0177.0.0.1/a.jpg",
        "https://0xa9fea9fe/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.1/a.jpg",
        "https://192.168.0.1/a.jpg",
        "https://100.64.0.1/a.jpg",
        "https://0.0.0.0/a.jpg",
        "https://[::1]/a.jpg",
        "https://[::ffff:127.0.0.1]/a.jpg",
        "https://[fd00::1]/a.jpg",
        "http://localhost/a.jpg",
    ],
)
def test_every_spelling_of_a_private_address_is_refused_before_connecting(url):
    answer = fetch_head(url, LIMIT, 5.0)
    assert answer == "refused: the host is not a public address"


def test_a_name_resolving_to_a_private_address_is_refused_and_never_reaches_the_standin(names):
    names["internal.example"] = ["10.0.0.8"]
    names["mixed.example"] = ["93.184.216.34", "127.0.0.1"]  # one private address is enough
    for url in ("https://internal.example/a.jpg", "https://mixed.example/a.jpg"):
        assert fetch_head(url, LIMIT, 5.0) == "refused: the host is not a public address"
        assert web_standin.hits(url) == 0


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://x.example/", "ftp://x.example/a.jpg", "https://user:pw@x.example/a.jpg"]
)
def test_other_schemes_and_credentials_are_refused(url):
    answer = fetch_head(url, LIMIT, 5.0)
    assert isinstance(answer, str) and answer.startswith("refused:")


def test_a_redirect_to_loopback_is_refused_and_not_followed():
    secret = f"http://127.0.0.1:{web_standin.address().rsplit(':', 1)[1]}/secret.jpg"
    web_standin.register("https://x.example/a.jpg", Reply(status=302, headers={"Location": secret}))
    assert fetch_head("https://x.example/a.jpg", LIMIT, 5.0) == "redirect refused: the host is not a public address"
    assert web_standin.hits(secret) == 0  # the stand-in listens there: it was never asked


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused(names):
    names["intranet.example"] = ["192.168.1.10"]
    web_standin.register(
        "https://x.example/a.jpg", Reply(status=301, headers={"Location": "https://intranet.example/"})
    )
    assert fetch_head("https://x.example/a.jpg", LIMIT, 5.0) == "redirect refused: the host is not a public address"


def test_redirects_are_followed_three_times_relative_ones_too_and_not_a_fourth():
    web_standin.register("https://a.example/1", Reply(status=302, headers={"Location": "https://b.example/2"}))
    web_standin.register("https://b.example/2", Reply(status=307, headers={"Location": "/3"}))
    web_standin.register(
        "https://b.example/3", Reply(status=308, headers={"Location": "https://c.example/x_64x32.png"})
    )
    answer = head("https://a.example/1")
    assert answer.url == "https://c.example/x_64x32.png" and answer.data == web_standin.picture("PNG", 64, 32)

    web_standin.register("https://c.example/x_64x32.png", Reply(status=302, headers={"Location": "/4"}))
    assert fetch_head("https://a.example/1", LIMIT, 5.0) == "more than 3 redirects"


def test_a_slow_host_is_given_up_within_the_time_limit():
    web_standin.register("https://slow.example/a.jpg", Reply(b"late", delay_seconds=2.0))
    assert fetch_head("https://slow.example/a.jpg", LIMIT, 0.3) == "timed out"


def test_a_host_dripping_its_body_is_given_up_within_the_time_limit():
    web_standin.register("https://drip.example/a.jpg", Reply(bytes(200), trickle_seconds=0.05))  # 10 s in all
    assert fetch_head("https://drip.example/a.jpg", LIMIT, 0.5) == "timed out"  # not the 200 bytes, 10 s later


def test_without_the_standin_an_unresolvable_name_is_refused(monkeypatch):
    monkeypatch.setenv("WEB_STANDIN", "")
    get_settings.cache_clear()
    assert fetch_head("https://nowhere.example/a.jpg", LIMIT, 5.0) == "refused: the host cannot be resolved"


def test_the_standin_is_never_used_on_a_deployed_stage(monkeypatch):
    monkeypatch.setenv("BYTEBRIDGE_STAGE", "prod")
    get_settings.cache_clear()
    assert fetch_head("https://x.example/a.jpg", LIMIT, 5.0) == "refused: the host cannot be resolved"
