"""Reads of cross-cutting state: the health of the dependencies."""

from typing import Any

from django.conf import settings

from infrastructure.health import OK, postgres_check, rabbitmq_check, redis_check


def health_status() -> tuple[bool, dict[str, Any]]:
    """Whether every dependency answers, and the report `{"status", "checks"}`."""
    checks = {
        "postgres": postgres_check(),
        "rabbitmq": rabbitmq_check(settings.RABBITMQ_URL),
        "redis": redis_check(settings.REDIS_URL),
    }
    healthy = all(result == OK for result in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
