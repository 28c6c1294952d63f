"""`manage.py alerts_publish_pending`: publish alerts the broker never confirmed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.alerts.publishing import alerts_publish_pending, alerts_unpublished_count


class Command(BaseCommand):
    help = (
        "Publish to the alerts exchange every alert left unpublished for more than "
        "--older-than seconds (default ALERT_OUTBOX_AFTER_S), e.g. after a broker outage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=None, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        published = alerts_publish_pending(older_than_s=options["older_than"])
        self.stdout.write(f"published {published} alert(s)")
        left = alerts_unpublished_count(older_than_s=options["older_than"])
        if left:
            raise CommandError(f"{left} alert(s) still unpublished: is the broker reachable?")
