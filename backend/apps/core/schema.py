"""The OpenAPI schema of the API (drf-spectacular), from the views' own conventions.

Our views are plain `APIView`s with their serializers declared inside (HackSoft style), which
drf-spectacular cannot guess. `ApiSchema` reads them: `InputSerializer` or `UpdateSerializer`
is the body of POST/PUT/PATCH, `FilterSerializer` the query parameters of GET, and every
operation documents the error body `{"message", "code", "extra"}`. A view says more with
`extend_schema` (its responses, other query parameters), which takes precedence.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.permissions import AllowAny

BODY_METHODS = ("POST", "PUT", "PATCH")
INPUT_SERIALIZERS = ("InputSerializer", "UpdateSerializer")


class ErrorSerializer(serializers.Serializer):
    """Every error of the API."""

    message = serializers.CharField()
    code = serializers.CharField()
    extra = serializers.DictField()


class ApiSchema(AutoSchema):
    def _get_serializer(self) -> Any:
        # Nothing to guess from an APIView: responses come from extend_schema, else a free object.
        return OpenApiTypes.OBJECT

    def get_request_serializer(self) -> Any:
        if self.method not in BODY_METHODS:
            return None
        for name in INPUT_SERIALIZERS:
            serializer = getattr(self.view, name, None)
            if serializer is not None:
                return serializer
        return None

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = []
        filters = getattr(self.view, "FilterSerializer", None)
        if self.method == "GET" and filters is not None:
            parameters.append(filters)
        return parameters

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        # Serializers declared inside views share names (InputSerializer): name them by view.
        cls = serializer if isinstance(serializer, type) else type(serializer)
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer:
            return outer.rpartition(".")[2].removesuffix("Api") + inner
        return str(super().get_serializer_name(serializer, direction))

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        # APIViews are never list views to drf-spectacular: the GET of a collection
        # (`...ListApi`) would share its name with the item's.
        if (
            self.method == "GET"
            and operation_id.endswith("_retrieve")
            and type(self.view).__name__.endswith("ListApi")
        ):
            operation_id = operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        bodies = super()._get_response_bodies(direction)
        codes = ["400", "403", "404", "429"]
        if not self._is_open():
            codes.insert(1, "401")
        for code in codes:
            if code not in bodies:
                bodies[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return bodies

    def _is_open(self) -> bool:
        return any(isinstance(p, AllowAny) for p in self.view.get_permissions())
