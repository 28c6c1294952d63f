"""Celery tasks of the camera registry."""

from typing import Any

from celery import shared_task

from apps.cameras.models import Camera
from apps.cameras.policies import camera_policy_push
from infrastructure.recorder_client import RecorderUnavailable
from vms_common.logging import get_logger

logger = get_logger(__name__)

MAX_RETRIES = 12
MAX_DELAY_S = 300


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def camera_policy_push_task(self: Any, camera_id: str) -> None:
    """Push one camera's current policy, retrying with a growing pause while the recorder is away."""
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None:
        logger.warning("policy push for a camera that no longer exists", camera_id=camera_id)
        return
    try:
        camera_policy_push(camera=camera)
    except RecorderUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.error("policy push gave up", camera_id=camera_id, error=exc.message)
            return
        delay = min(MAX_DELAY_S, 5 * 2**self.request.retries)
        raise self.retry(countdown=delay) from None
