from django.apps import AppConfig


class PlaybackConfig(AppConfig):
    """Recorded segments: persisting them, finding them by time, serving their files."""

    name = "apps.playback"
    label = "playback"
