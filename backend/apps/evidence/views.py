"""Evidence API: ask for an export, follow it, download its clip and manifest, release holds."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.selectors import camera_get_for_user
from apps.core.exceptions import ResourceNotFound
from apps.core.link_access import reader_by_token_or_link
from apps.evidence.links import ExportFile, export_file_url, reader_of_export_link
from apps.evidence.models import ExportJob, ExportStatus
from apps.evidence.selectors import export_get_for_user, exports_for_user, hold_get_for_user
from apps.evidence.services import export_request, hold_release
from apps.playback.file_responses import ranged_file_response
from apps.usuarios.permissions import Permission
from infrastructure.storage.recordings import recording_file_path


class ExportOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    camera_id = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    progress = serializers.FloatField()
    error = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.SerializerMethodField()
    clip_url = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()

    def get_error(self, job: ExportJob) -> str | None:
        return job.error or None

    def get_warning(self, job: ExportJob) -> str | None:
        return job.warning or None

    def get_sha256(self, job: ExportJob) -> str | None:
        return job.sha256 or None

    def get_clip_url(self, job: ExportJob) -> str | None:
        return self._url(job, "clip")

    def get_manifest_url(self, job: ExportJob) -> str | None:
        return self._url(job, "manifest")

    def _url(self, job: ExportJob, file: ExportFile) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return export_file_url(export_id=job.id, file=file, user_id=self.context["user_id"])


def _export_out(job: ExportJob, request: Request) -> Any:
    return ExportOutputSerializer(job, context={"user_id": request.user.pk}).data


class ExportRequestApi(APIView):
    """`POST /api/playback/{camera_id}/export {start, end}` -> 202 with the queued job."""

    required_permissions = {"POST": Permission.CONTROL_CAMERA}

    class InputSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["start"] >= attrs["end"]:
                raise serializers.ValidationError({"end": "end must be after start"})
            return attrs

    @extend_schema(responses={202: ExportOutputSerializer})
    def post(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = export_request(user=request.user, camera=camera, **body.validated_data)
        return Response(_export_out(job, request), status=status.HTTP_202_ACCEPTED)


class ExportListApi(APIView):
    """`GET /api/exports/`: the tenant's exports, newest first."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    @extend_schema(responses=ExportOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = exports_for_user(request.user)[:200]
        return Response(
            ExportOutputSerializer(jobs, many=True, context={"user_id": request.user.pk}).data
        )


class ExportDetailApi(APIView):
    """`GET /api/exports/{id}`."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    @extend_schema(responses=ExportOutputSerializer)
    def get(self, request: Request, export_id: str) -> Response:
        return Response(_export_out(export_get_for_user(request.user, export_id), request))


class ExportFileApi(APIView):
    """`GET /api/exports/{id}/clip` and `/manifest`: the files, once the export is done.

    Open to a bearer token of the export's tenant or to the signed URL in the job
    (`?exp=&sig=`); other tenants get 404, as if the export did not exist.
    """

    required_permissions = {"GET": Permission.VIEW_STREAM}

    permission_classes = (AllowAny,)
    file: ExportFile = "clip"

    @extend_schema(
        parameters=[
            OpenApiParameter("exp", str, description="expiry of the signed link"),
            OpenApiParameter("sig", str, description="signature of the signed link"),
        ],
        responses={
            (200, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="the clip"),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="the manifest"
            ),
        },
    )
    def get(self, request: Request, export_id: str) -> HttpResponse | StreamingHttpResponse:
        reader = reader_by_token_or_link(
            self,
            request,
            lambda signature, expires: reader_of_export_link(
                signature=signature, expires=expires, export_id=export_id, file=self.file
            ),
        )
        job = export_get_for_user(reader, export_id)
        if job.status != ExportStatus.DONE:
            raise ResourceNotFound(
                f"the export is {job.status}, its files are there once it is done",
                code="export_not_ready",
                extra={"status": job.status},
            )
        relative = job.clip_path if self.file == "clip" else job.manifest_path
        path = recording_file_path(root=Path(settings.EXPORTS_ROOT), relative=relative)
        response = ranged_file_response(
            path,
            range_header=request.headers.get("Range"),
            content_type="video/mp4" if self.file == "clip" else "application/json",
            asynchronous=isinstance(request._request, ASGIRequest),
            head=request.method == "HEAD",
        )
        name = f"export-{job.id}.mp4" if self.file == "clip" else f"export-{job.id}-manifest.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, max-age=300"
        return response


class HoldReleaseApi(APIView):
    """`POST /api/evidence-holds/{id}/release` (admins): cleanup may delete those segments again."""

    required_permissions = {"POST": Permission.MANAGE_CONFIG}

    def post(self, request: Request, hold_id: str) -> Response:
        hold = hold_get_for_user(request.user, hold_id)
        hold = hold_release(hold=hold, user=request.user)
        return Response(
            {
                "id": str(hold.id),
                "camera_id": str(hold.camera_id),
                "start": serializers.DateTimeField().to_representation(hold.start),
                "end": serializers.DateTimeField().to_representation(hold.end),
                "released_at": serializers.DateTimeField().to_representation(hold.released_at),
            }
        )
