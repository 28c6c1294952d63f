"""Login and token refresh (both open; everything else needs a token); the tenant's users
(admins), the roles, and who is signed in."""

from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.schema import ErrorSerializer
from apps.usuarios.models import Role
from apps.usuarios.permissions import Permission
from apps.usuarios.selectors import permissions_of, roles_list, user_get_for_user, users_for_user
from apps.usuarios.services import (
    auth_login,
    auth_refresh,
    user_add,
    user_deactivate,
    user_update,
)


class LoginApi(APIView):
    """`POST /api/auth/login {username, password}` -> `{access, refresh}`."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    @extend_schema(
        responses=inline_serializer(
            "TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()}
        )
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = auth_login(**data.validated_data)
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class RefreshApi(APIView):
    """`POST /api/auth/refresh {refresh}` -> `{access}`."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField(max_length=4096)

    @extend_schema(responses=inline_serializer("AccessToken", {"access": serializers.CharField()}))
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"access": auth_refresh(refresh=data.validated_data["refresh"])})


def _refuse_unknown_fields(serializer: serializers.Serializer) -> None:
    unknown = sorted(set(serializer.initial_data) - set(serializer.fields))
    if unknown:
        raise serializers.ValidationError(
            {name: "this field cannot be set here" for name in unknown}
        )


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()


class UserListApi(APIView):
    """`GET /api/users`: the tenant's users; `POST` adds one -> 201 (admins)."""

    required_permissions = {"GET": Permission.MANAGE_CONFIG, "POST": Permission.MANAGE_CONFIG}

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
        password = serializers.CharField(max_length=4096, trim_whitespace=False)
        role = serializers.ChoiceField(choices=Role.choices)
        email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            _refuse_unknown_fields(self)
            return attrs

    @extend_schema(responses=UserOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(users_for_user(request.user), many=True).data)

    @extend_schema(responses={201: UserOutputSerializer, 409: ErrorSerializer})
    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = user_add(by=request.user, **body.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
class UserDetailApi(APIView):
    """`GET/PATCH/DELETE /api/users/{id}` (admins). DELETE deactivates: the row stays."""

    required_permissions = {
        "GET": Permission.MANAGE_CONFIG,
        "PATCH": Permission.MANAGE_CONFIG,
        "DELETE": Permission.MANAGE_CONFIG,
    }

    class UpdateSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        is_active = serializers.BooleanField(required=False)
        password = serializers.CharField(max_length=4096, trim_whitespace=False, required=False)
        email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            _refuse_unknown_fields(self)
            return attrs

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request: Request, user_id: str) -> Response:
        return Response(UserOutputSerializer(user_get_for_user(request.user, user_id)).data)

    @extend_schema(responses={200: UserOutputSerializer, 409: ErrorSerializer})
    def patch(self, request: Request, user_id: str) -> Response:
        user = user_get_for_user(request.user, user_id)
        body = self.UpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = user_update(user=user, by=request.user, **body.validated_data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(responses={204: None, 409: ErrorSerializer})
    def delete(self, request: Request, user_id: str) -> Response:
        user_deactivate(user=user_get_for_user(request.user, user_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleOutputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, source="name")
    label = serializers.CharField()
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=[p.value for p in Permission])
    )


class RoleListApi(APIView):
    """`GET /api/roles`: each role and what it permits (any signed-in user)."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    @extend_schema(responses=RoleOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RoleOutputSerializer(roles_list(), many=True).data)


class TenantOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    tenant = TenantOutputSerializer(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=[p.value for p in Permission])
    )


class MeApi(APIView):
    """`GET /api/me`: who is signed in, their tenant, role and permissions, so the web app
    shows only what they may do."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        me = {
            "id": user.pk,
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "tenant": getattr(user, "tenant", None),
            "role": getattr(user, "role", ""),
            "permissions": permissions_of(user),
        }
        return Response(MeOutputSerializer(me).data)
