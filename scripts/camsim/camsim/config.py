"""Settings of the simulated stream and of the `serve` command, shared by server and client."""

from dataclasses import dataclass, field

DEFAULT_HOST = "127.0.0.1"
DEFAULT_RTSP_PORT = 8554
DEFAULT_CONTROL_PORT = 8555


@dataclass(frozen=True)
class StreamSettings:
    """The one H.264 stream every camera serves."""

    width: int = 640
    height: int = 360
    fps: int = 15
    bitrate_kbps: int = 600
    pattern: str = "ball"
    label: str = "VMS simulated camera"

    def __post_init__(self) -> None:
        if not (16 <= self.width <= 3840 and 16 <= self.height <= 2160):
            raise ValueError(f"unsupported size {self.width}x{self.height}")
        if self.width % 2 or self.height % 2:
            raise ValueError(f"width and height must be even, got {self.width}x{self.height}")
        if not 1 <= self.fps <= 60:
            raise ValueError(f"fps must be within 1..60, got {self.fps}")
        if not 50 <= self.bitrate_kbps <= 20000:
            raise ValueError(f"bitrate must be within 50..20000 kbit/s, got {self.bitrate_kbps}")


@dataclass(frozen=True)
class ServeOptions:
    """Everything `python -m camsim serve` needs to run."""

    host: str = DEFAULT_HOST
    rtsp_port: int = DEFAULT_RTSP_PORT
    control_port: int = DEFAULT_CONTROL_PORT
    paths: tuple[str, ...] = ()
    stream: StreamSettings = field(default_factory=StreamSettings)
    exit_on_stdin_eof: bool = False
