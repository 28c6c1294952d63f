from django.urls import re_path

from apps.usuarios.views import (
    LoginApi,
    MeApi,
    RefreshApi,
    RoleListApi,
    UserDetailApi,
    UserListApi,
)

urlpatterns = [
    re_path(r"^auth/login/?$", LoginApi.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", RefreshApi.as_view(), name="auth-refresh"),
    re_path(r"^users/?$", UserListApi.as_view(), name="user-list"),
    re_path(r"^users/(?P<user_id>[^/]+)/?$", UserDetailApi.as_view(), name="user-detail"),
    re_path(r"^roles/?$", RoleListApi.as_view(), name="role-list"),
    re_path(r"^me/?$", MeApi.as_view(), name="me"),
]
