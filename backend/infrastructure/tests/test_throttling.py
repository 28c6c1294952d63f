"""API rate limits counted in the real Redis (`REDIS_URL`, the default cache): over the
limit a caller gets 429 `{"message", "code": "throttled", "extra": {"retry_after_s"}}`
with `Retry-After`; other callers and the exempt paths are not affected.

Each test counts under a key prefix of its own (the `_isolated_rate_limits` fixture)."""

from conftest import PASSWORD
from django.core.cache import caches

from apps.usuarios.models import Role
from config.tests.test_settings import run_django

LOGIN = "/api/auth/login"


def assert_throttled(response, window_s=60):
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == "throttled"
    assert set(body["extra"]) == {"retry_after_s"}
    assert 1 <= body["extra"]["retry_after_s"] <= window_s
    assert response["Retry-After"] == str(body["extra"]["retry_after_s"])


def test_a_user_over_the_limit_gets_429_and_another_user_does_not(
    settings, client_for, make_user, tenant
):
    settings.API_THROTTLE_USER = "3/min"
    first = client_for(make_user(tenant))
    second = client_for(make_user(tenant))

    answers = [first.get("/api/cameras/").status_code for _ in range(3)]
    over = first.get("/api/cameras/")

    assert answers == [200, 200, 200]
    assert_throttled(over)
    assert second.get("/api/cameras/").status_code == 200


def test_the_counts_live_in_redis_with_the_window_as_their_lifetime(settings, client_for, user):
    settings.API_THROTTLE_USER = "5/hour"
    client_for(user).get("/api/cameras/")
    client_for(user).get("/api/cameras/")

    cache = caches["default"]
    key = cache.make_and_validate_key(f"throttle:user:{user.pk}")
    redis = cache._cache.get_client(key)
    assert int(redis.get(key)) == 2
    assert 0 < redis.ttl(key) <= 3600


def test_callers_without_a_user_are_limited_per_ip(db, settings, api_client):
    settings.API_THROTTLE_ANON = "2/min"
    body = {"refresh": "not-a-token"}

    answers = [api_client.post("/api/auth/refresh", body, format="json") for _ in range(3)]
    elsewhere = api_client.post("/api/auth/refresh", body, format="json", REMOTE_ADDR="192.0.2.10")

    assert [answer.status_code for answer in answers[:2]] == [401, 401]
    assert_throttled(answers[2])
    assert elsewhere.status_code == 401


def test_login_is_limited_per_ip_and_username(db, settings, api_client, user):
    settings.API_THROTTLE_LOGIN = "2/min"
    wrong = {"username": "alice", "password": "wrong"}

    tries = [api_client.post(LOGIN, wrong, format="json") for _ in range(3)]
    other_name = api_client.post(LOGIN, {"username": "bob", "password": "x"}, format="json")
    other_ip = api_client.post(LOGIN, wrong, format="json", REMOTE_ADDR="192.0.2.20")

    assert [t.status_code for t in tries[:2]] == [401, 401]
    assert_throttled(tries[2])
    assert other_name.status_code == 401
    assert other_ip.status_code == 401


def test_a_throttled_login_does_not_reach_the_password_check(db, settings, api_client, user):
    settings.API_THROTTLE_LOGIN = "1/min"
    api_client.post(LOGIN, {"username": "alice", "password": "wrong"}, format="json")
    right = api_client.post(LOGIN, {"username": "alice", "password": PASSWORD}, format="json")

    assert_throttled(right)
    assert "access" not in right.json()


def test_health_and_the_stream_auth_callback_are_never_throttled(db, settings, api_client):
    settings.API_THROTTLE_ANON = "1/min"

    health = [api_client.get("/api/health").status_code for _ in range(3)]
    validate = [
        api_client.post("/api/auth/validate-stream", {}, format="json").status_code
        for _ in range(3)
    ]

    assert 429 not in health
    assert validate == [401, 401, 401]


def test_requests_pass_when_redis_cannot_be_reached(settings, client_for, make_user, tenant):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            # nothing listens on the discard port
            "LOCATION": "redis://127.0.0.1:9/8",
        }
    }
    settings.API_THROTTLE_USER = "1/min"
    client = client_for(make_user(tenant, role=Role.ADMIN))

    answers = [client.get("/api/cameras/").status_code for _ in range(2)]

    assert answers == [200, 200]


def test_a_malformed_rate_stops_startup():
    result = run_django("check", API_THROTTLE_LOGIN="lots")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "API_THROTTLE_LOGIN" in result.stderr


def test_signed_media_links_have_a_scope_of_their_own(db, settings, api_client):
    settings.API_THROTTLE_ANON = "1/min"
    settings.API_THROTTLE_MEDIA = "2/min"
    url = "/api/playback/segments/1/file.mp4?sig=not-a-signature&exp=1"

    answers = [api_client.get(url) for _ in range(3)]
    refresh = api_client.post("/api/auth/refresh", {"refresh": "x"}, format="json")

    assert 429 not in [answer.status_code for answer in answers[:2]]
    assert_throttled(answers[2])
    assert refresh.status_code == 401  # the anon scope counted nothing for the media links
