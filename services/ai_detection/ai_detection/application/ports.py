"""The ports the detection use cases need; adapters live in `infrastructure`."""

from typing import Protocol

from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame


class ProviderError(Exception):
    """A provider could not analyse a frame; `transient` ones are worth retrying."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class DetectionProvider(Protocol):
    """Finds people, objects and faces in a frame.

    Raises ProviderError (never a vendor exception) when it cannot; a frame that is not a
    readable JPEG raises ProviderError(transient=False).
    """

    name: str

    def detect(self, frame: Frame) -> Detection: ...
