import uuid
from datetime import UTC, datetime, timedelta

from apps.cameras.services import camera_create

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_camera_list_shows_only_the_users_tenant(auth_client, camera, other_tenant):
    camera_create(tenant=other_tenant, name="Their camera")

    response = auth_client.get("/api/cameras/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(camera.id),
            "name": "Front door",
            "enabled": True,
            "recording_enabled": True,
            "detection_enabled": True,
            "retention_days": 30,
            "last_segment_end": None,
        }
    ]


def test_last_segment_end_is_the_end_of_the_newest_ok_recording(
    auth_client, camera, make_recording
):
    make_recording(camera, T0)
    make_recording(camera, T0 + timedelta(minutes=1))
    make_recording(camera, T0 + timedelta(minutes=2), status="corrupt")

    [listed] = auth_client.get("/api/cameras/").json()

    assert listed["last_segment_end"] == "2026-11-23T10:02:00Z"


def test_camera_list_takes_the_same_queries_for_many_cameras(
    auth_client, tenant, make_recording, django_assert_num_queries
):
    for number in range(5):
        cam = camera_create(tenant=tenant, name=f"Camera {number}")
        make_recording(cam, T0 + timedelta(minutes=number))

    # one query for the user behind the token, one for cameras with their last segment
    with django_assert_num_queries(2):
        response = auth_client.get("/api/cameras/")

    assert [c["last_segment_end"] for c in response.json()] == [
        f"2026-11-23T10:0{n + 1}:00Z" for n in range(5)
    ]


def test_camera_detail_of_own_camera(auth_client, camera):
    response = auth_client.get(f"/api/cameras/{camera.id}/")

    assert response.status_code == 200
    assert response.json()["id"] == str(camera.id)
    assert response.json()["name"] == "Front door"


def test_another_tenants_camera_is_not_found(client_for, other_user, camera):
    response = client_for(other_user).get(f"/api/cameras/{camera.id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"


def test_an_unknown_camera_is_not_found_the_same_way(auth_client, camera, client_for, other_user):
    unknown = auth_client.get(f"/api/cameras/{uuid.uuid4()}/")
    foreign = client_for(other_user).get(f"/api/cameras/{camera.id}/")

    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json() == foreign.json()


def test_a_camera_id_that_is_not_a_uuid_is_not_found(auth_client, db):
    response = auth_client.get("/api/cameras/not-a-uuid/")

    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"
