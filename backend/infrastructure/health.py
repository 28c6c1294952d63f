"""Checks of the backend's dependencies, each answering "ok" or the error it met."""

import pika
import pika.exceptions
import redis
from django.db import DatabaseError, connection

OK = "ok"


def postgres_check() -> str:
    """Run `SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {exc}".strip()
    return OK


def rabbitmq_check(url: str, timeout_s: float = 2.0) -> str:
    """Open and close one AMQP connection to the broker within `timeout_s`."""
    try:
        params = pika.URLParameters(url)
        params.connection_attempts = 1
        params.retry_delay = 0
        params.socket_timeout = timeout_s
        params.stack_timeout = timeout_s
        params.blocked_connection_timeout = timeout_s
        amqp = pika.BlockingConnection(params)
        amqp.close()
    except (pika.exceptions.AMQPError, OSError, ValueError) as exc:
        return f"error: {exc!r}"
    return OK


def redis_check(url: str, timeout_s: float = 2.0) -> str:
    """PING the Redis server at `url` (REDIS_URL) on a fresh connection within `timeout_s`."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s, retry_on_timeout=False
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return f"error: {exc!r}"
    return OK
