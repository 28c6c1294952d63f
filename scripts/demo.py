"""`make demo`: the whole VMS on this machine with simulated cameras.

Creates a demo tenant, an admin user and VMS_DEMO_CAMERAS cameras (default 4), serves them
from the camera simulator, starts S3 (moto's server, port VMS_DEMO_S3_PORT, default 5000),
recorder, detection service, Celery worker and backend, pushes every camera's retention policy
to the recorder, asks the recorder to record every camera and the detection service to analyse
it (local OpenCV provider, motion gate on), prints the URL and the credentials, and stops
everything on Ctrl-C.
"""

import os
import secrets
import signal
import sys
import time
from pathlib import Path

from camsim.control import CameraSimulator
from stack import REPO, Stack, StackConfig


def main() -> int:
    cameras = int(os.environ.get("VMS_DEMO_CAMERAS", "4"))
    password = os.environ.get("VMS_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    var = REPO / ".var"
    config = StackConfig(
        database_url=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vms"),
        rabbitmq_url=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        recordings_root=Path(os.environ.get("RECORDINGS_ROOT", var / "recordings")),
        log_dir=var / "log",
        relay_rtsp_base="rtsp://127.0.0.1:8554",
        recorder_token=secrets.token_urlsafe(24),
        detection_token=secrets.token_urlsafe(24),
        segment_seconds=int(os.environ.get("VMS_DEMO_SEGMENT_SECONDS", "60")),
        s3_port=int(os.environ.get("VMS_DEMO_S3_PORT", "5000")),
    )
    stack = Stack(config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    print("demo: migrating the database", flush=True)
    stack.manage("migrate", "--no-input")
    demo = stack.demo_setup(cameras, password)
    paths = [camera["relay_path"] for camera in demo["cameras"]]

    simulator = CameraSimulator(
        paths, rtsp_port=8554, control_port=8555, log_path=config.log_dir / "camsim.log"
    )
    try:
        config.log_dir.mkdir(parents=True, exist_ok=True)
        simulator.start()
        stack.start()
        cameras_sync(stack)
        print(
            f"\nVMS demo is running: {config.backend_url}/\n"
            f"  user:     {demo['username']}\n"
            f"  password: {password}\n"
            f"  cameras:  {len(paths)} simulated, recording in {config.segment_seconds} s segments\n"
            f"  S3:       {config.s3_url}/{config.s3_bucket} (moto), for tiered segments\n"
            f"  detection: {config.detection_url}/metrics, local OpenCV, 1 frame/s per camera\n"
            f"  logs:     {config.log_dir}\n"
            "Recordings appear as each segment closes. Press Ctrl-C to stop.",
            flush=True,
        )
        while True:
            stack.check_alive()
            if not simulator.running:
                raise RuntimeError(f"camera simulator exited:\n{simulator.stderr_tail()}")
            time.sleep(1)
    except KeyboardInterrupt:
        print("\ndemo: stopping", flush=True)
    except RuntimeError as error:
        print(f"demo: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        stack.stop()
        simulator.close()
    return 0


def cameras_sync(stack: Stack) -> None:
    """Push every camera's settings to the recorder and the detection service, as at every
    start-up: they start recording and analysing the cameras.

    A failure is a warning: the camera's retry task pushes again once Celery runs it, and
    `manage.py cameras_sync` does it by hand.
    """
    try:
        summary = stack.manage("cameras_sync").strip().splitlines()[-1:]
        print(f"demo: {' '.join(summary)}", flush=True)
    except RuntimeError as error:
        print(
            f"demo: WARNING: not every camera's settings reached the services; "
            f"run `manage.py cameras_sync` again.\n{error}",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
