"""Schemathesis against the backend's published OpenAPI schema, in process: never a 5xx.

The schema is read from `GET /api/schema` of the Django WSGI application itself and every
operation in it is called through that application (no server, no mock): as an admin of a
tenant with a camera, a recording, an alert rule, an export and an evidence hold, with
generated valid input (identifiers in paths generated, then those of the real objects) and
generated invalid input; and anonymously, where every operation that needs a token must
answer 401. Hypothesis runs derandomized (a fixed seed), without shrinking, so each run sends
the same requests. Every response goes through schemathesis's `not_a_server_error` check;
all 5xx found are reported together with a curl command for each.
"""

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from apps.alerts.services import alert_rule_create
from apps.cameras.models import Camera
from apps.evidence.models import EvidenceHold
from apps.evidence.services import export_request
from apps.playback.models import Recording
from apps.usuarios.models import Role, Tenant, User
from infrastructure.auth.tokens import token_pair_for_user

# Examples per operation and pass: generated, with the real objects' identifiers (and for
# playback a range around the recording), and invalid, with an admin's token; 8 each
# anonymously. An operation without inputs stops after one example.
GENERATED = 40
WITH_REAL_IDS = 20
INVALID = 40
ANONYMOUS = 8
MIN_TOTAL = 1000


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Run:
    """Requests sent and the 5xx answers among them."""

    sent: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_operation: dict[str, dict[int, int]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def call(self, case: Any, headers: dict[str, str]) -> Any:
        response = case.call(headers=headers)
        self.sent += 1
        self.by_status[response.status_code] = self.by_status.get(response.status_code, 0) + 1
        counts = self.by_operation.setdefault(case.operation.label, {})
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except AssertionError:
            self.server_errors.append(
                f"{response.status_code} {case.operation.label}: {case.as_curl_command()}"
            )
        return response


@pytest.fixture
def api_schema(db: None, settings: Any, objects: dict[str, str]) -> Iterator[Any]:
    """The schema, loaded from the application that then answers its requests.

    As in Django's test client, requests keep the test's database connection (and its
    transaction) open instead of closing it when they finish. The rate limits are raised
    out of the way: a 429 would stop a request before the code under test.
    """
    for name in dir(django_settings):
        if name.startswith("API_THROTTLE_"):
            setattr(settings, name, "1000000/min")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/schema?format=json",
            get_wsgi_application(),
            headers={"Authorization": f"Bearer {objects['token']}"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def objects(
    tenant: Tenant,
    camera: Camera,
    make_user: Callable[..., User],
    make_recording: Callable[..., Recording],
) -> dict[str, str]:
    """A tenant with one of everything an identifier in a path can name; the admin's token."""
    admin = make_user(tenant, username="fuzz-admin", role=Role.ADMIN)
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    recording = make_recording(camera, start, content=b"segment")
    rule = alert_rule_create(user=admin, name="people", label="person", min_confidence=0.5)
    job = export_request(user=admin, camera=camera, start=start, end=start + timedelta(minutes=1))
    hold = EvidenceHold.objects.filter(camera=camera).first()
    ids = {
        "camera_id": str(camera.id),
        "recording_id": str(recording.id),
        "rule_id": str(rule.id),
        "export_id": str(job.id),
        "token": token_pair_for_user(admin).access,
    }
    if hold is not None:
        ids["hold_id"] = str(hold.id)
    return ids


def test_the_schema_is_published_to_users_and_valid(
    api_client: Any, auth_client: Any, tmp_path: Path
) -> None:
    assert api_client.get("/api/schema?format=json").status_code == 401
    response = auth_client.get("/api/schema?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/cameras/" in schema["paths"]
    assert "/api/schema" not in "".join(schema["paths"])
    # drf-spectacular's own validation against the OpenAPI 3 meta-schema, warnings included.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def _operations(api_schema: Any) -> Iterator[Any]:
    for result in api_schema.get_all_operations():
        yield result.ok()


def _run(
    run: Run,
    operation: Any,
    examples: int,
    headers: dict[str, str],
    mode: GenerationMode = GenerationMode.POSITIVE,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    on_response: Callable[[Any, Any], None] | None = None,
) -> None:
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=path_parameters, query=query
    )

    @given(case=strategy)
    @_settings(examples)
    def send(case: Any) -> None:
        response = run.call(case, headers)
        if on_response is not None:
            on_response(case, response)

    # Nothing invalid can be made of an operation without inputs.
    with contextlib.suppress(Unsatisfiable):
        send()


def _is_anonymous(operation: Any) -> bool:
    security = operation.definition.raw.get("security", [])
    return not security or {} in security


def test_generated_requests_get_no_server_error(api_schema: Any, objects: dict[str, str]) -> None:
    # The admin's token always goes with the request: invalid input, not an invalid token
    # (the anonymous test below covers requests without one).
    api_schema.config.generation.update(with_security_parameters=False)
    run = Run()
    admin = {"Authorization": f"Bearer {objects['token']}"}
    operations = list(_operations(api_schema))
    assert len(operations) >= 20, [op.label for op in operations]
    for operation in operations:
        _run(run, operation, GENERATED, admin)
        names = {p.name for p in operation.path_parameters}
        if names:
            real = {name: objects[name] for name in names if name in objects}
            if real:
                _run(run, operation, WITH_REAL_IDS, admin, path_parameters=real)
                if {"start", "end"} <= {p.name for p in operation.query}:
                    # A range around the recording, so that answers go past validation.
                    _run(
                        run,
                        operation,
                        WITH_REAL_IDS,
                        admin,
                        path_parameters=real,
                        query={"start": "2026-01-05T09:30:00Z", "end": "2026-01-05T10:30:00Z"},
                    )
        _run(run, operation, INVALID, admin, mode=GenerationMode.NEGATIVE)

    print(f"{run.sent} requests over {len(operations)} operations: {sorted(run.by_status.items())}")
    for label, counts in sorted(run.by_operation.items()):
        print(f"  {label}: {sorted(counts.items())}")
    assert run.server_errors == []
    assert run.sent >= MIN_TOTAL


def test_anonymous_requests_are_refused_with_401(api_schema: Any, objects: dict[str, str]) -> None:
    run = Run()
    protected = [op for op in _operations(api_schema) if not _is_anonymous(op)]
    assert len(protected) >= 15, [op.label for op in protected]

    def refused(case: Any, response: Any) -> None:
        if response.status_code != 401:
            run.unexpected.append(f"{response.status_code} {case.operation.label}")

    for operation in protected:
        _run(run, operation, ANONYMOUS, {}, on_response=refused)

    print(f"{run.sent} anonymous requests: {sorted(run.by_status.items())}")
    assert run.server_errors == []
    assert run.unexpected == []
    assert run.sent >= len(protected)


# Regression tests of what the generated requests found.


@pytest.fixture
def admin_client(
    client_for: Callable[[User], Any], make_user: Callable[..., User], tenant: Tenant
) -> Any:
    return client_for(make_user(tenant, username="edge-admin", role=Role.ADMIN))


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000],
    ids=["arrays", "objects"],
)
@pytest.mark.parametrize("path", ["/api/alert-rules", "/api/auth/login"])
def test_a_body_nested_too_deeply_is_a_400(admin_client: Any, path: str, body: str) -> None:
    response = admin_client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested too deeply" in response.json()["message"]


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01T00:00:00Z&end=0001-01-02T00:00:00Z",
        "start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z&bucket=99999999999999999999",
    ],
    ids=["year-1", "huge-bucket"],
)
def test_a_time_or_number_out_of_range_is_a_400(
    admin_client: Any, camera: Camera, query: str
) -> None:
    response = admin_client.get(f"/api/playback/{camera.id}/timeline?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "message": "a value is out of the range this API handles",
        "code": "out_of_range",
        "extra": {},
    }
