"""`manage.py cameras_sync`: push every camera's settings to the relay, the recorder and the
detection service (`apps.cameras.sync`).

Run at start-up: the services keep only what they were last sent. Exits non-zero when any
service did not take a camera's settings, after trying every camera.
"""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cameras.models import Camera
from apps.cameras.sync import DONE, SKIPPED, CameraServices, camera_sync


class Command(BaseCommand):
    help = "Push every camera's address, recording, retention and detection settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="only the cameras of this tenant id")

    def handle(self, *args: Any, **options: Any) -> None:
        cameras = Camera.objects.select_related("tenant").order_by("tenant_id", "id")
        if options.get("tenant"):
            try:
                cameras = cameras.filter(tenant_id=uuid.UUID(options["tenant"]))
            except ValueError:
                raise CommandError("--tenant must be a tenant id (a UUID)") from None
        services = CameraServices.from_settings()
        synced, failed = 0, 0
        for camera in cameras.iterator():
            report = camera_sync(camera, services).as_dict()
            missed = {name: state for name, state in report.items() if state not in (DONE, SKIPPED)}
            if missed:
                failed += 1
                self.stderr.write(
                    f"camera {camera.id}: " + ", ".join(f"{k} {v}" for k, v in missed.items())
                )
            else:
                synced += 1
        self.stdout.write(f"cameras synced: {synced}, failed: {failed}")
        if failed:
            raise CommandError(f"{failed} cameras were not synced with every service")
