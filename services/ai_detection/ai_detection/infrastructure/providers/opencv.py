"""Local detection with OpenCV, the default provider: free and needs no account.

People are found with the HOG descriptor and its default people SVM (on a downscaled copy of the
frame, overlapping windows merged by non-maximum suppression), faces with the frontal-face Haar
cascade. OpenCV 4 builds and the OpenCV 5 contrib build ship both; the OpenCV 5 main build
(`opencv-python-headless` 5) moved them out, and there this provider says so once in the log and
finds nothing for the part it lacks (`capabilities` tells which parts it has).

The worker calls `detect` from many threads: HOG's detection is const and safe to share, a
cascade classifier is not, so each thread loads its own.
"""

import logging
import os
import threading
from typing import Any

import cv2
import numpy as np

from ai_detection.application.ports import ProviderError
from ai_detection.domain.detection import Detection
from ai_detection.domain.detection_result import normalise_box
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.providers.config import OpenCvConfig
from vms_common.contracts import Face, Label

log = logging.getLogger(__name__)

FACE_CASCADE = "haarcascade_frontalface_default.xml"


def _hog() -> Any | None:
    factory = getattr(cv2, "HOGDescriptor", None)
    if factory is None:
        return None
    hog = factory()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]
    return hog


def _face_cascade(path: str | None) -> Any | None:
    factory = getattr(cv2, "CascadeClassifier", None)
    if factory is None:
        return None
    if path is None:
        folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
        if not folder:
            return None
        path = os.path.join(folder, FACE_CASCADE)
    if not os.path.exists(path):
        return None
    cascade = factory(path)
    return None if cascade.empty() else cascade


def non_max_suppression(
    boxes: list[tuple[int, int, int, int]], scores: list[float], overlap: float = 0.45
) -> list[int]:
    """Indexes of the boxes (x, y, w, h) kept: highest score first, dropping any box whose
    intersection over union with a kept one is above `overlap`."""
    order = sorted(range(len(boxes)), key=lambda i: scores[i], reverse=True)
    kept: list[int] = []
    for i in order:
        x, y, w, h = boxes[i]
        keep = True
        for j in kept:
            kx, ky, kw, kh = boxes[j]
            ix = max(0, min(x + w, kx + kw) - max(x, kx))
            iy = max(0, min(y + h, ky + kh) - max(y, ky))
            inter = ix * iy
            union = w * h + kw * kh - inter
            if union > 0 and inter / union > overlap:
                keep = False
                break
        if keep:
            kept.append(i)
    return kept


def _hog_confidence(score: float) -> float:
    """HOG's SVM margin as 0..1 (a logistic squash: margin 0 -> 0.5, margin 2 -> 0.88)."""
    return float(1.0 / (1.0 + np.exp(-score)))


class OpenCvProvider:
    """People (HOG) and faces (Haar cascade) with the OpenCV the service ships."""

    name = "opencv"

    def __init__(self, config: OpenCvConfig | None = None) -> None:
        self.config = config or OpenCvConfig()
        self._hog = _hog() if self.config.people else None
        self._faces = _face_cascade(self.config.face_cascade_path) if self.config.faces else None
        self._per_thread = threading.local()
        missing = [
            part
            for part, wanted, have in (
                ("people (HOG)", self.config.people, self._hog),
                ("faces (Haar cascade)", self.config.faces, self._faces),
            )
            if wanted and have is None
        ]
        if missing:
            log.warning(
                "OpenCV %s has no %s: the opencv provider will not report them",
                cv2.__version__,
                " or ".join(missing),
            )

    @property
    def capabilities(self) -> frozenset[str]:
        """Which of `person` and `face` this OpenCV build can detect."""
        found = set()
        if self._hog is not None:
            found.add("person")
        if self._faces is not None:
            found.add("face")
        return frozenset(found)

    def detect(self, frame: Frame) -> Detection:
        image = _decode(frame.jpeg)
        try:
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            labels = self._people(image) if self._hog is not None else ()
            faces = self._find_faces(gray) if self._faces is not None else ()
        except cv2.error as exc:
            raise ProviderError(f"opencv failed: {exc}", transient=False) from exc
        return Detection(labels=labels, faces=faces, calls={})

    def _people(self, image: np.ndarray[Any, Any]) -> tuple[Label, ...]:
        height, width = image.shape[:2]
        scale = min(1.0, self.config.max_width / width)
        small = (
            cv2.resize(image, (round(width * scale), round(height * scale))) if scale < 1 else image
        )
        if small.shape[0] < 128 or small.shape[1] < 64:
            return ()
        assert self._hog is not None
        rects, weights = self._hog.detectMultiScale(
            small, winStride=(8, 8), padding=(8, 8), scale=1.05, hitThreshold=0.0
        )
        boxes = [tuple(int(v) for v in r) for r in rects]
        scores = [float(w) for w in np.asarray(weights).reshape(-1)]
        found = []
        sh, sw = small.shape[:2]
        for i in non_max_suppression(boxes, scores):  # type: ignore[arg-type]
            if scores[i] < self.config.hog_threshold:
                continue
            x, y, w, h = boxes[i]
            found.append(
                Label(
                    name="person",
                    confidence=_hog_confidence(scores[i]),
                    box=normalise_box(x / sw, y / sh, w / sw, h / sh),
                )
            )
        return tuple(found)

    def _thread_cascade(self) -> Any:
        cascade = getattr(self._per_thread, "cascade", None)
        if cascade is None:
            cascade = _face_cascade(self.config.face_cascade_path)
            self._per_thread.cascade = cascade
        return cascade

    def _find_faces(self, gray: np.ndarray[Any, Any]) -> tuple[Face, ...]:
        height, width = gray.shape[:2]
        rects, _levels, weights = self._thread_cascade().detectMultiScale3(
            gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24), outputRejectLevels=True
        )
        faces = []
        for (x, y, w, h), weight in zip(rects, np.asarray(weights).reshape(-1), strict=False):
            faces.append(
                Face(
                    confidence=_hog_confidence(float(weight)),
                    box=normalise_box(x / width, y / height, w / width, h / height),
                )
            )
        return tuple(faces)


def _decode(jpeg: bytes) -> np.ndarray[Any, Any]:
    """The frame as a BGR image; ProviderError(transient=False) when it is not a readable image."""
    if not jpeg:
        raise ProviderError("empty frame", transient=False)
    try:
        image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as exc:
        raise ProviderError(f"unreadable JPEG: {exc}", transient=False) from exc
    if image is None or image.size == 0:
        raise ProviderError("unreadable JPEG: cv2.imdecode returned nothing", transient=False)
    return image
