"""structlog JSON logging, configured once per process.

Every line carries `service`, `level`, `timestamp` and whatever is bound in the context
(`trace_id`, `tenant_id`, `camera_id`) through :func:`bind`. Standard-library loggers
(uvicorn, pika, celery) go through the same JSON renderer.
"""

import logging
import sys
from typing import Any

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record of this process to stdout as one JSON object per line."""

    def add_service(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("service", service)
        return event

    processors = [*_SHARED, add_service]
    structlog.configure(
        processors=[*processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*processors, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("pika").setLevel(logging.WARNING)


def bind(**values: str) -> None:
    """Bind values (trace_id, tenant_id, camera_id) to every later log line of this context."""
    structlog.contextvars.bind_contextvars(**values)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
