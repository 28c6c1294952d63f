"""Errors of evidence export."""

from apps.core.exceptions import ApplicationError


class ExportFailed(ApplicationError):
    """The export cannot produce a clip that is faithful to its sources."""

    default_code = "export_failed"
