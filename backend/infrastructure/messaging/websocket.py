"""Pushing stored detections to the dashboards' WebSockets through the channel layer.

`on_detections_stored` receives `apps.detections.signals.detections_stored` inside the
storing transaction and pushes in `transaction.on_commit`, so a dashboard only ever sees
detections that are in the database (and a rolled back batch is never shown). Each
detection goes to its tenant's group and its camera's group. A push that fails (Redis
down or slow) is logged and counted, never raised: the detections are stored, and a
dashboard fetches what it missed from `GET /api/detections?since=` when it reconnects.
"""

import asyncio
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction
from prometheus_client import Counter

from apps.dashboard.groups import PUSH_MESSAGE_TYPE, camera_group, tenant_group
from apps.detections.models import DetectionResult
from apps.detections.serializers import detection_representations
from vms_common.logging import get_logger

logger = get_logger(__name__)

# A push must not hold the consumer that stored the detections for long.
PUSH_TIMEOUT_S = 2.0

PUSHED = Counter(
    "vms_websocket_detections_pushed_total", "Detections sent to the channel layer's groups"
)
PUSH_FAILURES = Counter(
    "vms_websocket_push_failures_total",
    "Batches of stored detections that could not be pushed to the channel layer",
)


class _PushLoop:
    """One event loop in a daemon thread of the process, for every push.

    The channel layer keeps its Redis connections per event loop: a loop that lives on
    keeps them open, where a loop per push would connect again every time. Started on first
    use in the process that pushes (so also after a worker forks).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._layer: Any = None

    def run(self, layer: Any, sends: Sequence[tuple[str, dict[str, Any]]]) -> None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(
            self._send(layer, sends), self._running_loop()
        )
        try:
            future.result(timeout=PUSH_TIMEOUT_S)
        except BaseException:
            future.cancel()
            raise

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="websocket-push", daemon=True
                ).start()
                self._loop, self._pid, self._layer = loop, os.getpid(), None
            return self._loop

    async def _send(self, layer: Any, sends: Sequence[tuple[str, dict[str, Any]]]) -> None:
        if layer is not self._layer:
            # The settings changed (tests): let the previous layer's connections go.
            previous, self._layer = self._layer, layer
            if previous is not None and hasattr(previous, "close_pools"):
                await previous.close_pools()
        for group, message in sends:  # one after the other: the order of the batch is kept
            await layer.group_send(group, message)


_push_loop = _PushLoop()


def detections_push(detections: Iterable[DetectionResult]) -> int:
    """Send the representations D of a batch to the tenants' and the cameras' groups.

    One channel layer message per group, `{"type": "detection.push", "detections": [D...]}`
    in the batch's order, whatever the batch's size. Returns how many detections were
    sent; 0 when there is no channel layer or the push failed (logged and counted in
    `vms_websocket_push_failures_total`).
    """
    rows = list(detections)
    if not rows:
        return 0
    try:
        layer = get_channel_layer()
        if layer is None:
            return 0
        by_group: dict[str, list[dict[str, Any]]] = {}
        for row, representation in zip(rows, detection_representations(rows), strict=True):
            by_group.setdefault(tenant_group(row.tenant_id), []).append(representation)
            by_group.setdefault(camera_group(row.camera_id), []).append(representation)
        _push_loop.run(
            layer,
            [
                (group, {"type": PUSH_MESSAGE_TYPE, "detections": batch})
                for group, batch in by_group.items()
            ],
        )
    except Exception as exc:  # the detections are stored; the push is best effort
        PUSH_FAILURES.inc()
        logger.warning(
            "detections not pushed to websockets",
            error=f"{type(exc).__name__}: {exc}",
            detections=len(rows),
            first_id=rows[0].id,
        )
        return 0
    PUSHED.inc(len(rows))
    return len(rows)


def on_detections_stored(
    sender: Any, detections: Sequence[DetectionResult] = (), **kwargs: Any
) -> None:
    """The `detections_stored` receiver: push the batch once its transaction commits."""
    rows = list(detections)
    if rows:
        transaction.on_commit(lambda: detections_push(rows))
