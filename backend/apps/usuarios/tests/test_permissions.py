"""Every API endpoint says which permission each of its methods needs, and the roles get
exactly what they are granted: this walks every URL pattern under /api/."""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.usuarios.models import Role, Tenant, User
from apps.usuarios.permissions import (
    Permission,
    RolePermission,
    required_permission,
    role_permissions,
    user_permissions,
)

# Open to anyone: they are how one gets credentials, or are called by MediaMTX and probes.
PUBLIC = {"health", "auth-login", "auth-refresh", "auth-validate-stream"}
# Open to a bearer token or to a signed link, which players use without headers.
SIGNED_LINKS = {
    "segment-file",
    "segment-file-plain",
    "playback-playlist",
    "export-clip",
    "export-manifest",
}
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    view: Any

    @property
    def methods(self) -> list[str]:
        return [m.upper() for m in METHODS if hasattr(self.view, m)]

    @property
    def public(self) -> bool:
        return AllowAny in tuple(self.view.permission_classes)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, regex)
        else:
            yield regex, entry


def _url(regex: str) -> str:
    """A URL the pattern matches: numbers for numeric ids, UUIDs for the others."""

    def value(match: re.Match[str]) -> str:
        return "1" if "[0-9]" in match.group(0) else str(uuid.uuid4())

    path = re.sub(r"\(\?P<\w+>[^)]*\)", value, regex)
    path = path.replace("/?", "/").replace("\\.", ".")
    return "/" + path


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for regex, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if not regex.startswith("api/") or view is None:
            continue
        endpoints.append(Endpoint(pattern.name or regex, _url(regex), view))
    return endpoints


ENDPOINTS = api_endpoints()
PROTECTED = [(e, method) for e in ENDPOINTS if e.name not in PUBLIC for method in e.methods]


def _ids(case: tuple[Endpoint, str]) -> str:
    return f"{case[1]} {case[0].name}"


def test_the_walk_finds_every_endpoint_and_only_known_ones_are_open() -> None:
    names = {e.name for e in ENDPOINTS}
    assert {"camera-list", "auth-stream-token", "audit-entries", "schema"} <= names
    assert {e.name for e in ENDPOINTS if e.public} == PUBLIC | SIGNED_LINKS


@pytest.mark.parametrize("case", PROTECTED, ids=_ids)
def test_every_method_names_the_permission_it_needs(case: tuple[Endpoint, str]) -> None:
    endpoint, method = case
    assert required_permission(endpoint.view, method) in set(Permission), endpoint


@pytest.mark.parametrize("case", PROTECTED, ids=_ids)
def test_without_credentials_every_protected_method_is_401(
    api_client: APIClient, case: tuple[Endpoint, str], db: None
) -> None:
    endpoint, method = case
    response = api_client.generic(method, endpoint.url, HTTP_ACCEPT="application/json")
    assert response.status_code == 401, (endpoint.url, response.content)
    assert response.json()["code"] in {"not_authenticated", "authentication_failed"}


@pytest.mark.parametrize("case", PROTECTED, ids=_ids)
def test_each_role_gets_403_exactly_where_its_role_lacks_the_permission(
    case: tuple[Endpoint, str],
    tenant: Tenant,
    make_user: Callable[..., User],
    client_for: Callable[[User], APIClient],
) -> None:
    endpoint, method = case
    permission = required_permission(endpoint.view, method)
    for role in Role:
        client = client_for(make_user(tenant, role=role))
        response = client.generic(
            method,
            endpoint.url,
            "{}",
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code < 500, (role, endpoint.url, response.content)
        if permission in role_permissions(role):
            assert response.status_code not in (401, 403), (role, endpoint.url, response.content)
        else:
            assert response.status_code == 403, (role, endpoint.url, response.content)
            assert response.json()["code"] == "permission_denied"
            assert response.json()["extra"] == {"permission": permission}


def test_roles_grant_more_as_they_go_up() -> None:
    viewer, operator, admin = (role_permissions(r) for r in Role)
    assert viewer == {Permission.VIEW_STREAM}
    assert viewer < operator < admin == set(Permission)


def test_users_without_a_tenant_or_inactive_have_no_permission(
    tenant: Tenant, make_user: Callable[..., User]
) -> None:
    site_admin = User.objects.create_user(username="root", password="x" * 20, role=Role.ADMIN)
    assert user_permissions(site_admin) == frozenset()
    gone = make_user(tenant, role=Role.ADMIN)
    gone.is_active = False
    assert user_permissions(gone) == frozenset()


class _Undeclared(APIView):
    permission_classes = (RolePermission,)

    def get(self, request: Any) -> Response:
        return Response({})


def test_a_view_that_names_no_permission_is_closed_to_every_role(
    tenant: Tenant, make_user: Callable[..., User]
) -> None:
    request = APIRequestFactory().get("/api/new-endpoint")
    force_authenticate(request, user=make_user(tenant, role=Role.ADMIN))
    response = _Undeclared.as_view()(request)
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
