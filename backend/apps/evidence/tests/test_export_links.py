"""Signed export links: refused once expired, for a user no longer active, or for the
other file of the export; 401 with our error body."""

import time
import uuid

from apps.evidence.links import export_file_url


def test_a_valid_link_is_let_through_to_the_export_lookup(api_client, user):
    url = export_file_url(export_id=uuid.uuid4(), file="clip", user_id=user.pk)

    response = api_client.get(url)

    assert response.status_code == 404  # the link was accepted; there is no such export
    assert response.json()["code"] == "export_not_found"


def test_an_expired_link_is_refused(api_client, user):
    url = export_file_url(
        export_id=uuid.uuid4(), file="clip", user_id=user.pk, expires=int(time.time()) - 1
    )

    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "signature_expired"
    assert set(response.json()) == {"message", "code", "extra"}


def test_a_link_of_a_user_no_longer_active_is_refused(api_client, user):
    url = export_file_url(export_id=uuid.uuid4(), file="manifest", user_id=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"


def test_a_link_to_one_export_does_not_open_another(api_client, user):
    url = export_file_url(export_id=uuid.uuid4(), file="clip", user_id=user.pk)
    other = f"/api/exports/{uuid.uuid4()}/clip?{url.split('?', 1)[1]}"

    response = api_client.get(other)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
