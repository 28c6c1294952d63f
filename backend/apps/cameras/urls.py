from django.urls import re_path

from apps.cameras.views import CameraDetailApi, CameraListApi

urlpatterns = [
    re_path(r"^cameras/?$", CameraListApi.as_view(), name="camera-list"),
    re_path(r"^cameras/(?P<camera_id>[^/]+)/?$", CameraDetailApi.as_view(), name="camera-detail"),
]
