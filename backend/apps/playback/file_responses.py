"""Streaming a file or an S3 object, whole or one byte range, in chunks (never all in memory).

Under ASGI the chunks come from an async iterator (each read in a worker thread), since
Django would otherwise read a sync iterator to the end before sending anything.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.http import HttpResponse, StreamingHttpResponse

from apps.playback.byte_ranges import RangeNotSatisfiable, byte_range_parse
from infrastructure.storage.errors import ObjectRangeNotSatisfiable
from infrastructure.storage.s3 import S3Recordings

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
        return _not_satisfiable(size)

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


async def chunks_async(chunks: Iterator[bytes], close: Callable[[], None]) -> AsyncIterator[bytes]:
    """A blocking chunk iterator read in a worker thread, chunk by chunk."""
    done = object()
    try:
        while True:
            chunk = await asyncio.to_thread(next, chunks, done)
            if chunk is done:
                break
            yield chunk  # type: ignore[misc]
    finally:
        await asyncio.to_thread(close)


def ranged_object_response(
    store: S3Recordings,
    location: str,
    *,
    size: int,
    range_header: str | None,
    content_type: str,
    asynchronous: bool,
    head: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """Like ranged_file_response for an object in S3: the range is asked of S3 itself.

    `size` is the recorded size, used to check the range; HEAD asks S3 for the size.
    """
    if head:
        size = store.size(location)
    try:
        byte_range = byte_range_parse(range_header, size)
    except RangeNotSatisfiable:
        return _not_satisfiable(size)
    if head:
        length = size if byte_range is None else byte_range.length
        response = HttpResponse(
            status=200 if byte_range is None else 206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Accept-Ranges"] = "bytes"
        if byte_range is not None:
            response["Content-Range"] = byte_range.content_range(size)
        return response
    try:
        if byte_range is None:
            part = store.read(location)
        else:
            part = store.read(location, byte_range.first, byte_range.last)
    except ObjectRangeNotSatisfiable:
        return _not_satisfiable(size)
    body: Any = chunks_async(part, part.close) if asynchronous else part
    streaming = StreamingHttpResponse(
        body, status=200 if byte_range is None else 206, content_type=content_type
    )
    streaming["Content-Length"] = str(part.length)
    streaming["Accept-Ranges"] = "bytes"
    if byte_range is not None:
        streaming["Content-Range"] = part.content_range or byte_range.content_range(size)
    return streaming


def _not_satisfiable(size: int) -> HttpResponse:
    refused = HttpResponse(status=416)
    refused["Content-Range"] = f"bytes */{size}"
    refused["Accept-Ranges"] = "bytes"
    return refused
