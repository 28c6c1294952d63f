"""One JSON object per line on stderr, in the field layout of the other VMS services."""

import json
import sys
from datetime import UTC, datetime

SERVICE = "camsim"


def log_event(event: str, level: str = "info", **fields: object) -> None:
    """Write `event` with `fields` as one JSON line to stderr and flush it."""
    record: dict[str, object] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "service": SERVICE,
        "event": event,
        **fields,
    }
    sys.stderr.write(json.dumps(record, default=str) + "\n")
    sys.stderr.flush()
