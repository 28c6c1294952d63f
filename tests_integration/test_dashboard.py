"""The dashboard's live detections feed end to end: a DetectionResult published to the
`detections` exchange -> Celery consumer -> PostgreSQL -> Redis channel layer -> WebSocket ->
the feed in Chromium. Nothing is faked."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect, sync_playwright

from vms_common.contracts import Box, DetectionResult, Face, Label
from vms_common.publisher import Publisher
from vms_common.settings import DEFAULT_DEFINITIONS

CHROMIUM = "/usr/bin/chromium"


def a_detection(tenant_id: str, camera_id: str, label: str, confidence: float) -> DetectionResult:
    captured = datetime.now(UTC) - timedelta(milliseconds=300)
    return DetectionResult(
        tenant_id=tenant_id,
        camera_id=camera_id,
        captured_at=captured,
        processed_at=captured + timedelta(milliseconds=200),
        provider="e2e",
        labels=(
            Label(
                name=label,
                confidence=confidence,
                box=Box(left=0.1, top=0.1, width=0.2, height=0.3),
            ),
        ),
        faces=(Face(confidence=0.66, box=Box(left=0.5, top=0.1, width=0.1, height=0.1)),),
    )


def test_a_published_detection_appears_in_the_dashboard_feed(running_stack) -> None:
    s = running_stack
    publisher = Publisher(s.stack.config.rabbitmq_url, DEFAULT_DEFINITIONS, "detections")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(timezone_id="UTC")
            fetched: list[str] = []
            page.on(
                "request",
                lambda request: (
                    fetched.append(request.url) if "/api/detections" in request.url else None
                ),
            )
            page.goto(s.url + "/")
            page.get_by_label("Username").fill(s.username)
            page.get_by_label("Password").fill(s.password)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_test_id("camera-card").first).to_be_visible(timeout=15_000)
            state = page.get_by_test_id("feed-state")
            expect(state).to_have_attribute("data-state", "live", timeout=15_000)

            publisher.publish(a_detection(s.tenant_id, s.camera_id, "bicycle", 0.77))

            item = page.get_by_test_id("detection-item").filter(has_text="bicycle 77%")
            expect(item).to_be_visible(timeout=10_000)
            expect(item).to_contain_text("face 66%")
            camera_name = page.get_by_test_id("camera-card").first.locator("h2").inner_text()
            expect(item.get_by_role("link")).to_have_text(camera_name)
            # Pushed over the WebSocket: the only fetch is the first one, before it was published.
            expect(state).to_have_attribute("data-state", "live")
            assert len(fetched) == 1, fetched
        finally:
            browser.close()
            publisher.close()
