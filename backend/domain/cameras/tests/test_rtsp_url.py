import pytest

from domain.cameras.rtsp_url import InvalidRtspUrl, rtsp_url_parse


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("rtsp://10.0.0.5/stream1", "rtsp://10.0.0.5/stream1"),
        ("RTSP://Cam-1.Example.com:8554/live", "rtsp://cam-1.example.com:8554/live"),
        ("rtsps://cam.example.com:322/h264", "rtsps://cam.example.com:322/h264"),
        (
            "rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0",
            "rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0",
        ),
        (
            "rtsp://[fe80::1]:554/Streaming/Channels/101",
            "rtsp://[fe80::1]:554/Streaming/Channels/101",
        ),
        ("rtsp://camera", "rtsp://camera"),
    ],
)
def test_addresses_cameras_really_use_are_taken(text: str, address: str) -> None:
    url = rtsp_url_parse(text)
    assert url.address == address
    assert not url.has_credentials


def test_credentials_are_split_off_and_only_the_secret_url_carries_them() -> None:
    url = rtsp_url_parse("rtsp://admin:p%40ss%3Aw0rd@10.0.0.5:554/stream1")
    assert (url.username, url.password) == ("admin", "p@ss:w0rd")
    assert url.address == "rtsp://10.0.0.5:554/stream1"
    assert "p%40ss" not in url.address and "admin" not in url.address
    assert url.secret_url() == "rtsp://admin:p%40ss%3Aw0rd@10.0.0.5:554/stream1"


def test_credentials_given_apart_are_encoded_into_the_secret_url() -> None:
    url = rtsp_url_parse("rtsp://10.0.0.5/s").with_credentials("op erator", "a/b@c d")
    assert url.secret_url() == "rtsp://op%20erator:a%2Fb%40c%20d@10.0.0.5/s"
    assert rtsp_url_parse(url.secret_url()).password == "a/b@c d"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "http://10.0.0.5/stream",
        "file:///etc/passwd",
        "rtsp:/10.0.0.5/stream",
        "rtsp://",
        "rtsp:///stream",
        "rtsp://10.0.0.5:0/stream",
        "rtsp://10.0.0.5:99999/stream",
        "rtsp://10.0.0.5:port/stream",
        "rtsp://-bad-.example/stream",
        "rtsp://under_score.example/stream",
        "rtsp://10.0.0.5/stream; rm -rf /",
        "rtsp://10.0.0.5/stream|nc evil 1",
        "rtsp://10.0.0.5/$(reboot)",
        "rtsp://10.0.0.5/`id`",
        "rtsp://10.0.0.5/a b",
        "rtsp://10.0.0.5/a\nb",
        "rtsp://10.0.0.5/a\tb",
        "rtsp://10.0.0.5/a'b",
        'rtsp://10.0.0.5/a"b',
        "rtsp://10.0.0.5/a>out",
        "rtsp://10.0.0.5/a\\b",
        "rtsp://10.0.0.5/s -f null -",
        "rtsp://10.0.0.5/s&x=1",
        "rtsp://10.0.0.5/s?a=1;b",
        "rtsp://10.0.0.5/s#frag",
        "rtsp://10.0.0.5/%zz",
        "rtsp://ad$min:pw@10.0.0.5/s",
        "rtsp://admin:p@ss@10.0.0.5/s",
        "rtsp://admin:%0a@10.0.0.5/s",
        "rtsp://10.0.0.5/" + "a" * 500,
    ],
)
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidRtspUrl) as refused:
        rtsp_url_parse(text)
    assert str(refused.value)


def test_a_refusal_never_repeats_the_password() -> None:
    with pytest.raises(InvalidRtspUrl) as refused:
        rtsp_url_parse("rtsp://admin:hunter2%0a@10.0.0.5/s")
    assert "hunter2" not in str(refused.value)
