"""The WebSocket's token never reaches a log line."""

import logging

import pytest

from apps.dashboard.log_redaction import RedactQueryTokens, redact

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl"  # not a real token


def test_the_token_of_a_query_string_is_redacted():
    assert redact(f"/ws/detections?token={TOKEN}&camera_id=c1") == (
        "/ws/detections?token=[redacted]&camera_id=c1"
    )
    assert redact(f"/ws/detections?camera_id=c1&token={TOKEN}") == (
        "/ws/detections?camera_id=c1&token=[redacted]"
    )
    assert redact("/ws/detections?csrftoken=kept") == "/ws/detections?csrftoken=kept"


def test_uvicorns_accepted_socket_line_is_logged_without_the_token(caplog):
    logger = logging.getLogger("uvicorn.error")
    assert any(isinstance(f, RedactQueryTokens) for f in logger.filters), "installed by ready()"

    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        logger.info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/ws/detections?token={TOKEN}"
        )

    [record] = [r for r in caplog.records if "WebSocket" in r.getMessage()]
    assert TOKEN not in record.getMessage()
    assert "token=[redacted]" in record.getMessage()


@pytest.mark.parametrize("args", [{"path": f"/ws?token={TOKEN}"}])
def test_mapping_arguments_are_redacted_too(args):
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%(path)s", (args,), None)

    RedactQueryTokens().filter(record)

    assert record.getMessage() == "/ws?token=[redacted]"
