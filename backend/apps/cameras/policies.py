"""Each camera's retention policy (retention days and evidence holds), pushed to the recorder.

PostgreSQL holds the truth; the recorder keeps what it was last sent. A push always sends
the whole policy, so a push that failed is made good by the next one (after the next
change, by the retry task, or by `manage.py cameras_sync` at start-up).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from django.utils import timezone

from apps.cameras.models import Camera
from apps.evidence.models import EvidenceHold
from apps.evidence.selectors import holds_active_for_camera
from infrastructure.recorder_client import recorder_client_from_settings
from vms_common.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class HoldWindow:
    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class RetentionPolicy:
    tenant_id: str
    camera_id: str
    retention_days: int
    holds: Sequence[HoldWindow] = field(default_factory=tuple)

    def body(self) -> dict[str, Any]:
        """The JSON the recorder takes: `{"retention_days", "holds": [{id, start, end}]}`."""
        return {
            "retention_days": self.retention_days,
            "holds": [
                {"id": hold.id, "start": _iso(hold.start), "end": _iso(hold.end)}
                for hold in self.holds
            ],
        }


class RecorderPolicies(Protocol):
    """The port through which policies reach the recorder."""

    def policy_put(self, *, tenant_id: str, camera_id: str, body: dict[str, Any]) -> None: ...


def camera_policy(*, camera: Camera) -> RetentionPolicy:
    holds = holds_active_for_camera(camera=camera)
    return RetentionPolicy(
        tenant_id=str(camera.tenant_id),
        camera_id=str(camera.id),
        retention_days=camera.retention_days,
        holds=tuple(HoldWindow(id=str(h.id), start=h.start, end=h.end) for h in holds),
    )


def camera_policy_push(
    *, camera: Camera, recorder: RecorderPolicies | None = None
) -> RetentionPolicy:
    """Send the camera's current policy to the recorder; raises RecorderError on failure.

    On success the holds it carried are stamped `pushed_at`.
    """
    policy = camera_policy(camera=camera)
    client = recorder if recorder is not None else recorder_client_from_settings()
    client.policy_put(tenant_id=policy.tenant_id, camera_id=policy.camera_id, body=policy.body())
    if policy.holds:
        EvidenceHold.objects.filter(pk__in=[h.id for h in policy.holds]).update(
            pushed_at=timezone.now()
        )
    logger.info(
        "retention policy pushed",
        camera_id=policy.camera_id,
        tenant_id=policy.tenant_id,
        retention_days=policy.retention_days,
        holds=len(policy.holds),
    )
    return policy


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
