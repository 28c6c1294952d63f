"""`manage.py demo_setup --cameras N`: demo tenant, admin user and cameras, as JSON."""

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.core.services import demo_environment_ensure

DEFAULT_PASSWORD = "admin"  # noqa: S105  (demo only; refused in production)


class Command(BaseCommand):
    help = (
        "Create or reuse the tenant 'Demo', its admin user and cameras 'Camera 1'..'Camera N'; "
        "print {tenant_id, username, cameras: [{id, name, relay_path}]} as one JSON line."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cameras", type=int, required=True, help="number of cameras")
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default=None, help="set on every run")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["cameras"]
        if count < 0:
            raise CommandError("--cameras must be 0 or more")
        password = options["password"]
        if password is None:
            if settings.IS_PRODUCTION:
                raise CommandError("--password is required when ENVIRONMENT=production")
            password = DEFAULT_PASSWORD
        try:
            demo = demo_environment_ensure(
                cameras=count, username=options["username"], password=password
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        output = {
            "tenant_id": str(demo.tenant.id),
            "username": demo.user.username,
            "cameras": [
                {"id": str(camera.id), "name": camera.name, "relay_path": camera.relay_path}
                for camera in demo.cameras
            ],
        }
        self.stdout.write(json.dumps(output))
