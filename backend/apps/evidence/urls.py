from django.urls import re_path

from apps.evidence.views import (
    ExportDetailApi,
    ExportFileApi,
    ExportListApi,
    ExportRequestApi,
    HoldReleaseApi,
)

urlpatterns = [
    re_path(
        r"^playback/(?P<camera_id>[^/]+)/export/?$",
        ExportRequestApi.as_view(),
        name="export-request",
    ),
    re_path(r"^exports/?$", ExportListApi.as_view(), name="export-list"),
    re_path(r"^exports/(?P<export_id>[^/]+)/?$", ExportDetailApi.as_view(), name="export-detail"),
    re_path(
        r"^exports/(?P<export_id>[^/]+)/clip/?$",
        ExportFileApi.as_view(file="clip"),
        name="export-clip",
    ),
    re_path(
        r"^exports/(?P<export_id>[^/]+)/manifest/?$",
        ExportFileApi.as_view(file="manifest"),
        name="export-manifest",
    ),
    re_path(
        r"^evidence-holds/(?P<hold_id>[^/]+)/release/?$",
        HoldReleaseApi.as_view(),
        name="hold-release",
    ),
]
