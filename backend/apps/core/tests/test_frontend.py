import pytest

INDEX = b"<!doctype html><div id='root'></div>"


@pytest.fixture
def dist(tmp_path, settings):
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_bytes(INDEX)
    (folder / "assets" / "app-1234.js").write_bytes(b"console.log('vms')")
    settings.FRONTEND_DIST = folder
    settings.WHITENOISE_ROOT = str(folder)
    return folder


@pytest.mark.parametrize("path", ["/", "/cameras", "/cameras/123/playback?at=2026"])
def test_pages_of_the_app_get_index_html(client, dist, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.content == INDEX


def test_built_assets_are_served_from_the_site_root(client, dist):
    response = client.get("/assets/app-1234.js")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"console.log('vms')"


def test_without_a_build_pages_get_503_json(client, tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "not-built"

    response = client.get("/cameras")

    assert response.status_code == 503
    body = response.json()
    assert body["message"] == "frontend is not built"
    assert body["code"] == "frontend_not_built"


def test_api_urls_never_fall_back_to_the_app(client, dist, db):
    response = client.get("/api/unknown")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_admin_is_served_by_django(client, dist, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"Django" in response.content
    assert response.content != INDEX
