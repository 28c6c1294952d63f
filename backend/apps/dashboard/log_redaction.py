"""Access tokens never reach the logs.

The WebSocket takes its JWT in the query string (`/ws/detections?token=...`), and uvicorn
logs each accepted socket's path with its query string on `uvicorn.error`, access log or
not. This filter replaces the value of every `token=` with `[redacted]` in such records.
"""

import logging
import re
from typing import Any

_TOKEN = re.compile(r"(?<![A-Za-z0-9_])(token=)[^&\s\"']+")
REDACTED = "[redacted]"
LOGGERS = ("uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return _TOKEN.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactQueryTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        return True


def install() -> None:
    """Add the filter to uvicorn's loggers, once."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQueryTokens) for f in logger.filters):
            logger.addFilter(RedactQueryTokens())
