from django.apps import AppConfig


class StreamsConfig(AppConfig):
    """Live stream access: stream tokens, their revocation and MediaMTX's auth callback."""

    name = "apps.streams"
    label = "streams"
