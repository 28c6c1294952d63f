from django.urls import re_path

from apps.detections.views import DetectionListApi

urlpatterns = [
    re_path(r"^detections/?$", DetectionListApi.as_view(), name="detection-list"),
]
