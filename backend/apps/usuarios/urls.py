from django.urls import re_path

from apps.usuarios.views import LoginApi, RefreshApi

urlpatterns = [
    re_path(r"^auth/login/?$", LoginApi.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", RefreshApi.as_view(), name="auth-refresh"),
]
