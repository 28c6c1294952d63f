"""`GET /api/detections`: the feed's catch-up, against the real PostgreSQL."""

import pytest

from apps.cameras.services import camera_create
from apps.dashboard.tests.helpers import detection_row
from apps.usuarios.models import User

pytestmark = pytest.mark.django_db

URL = "/api/detections"


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_a_token_is_required(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert set(response.json()) == {"message", "code", "extra"}


def test_the_representation_of_a_detection(auth_client, camera):
    row = detection_row(camera, faces=[{"confidence": 0.8, "box": {"left": 0.1}}])

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": row.id,
                "event_id": str(row.event_id),
                "camera_id": str(camera.id),
                "captured_at": "2026-11-25T09:00:00Z",
                "processed_at": "2026-11-25T09:00:00.250000Z",
                "provider": "local",
                "labels": row.labels,
                "faces": [{"confidence": 0.8, "box": {"left": 0.1}}],
                "trace_id": row.trace_id,
            }
        ],
        "next_since": row.id,
    }


def test_without_since_the_newest_in_ascending_order(auth_client, camera):
    rows = [detection_row(camera) for _ in range(5)]

    response = auth_client.get(URL, {"limit": 3})

    assert ids(response) == [row.id for row in rows[2:]]
    assert response.json()["next_since"] == rows[-1].id


def test_since_pages_in_ascending_order_until_empty(auth_client, camera):
    rows = [detection_row(camera) for _ in range(5)]
    seen: list[int] = []
    since = rows[0].id

    while True:
        body = auth_client.get(URL, {"since": since, "limit": 2}).json()
        if not body["results"]:
            assert body["next_since"] == since
            break
        seen += [item["id"] for item in body["results"]]
        since = body["next_since"]

    assert seen == [row.id for row in rows[1:]]


def test_another_tenants_detections_are_never_listed(auth_client, camera, other_tenant):
    ours = detection_row(camera)
    detection_row(camera_create(tenant=other_tenant, name="Lobby"))

    assert ids(auth_client.get(URL)) == [ours.id]
    assert ids(auth_client.get(URL, {"since": 0})) == [ours.id]


def test_one_camera(auth_client, camera, tenant):
    side_door = camera_create(tenant=tenant, name="Side door")
    front = detection_row(camera)
    detection_row(side_door)

    assert ids(auth_client.get(URL, {"camera_id": str(camera.id)})) == [front.id]


def test_another_tenants_camera_is_not_found(auth_client, other_tenant):
    elsewhere = camera_create(tenant=other_tenant, name="Lobby")
    detection_row(elsewhere)

    response = auth_client.get(URL, {"camera_id": str(elsewhere.id)})

    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "-1"}, "since"),
        ({"since": "abc"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"camera_id": "not-a-uuid"}, "camera_id"),
    ],
)
def test_bad_parameters_are_a_400(auth_client, query, field):
    response = auth_client.get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"]


def test_the_limit_is_500_at_most(auth_client, camera):
    for _ in range(3):
        detection_row(camera)

    assert len(ids(auth_client.get(URL, {"limit": 500, "since": 0}))) == 3


def test_a_user_without_a_tenant_is_refused_the_detections(client_for, camera):
    detection_row(camera)
    site_admin = User.objects.create_user(username="root", password="x" * 20)

    response = client_for(site_admin).get(URL, {"since": 0})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
