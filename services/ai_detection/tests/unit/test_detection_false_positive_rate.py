"""False positives and detections of the local OpenCV provider on footage generated here.

Negative footage: N frames of moving shapes, gradients and sensor noise with no person in them;
no frame may get a `person` label. Positive footage: the same scenes with a standing person
composited in (a drawn silhouette: head, torso, arms, legs, the outline HOG's people detector
keys on) walking across; it must be found in nearly every frame. Faces: none in the negative footage, one in scikit-image's
astronaut portrait (scikit-image, a test dependency).

The project pins OpenCV 4: the OpenCV 5 main build has no HOG people detector and no Haar
cascades, and these tests would fail there.
"""

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.providers.opencv import OpenCvProvider

N = 30
WIDTH, HEIGHT = 640, 360
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_local_provider_can_find_people_and_faces() -> None:
    assert {"person", "face"} <= set(OpenCvProvider().capabilities)


def astronaut() -> np.ndarray | None:
    """scikit-image's `astronaut.png` (a portrait), read from the package's files when it is
    installed, without importing scikit-image."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "astronaut.png"
    return cv2.imread(str(path)) if path.exists() else None


def background(i: int, rng: np.random.Generator) -> np.ndarray:
    """A scene without people: a drifting gradient, moving rectangles and discs, noise."""
    x = np.linspace(0, 1, WIDTH)[None, :]
    y = np.linspace(0, 1, HEIGHT)[:, None]
    phase = i / N
    base = 90 + 60 * np.sin(2 * np.pi * (x + phase)) * np.cos(np.pi * (y - phase))
    image = np.repeat(base[:, :, None], 3, axis=2).astype(np.uint8)
    image[:, :, 1] = np.clip(image[:, :, 1].astype(int) + 30, 0, 255).astype(np.uint8)
    for k in range(4):
        cx = int((80 + 150 * k + 12 * i) % WIDTH)
        cv2.rectangle(
            image, (cx, 40 + 60 * k), (cx + 70 + 10 * k, 110 + 60 * k), (40 * k, 120, 200), -1
        )
        cv2.circle(image, ((cx * 3) % WIDTH, 300 - 40 * k), 25 + 5 * k, (200, 60 + 40 * k, 30), -1)
    cv2.line(image, (0, (7 * i) % HEIGHT), (WIDTH, (HEIGHT - 5 * i) % HEIGHT), (250, 250, 250), 3)
    noise = rng.normal(0, 8, image.shape)
    return np.clip(image.astype(float) + noise, 0, 255).astype(np.uint8)


def draw_person(image: np.ndarray, x: int, y: int, scale: float = 1.0) -> None:
    """A standing person about 250 px tall (x = centre, y = top of the head), dark clothes."""

    def p(v: float) -> int:
        return int(v * scale)

    colour = (35, 35, 45)
    cv2.circle(image, (x, y + p(20)), p(18), colour, -1)
    cv2.rectangle(image, (x - p(6), y + p(36)), (x + p(6), y + p(46)), colour, -1)
    torso = [
        (x - p(30), y + p(46)),
        (x + p(30), y + p(46)),
        (x + p(26), y + p(140)),
        (x - p(26), y + p(140)),
    ]
    cv2.fillPoly(image, [np.array(torso)], colour)
    cv2.line(image, (x - p(30), y + p(50)), (x - p(40), y + p(140)), colour, p(12))
    cv2.line(image, (x + p(30), y + p(50)), (x + p(40), y + p(140)), colour, p(12))
    cv2.line(image, (x - p(14), y + p(135)), (x - p(18), y + p(250)), colour, p(18))
    cv2.line(image, (x + p(14), y + p(135)), (x + p(18), y + p(250)), colour, p(18))


def frames(with_person: bool) -> list[Frame]:
    rng = np.random.default_rng(2026)
    found = []
    for i in range(N):
        image = background(i, rng)
        if with_person:
            draw_person(image, x=120 + 13 * i, y=60, scale=0.9 + 0.01 * (i % 10))
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        found.append(Frame("acme", "cam-1", START + timedelta(seconds=i), jpeg.tobytes()))
    return found


def people_per_frame(with_person: bool) -> list[int]:
    provider = OpenCvProvider()
    return [
        sum(1 for label in provider.detect(frame).labels if label.name == "person")
        for frame in frames(with_person)
    ]


def test_detection_false_positive_rate() -> None:
    counts = people_per_frame(with_person=False)
    assert counts == [0] * N


def test_person_composited_into_the_footage_is_detected() -> None:
    counts = people_per_frame(with_person=True)
    detected = sum(1 for count in counts if count > 0)
    assert detected >= 0.9 * N, counts


def test_no_face_in_the_footage_without_people_and_one_in_a_portrait() -> None:
    provider = OpenCvProvider()
    assert [len(provider.detect(frame).faces) for frame in frames(with_person=False)] == [0] * N
    portrait = astronaut()
    assert portrait is not None, "scikit-image's astronaut portrait is missing"
    ok, jpeg = cv2.imencode(".jpg", portrait)
    assert ok
    faces = provider.detect(Frame("acme", "cam-1", START, jpeg.tobytes())).faces
    assert len(faces) == 1
    box = faces[0].box
    # the astronaut's face is in the upper middle of the picture
    assert 0.3 < box.left + box.width / 2 < 0.6
    assert 0.1 < box.top + box.height / 2 < 0.4
