"""`manage.py policies_push`: send every camera's retention policy to the recorder.

Run at start-up (the recorder keeps only what it was last sent). Exits non-zero when any
push failed, after trying every camera.
"""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cameras.models import Camera
from apps.cameras.policies import camera_policy_push
from infrastructure.recorder_client import RecorderError


class Command(BaseCommand):
    help = "Push every camera's retention days and evidence holds to the recorder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="only the cameras of this tenant id")

    def handle(self, *args: Any, **options: Any) -> None:
        cameras = Camera.objects.select_related("tenant").order_by("tenant_id", "id")
        if options.get("tenant"):
            try:
                cameras = cameras.filter(tenant_id=uuid.UUID(options["tenant"]))
            except ValueError:
                raise CommandError("--tenant must be a tenant id (a UUID)") from None
        pushed, failed = 0, []
        for camera in cameras.iterator():
            try:
                camera_policy_push(camera=camera)
            except RecorderError as exc:
                failed.append(camera.id)
                self.stderr.write(f"camera {camera.id}: {exc.message}")
            else:
                pushed += 1
        self.stdout.write(f"policies pushed: {pushed}, failed: {len(failed)}")
        if failed:
            raise CommandError(f"{len(failed)} camera policies were not pushed")
