"""Streaming a file, whole or one byte range, in chunks (never the whole file in memory).

Under ASGI the chunks come from an async iterator (each read in a worker thread), since
Django would otherwise read a sync iterator to the end before sending anything.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

from django.http import HttpResponse, StreamingHttpResponse

from apps.playback.byte_ranges import RangeNotSatisfiable, byte_range_parse

CHUNK_SIZE = 64 * 1024


def file_chunks(file: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(offset)
        remaining = length
        while remaining > 0:
            chunk = file.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


async def file_chunks_async(file: BinaryIO, offset: int, length: int) -> AsyncIterator[bytes]:
    try:
        await asyncio.to_thread(file.seek, offset)
        remaining = length
        while remaining > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


def ranged_file_response(
    path: Path,
    *,
    range_header: str | None,
    content_type: str,
    asynchronous: bool,
    head: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """200 with the whole file, 206 with one range, or 416 for a range outside the file."""
    size = path.stat().st_size
    try:
        byte_range = byte_range_parse(range_header, size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused

    offset, length = (0, size) if byte_range is None else (byte_range.first, byte_range.length)
    status = 200 if byte_range is None else 206
    response: HttpResponse | StreamingHttpResponse
    if head:
        response = HttpResponse(status=status, content_type=content_type)
    else:
        file = path.open("rb")
        chunks = file_chunks_async if asynchronous else file_chunks
        response = StreamingHttpResponse(
            chunks(file, offset, length), status=status, content_type=content_type
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if byte_range is not None:
        response["Content-Range"] = byte_range.content_range(size)
    return response
