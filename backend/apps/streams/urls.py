from django.urls import re_path

from apps.streams.views import StreamTokenApi, StreamTokenRevokeApi, StreamValidateApi

urlpatterns = [
    re_path(r"^auth/stream-token/?$", StreamTokenApi.as_view(), name="auth-stream-token"),
    re_path(r"^auth/revoke/?$", StreamTokenRevokeApi.as_view(), name="auth-revoke"),
    re_path(r"^auth/validate-stream/?$", StreamValidateApi.as_view(), name="auth-validate-stream"),
]
