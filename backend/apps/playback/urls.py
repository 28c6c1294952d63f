from django.urls import re_path

from apps.playback.views import PlaybackApi, PlaylistApi, SegmentFileApi, TimelineApi

urlpatterns = [
    # Links end in .mp4: strict HLS clients (ffmpeg) refuse segment URLs without it.
    re_path(
        r"^playback/segments/(?P<recording_id>[0-9]{1,18})/file\.mp4$",
        SegmentFileApi.as_view(),
        name="segment-file",
    ),
    re_path(
        r"^playback/segments/(?P<recording_id>[0-9]{1,18})/file/?$",
        SegmentFileApi.as_view(),
        name="segment-file-plain",
    ),
    re_path(
        r"^playback/(?P<camera_id>[^/]+)/playlist\.m3u8$",
        PlaylistApi.as_view(),
        name="playback-playlist",
    ),
    re_path(
        r"^playback/(?P<camera_id>[^/]+)/timeline/?$",
        TimelineApi.as_view(),
        name="playback-timeline",
    ),
    re_path(r"^playback/(?P<camera_id>[^/]+)/?$", PlaybackApi.as_view(), name="playback"),
]
