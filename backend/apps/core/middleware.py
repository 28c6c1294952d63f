"""Binds a trace id to every log line of a request and returns it in `X-Trace-Id`."""

import re
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

from vms_common.contracts import new_trace_id
from vms_common.logging import bind

TRACE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class TraceIdMiddleware:
    """Takes the caller's `X-Trace-Id` when it is well formed, or starts a new trace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Trace-Id", "")
        trace_id = incoming if TRACE_ID.match(incoming) else new_trace_id()
        # A fresh context per request; it stays bound until the next request starts so
        # that Django's own request log line (written after the middleware) carries it too.
        structlog.contextvars.clear_contextvars()
        bind(trace_id=trace_id)
        response = self.get_response(request)
        response["X-Trace-Id"] = trace_id
        return response
