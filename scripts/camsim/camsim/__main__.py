"""Command line of the camera simulator.

`serve` runs the RTSP server (needs the system Python with GStreamer bindings)::

    /usr/bin/python3 -m camsim serve --rtsp-port 8554 --control-port 8555 \\
        --path acme/camera/door --paths-file cameras.txt --width 640 --height 360 --fps 15

`cameras`, `add`, `stop` and `start` drive a running server through its control API and
work under any Python 3.11, without GStreamer.
"""

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from camsim.config import (
    DEFAULT_CONTROL_PORT,
    DEFAULT_HOST,
    DEFAULT_RTSP_PORT,
    ServeOptions,
    StreamSettings,
)
from camsim.control import CameraSimulatorError, ControlClient
from camsim.paths import InvalidPathError, read_paths_file, unique_paths

DEFAULTS = StreamSettings()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="camsim", description="Simulated RTSP cameras.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the cameras over RTSP")
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    serve.add_argument("--rtsp-port", type=int, default=DEFAULT_RTSP_PORT)
    serve.add_argument("--control-port", type=int, default=DEFAULT_CONTROL_PORT)
    serve.add_argument(
        "--path", action="append", default=[], help="camera path T/camera/C (repeatable)"
    )
    serve.add_argument("--paths-file", type=Path, help="file with one camera path per line")
    serve.add_argument("--width", type=int, default=DEFAULTS.width)
    serve.add_argument("--height", type=int, default=DEFAULTS.height)
    serve.add_argument("--fps", type=int, default=DEFAULTS.fps)
    serve.add_argument("--bitrate", type=int, default=DEFAULTS.bitrate_kbps, help="kbit/s")
    serve.add_argument("--pattern", default=DEFAULTS.pattern, help="videotestsrc pattern")
    serve.add_argument("--label", default=DEFAULTS.label, help="text burned into the picture")
    serve.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="stop when standard input closes (used when run by a parent process)",
    )

    control_url = f"http://{DEFAULT_HOST}:{DEFAULT_CONTROL_PORT}"
    for name, text in (
        ("cameras", "list the cameras of a running server"),
        ("add", "add a camera to a running server"),
        ("stop", "take a camera offline"),
        ("start", "bring a camera back online"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--control-url", default=control_url)
        if name != "cameras":
            command.add_argument("path")
    return parser


def _serve(args: argparse.Namespace) -> int:
    try:
        paths = list(args.path)
        if args.paths_file is not None:
            paths += read_paths_file(args.paths_file)
        options = ServeOptions(
            host=args.host,
            rtsp_port=args.rtsp_port,
            control_port=args.control_port,
            paths=tuple(unique_paths(paths)),
            exit_on_stdin_eof=args.exit_on_stdin_eof,
            stream=StreamSettings(
                width=args.width,
                height=args.height,
                fps=args.fps,
                bitrate_kbps=args.bitrate,
                pattern=args.pattern,
                label=args.label,
            ),
        )
    except (InvalidPathError, ValueError, OSError) as error:
        print(f"camsim serve: {error}", file=sys.stderr)
        return 2
    try:
        server = importlib.import_module("camsim.server")
    except ImportError as error:
        print(
            f"camsim serve: GStreamer's Python bindings are missing ({error}); "
            "run it with the system Python, e.g. /usr/bin/python3 -m camsim serve",
            file=sys.stderr,
        )
        return 2
    code: int = server.serve(options)
    return code


def _control(args: argparse.Namespace) -> int:
    client = ControlClient(args.control_url)
    try:
        if args.command == "cameras":
            answer: object = [vars(camera) for camera in client.cameras()]
        elif args.command == "add":
            answer = vars(client.add_camera(args.path))
        elif args.command == "stop":
            answer = vars(client.stop_camera(args.path))
        else:
            answer = vars(client.start_camera(args.path))
    except CameraSimulatorError as error:
        print(f"camsim {args.command}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _control(args)


if __name__ == "__main__":
    sys.exit(main())
