from django.urls import re_path

from apps.playback.views import PlaybackApi, SegmentFileApi

urlpatterns = [
    re_path(
        r"^playback/segments/(?P<recording_id>[0-9]{1,18})/file/?$",
        SegmentFileApi.as_view(),
        name="segment-file",
    ),
    re_path(r"^playback/(?P<camera_id>[^/]+)/?$", PlaybackApi.as_view(), name="playback"),
]
