"""Dependency checks for the services' `/health` endpoints."""

import pika


def rabbitmq_check(url: str) -> str:
    """`ok`, or why the broker at `url` cannot be reached (one attempt, 2 s at most)."""
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 2
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # any failure means unhealthy; the reason is reported
        return f"unreachable: {exc!r}"[:200]
    return "ok"
