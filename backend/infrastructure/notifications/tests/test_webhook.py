"""Webhook delivery against a real local HTTP server: signature, retries and final answers.

The pauses between attempts go through a recording `sleep` so that the test does not wait.
"""

import hashlib
import hmac
import socket

import pytest

from infrastructure.notifications.tests.webhook_server import webhook_server
from infrastructure.notifications.webhook import webhook_deliver, webhook_signature

SECRET = "test-webhook-secret"
BODY = b'{"event": "alert"}'


def deliver(url, pauses, **options):
    return webhook_deliver(url=url, body=BODY, secret=SECRET, sleep=pauses.append, **options)


def test_the_body_is_posted_signed_with_the_shared_secret():
    pauses = []
    with webhook_server(200) as server:
        outcome = deliver(server.url, pauses, headers={"X-VMS-Event": "alert.raised"})

    assert (outcome.delivered, outcome.attempts, outcome.status_code) == (True, 1, 200)
    [request] = server.received
    assert (request.path, request.body) == ("/hooks/vms", BODY)
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert request.headers["X-VMS-Signature"] == f"sha256={expected}"
    assert webhook_signature(SECRET, BODY) == f"sha256={expected}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-VMS-Event"] == "alert.raised"
    assert pauses == []


def test_a_5xx_is_retried_after_a_pause_and_then_delivered():
    pauses = []
    with webhook_server(503, 200) as server:
        outcome = deliver(server.url, pauses)

    assert (outcome.delivered, outcome.attempts) == (True, 2)
    assert len(server.received) == 2
    assert pauses == [1.0]


def test_after_three_failed_attempts_it_gives_up_with_the_last_error():
    pauses = []
    with webhook_server(500, 502, 503, 200) as server:
        outcome = deliver(server.url, pauses)

    assert (outcome.delivered, outcome.attempts, outcome.status_code) == (False, 3, 503)
    assert outcome.error == "the webhook answered 503"
    assert len(server.received) == 3
    assert pauses == [1.0, 2.0]


def test_a_4xx_is_final_and_not_retried():
    pauses = []
    with webhook_server(400, 200) as server:
        outcome = deliver(server.url, pauses)

    assert (outcome.delivered, outcome.attempts, outcome.status_code) == (False, 1, 400)
    assert len(server.received) == 1
    assert pauses == []


def test_a_redirect_is_not_followed():
    pauses = []
    with webhook_server(302) as server:
        outcome = deliver(server.url, pauses)

    assert (outcome.delivered, outcome.status_code) == (False, 302)
    assert len(server.received) == 1


def test_a_refused_connection_is_retried_and_reported():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    pauses = []

    outcome = deliver(f"http://127.0.0.1:{port}/hook", pauses)

    assert (outcome.delivered, outcome.attempts, outcome.status_code) == (False, 3, None)
    assert "refused" in outcome.error.lower()
    assert pauses == [1.0, 2.0]


def test_a_timeout_counts_as_a_failed_attempt():
    pauses = []
    with webhook_server(200, delay_s=3) as server:
        outcome = deliver(server.url, pauses, timeout_s=0.3, attempts=2)

    assert (outcome.delivered, outcome.attempts) == (False, 2)
    assert "timed out" in outcome.error.lower()
    assert pauses == [1.0]


def test_only_http_urls_and_a_configured_secret_are_used():
    pauses = []

    assert "http" in deliver("ftp://example.com/x", pauses).error
    no_secret = webhook_deliver(url="http://127.0.0.1:9/x", body=BODY, secret="")
    assert (no_secret.delivered, no_secret.attempts) == (False, 0)
    assert "secret" in no_secret.error


def test_private_addresses_are_refused_unless_allowed():
    pauses = []
    with webhook_server(200) as server:
        refused = deliver(server.url, pauses, allow_private=False)
        localhost = deliver(
            server.url.replace("127.0.0.1", "localhost"), pauses, allow_private=False
        )
        allowed = deliver(server.url, pauses, allow_private=True)

    assert (refused.delivered, refused.attempts) == (False, 0)
    assert "non-public address (127.0.0.1)" in refused.error
    assert (localhost.delivered, localhost.attempts) == (False, 0)
    assert allowed.delivered
    assert len(server.received) == 1


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data", "http://10.0.0.8/hook", "https://[::1]:8443/x"],
)
def test_metadata_and_internal_addresses_are_refused(url):
    outcome = webhook_deliver(url=url, body=BODY, secret=SECRET, allow_private=False)

    assert (outcome.delivered, outcome.attempts) == (False, 0)
    assert "non-public address" in outcome.error
