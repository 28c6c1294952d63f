"""Django admin for cameras: the same checks, audit and pushes as the API. The camera's
password is write-only here too: left empty, the stored one is kept."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.cameras.models import Camera
from apps.cameras.services import camera_create, camera_update
from apps.cameras.sync import camera_sync_or_retry
from domain.cameras.rtsp_url import InvalidRtspUrl, rtsp_url_parse
from infrastructure.camera_credentials import password_unseal

EDITABLE = (
    "recording_enabled",
    "retention_days",
    "detection_enabled",
    "detection_provider",
    "detection_min_confidence",
    "detection_daily_budget_usd",
)


class CameraForm(forms.ModelForm):
    rtsp_url = forms.CharField(
        max_length=500, required=False, help_text="rtsp:// or rtsps://, without credentials"
    )
    username = forms.CharField(max_length=200, required=False)
    password = forms.CharField(
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Left empty: the stored password is kept.",
    )

    class Meta:
        model = Camera
        fields = ("tenant", "name", "enabled", *EDITABLE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["rtsp_url"].initial = self.instance.source_url
            self.fields["username"].initial = self.instance.source_username
            self.fields["tenant"].disabled = True

    def clean_rtsp_url(self) -> str:
        value = self.cleaned_data["rtsp_url"]
        if value:
            try:
                url = rtsp_url_parse(value)
            except InvalidRtspUrl as exc:
                raise forms.ValidationError(str(exc)) from None
            if url.has_credentials:
                raise forms.ValidationError("put the credentials in username and password")
        return value

    def camera_settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        settings = {name: data[name] for name in ("name", "enabled", "rtsp_url", *EDITABLE)}
        if data["password"] or data["username"] != self.instance.source_username:
            password = data["password"]
            if not password and not self.instance._state.adding:
                password = password_unseal(self.instance.source_password_sealed)
            settings["credentials"] = (data["username"], password)
        return settings


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    form = CameraForm
    list_display = ("name", "tenant", "enabled", "recording_enabled", "detection_enabled", "id")
    list_filter = ("tenant", "enabled", "recording_enabled", "detection_enabled")
    search_fields = ("name",)
    readonly_fields = ("id", "relay_path", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Camera, form: Any, change: bool) -> None:
        settings = form.camera_settings()
        if change:
            stored = Camera.objects.get(pk=obj.pk)
            camera = camera_update(camera=stored, user=request.user, **settings)
        else:
            camera = camera_create(tenant=obj.tenant, user=request.user, **settings)
        obj.pk = camera.pk
        report = camera_sync_or_retry(camera)
        summary = ", ".join(f"{name}: {state}" for name, state in report.as_dict().items())
        self.message_user(request, f"Camera settings pushed ({summary}).")
