from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class StreamsConfig(AppConfig):
    """Live stream access: stream tokens, their revocation and MediaMTX's auth callback."""

    name = "apps.streams"
    label = "streams"

    def ready(self) -> None:
        from apps.streams.services import caller_networks

        try:
            caller_networks(tuple(settings.STREAM_AUTH_ALLOWED_NETWORKS))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"STREAM_AUTH_ALLOWED_NETWORKS must list networks such as 10.0.0.0/8: {exc}"
            ) from exc
