"""Each camera's retention policy, as the backend last set it, kept on disk across restarts.

Stored as JSON at ``{root}/.policies/{tenant}/{camera}.json``, replaced atomically. A camera
the backend never described keeps footage for the default number of days and holds nothing.
"""

import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from recorder.retention import EvidenceHold, RetentionPolicy


class PolicyUnreadable(Exception):
    """A stored policy file cannot be read; what it holds is unknown."""


class PolicyStore:
    def __init__(self, root: Path, default_retention_days: int) -> None:
        self._dir = root / ".policies"
        self.default = RetentionPolicy(retention_days=default_retention_days)

    def get(self, tenant_id: str, camera_id: str) -> RetentionPolicy:
        """The camera's policy, the default if none was set; PolicyUnreadable if it is damaged."""
        path = self._path(tenant_id, camera_id)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return self.default
        except (OSError, ValueError) as exc:
            raise PolicyUnreadable(f"{path}: {exc}") from exc
        try:
            return _policy_from(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyUnreadable(f"{path}: {exc!r}") from exc

    def put(self, tenant_id: str, camera_id: str, policy: RetentionPolicy) -> RetentionPolicy:
        path = self._path(tenant_id, camera_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        with tmp.open("wb") as file:
            file.write(json.dumps(_policy_to(policy), indent=1).encode())
            file.flush()
            os.fsync(file.fileno())
        tmp.replace(path)
        return policy

    def cameras(self) -> Iterator[tuple[str, str]]:
        """Cameras with a stored policy."""
        for path in sorted(self._dir.glob("*/*.json")):
            yield path.parent.name, path.stem

    def _path(self, tenant_id: str, camera_id: str) -> Path:
        return self._dir / tenant_id / f"{camera_id}.json"


def _policy_to(policy: RetentionPolicy) -> dict[str, object]:
    return {
        "retention_days": policy.retention_days,
        "holds": [
            {"id": h.id, "start": h.start.isoformat(), "end": h.end.isoformat()}
            for h in policy.holds
        ],
        "updated_at": policy.updated_at.isoformat() if policy.updated_at else None,
    }


def _policy_from(data: dict[str, object]) -> RetentionPolicy:
    holds = data["holds"]
    updated = data.get("updated_at")
    if not isinstance(holds, list):
        raise TypeError("holds is not a list")
    return RetentionPolicy(
        retention_days=int(str(data["retention_days"])),
        holds=tuple(
            EvidenceHold(
                str(h["id"]), datetime.fromisoformat(h["start"]), datetime.fromisoformat(h["end"])
            )
            for h in holds
        ),
        updated_at=datetime.fromisoformat(str(updated)) if updated else None,
    )
