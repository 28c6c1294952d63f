"""Reads the CSV segment list that ffmpeg's segment muxer appends to as segments close."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ListedSegment:
    filename: str
    start_s: float
    end_s: float


class SegmentListReader:
    """Returns each complete line of the list once, as ffmpeg appends it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0

    def new_entries(self) -> list[ListedSegment]:
        try:
            with self._path.open("rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        entries = []
        for row in csv.reader(io.StringIO(complete.decode(errors="replace"))):
            if len(row) >= 3:
                entries.append(ListedSegment(row[0], float(row[1]), float(row[2])))
        return entries
