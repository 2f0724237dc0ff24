"""One editor per edit journal: a lock file beside the journal naming the process that writes
it, so a second Harm Atlas (or `main.py edit`) never appends to another one's journal.

    study.edits.jsonl  ->  study.edits.lock   {"pid": 4242, "host": "...", "at": "..."}

A lock whose process is gone (crash, power cut, kill) is stale and taken over. A lock of this
same process is ours (one process shows one project at a time). Docs: docs/editing.md.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from layers.i18n import tr

LOCK_SUFFIX = ".lock"
_HELD: set[Path] = set()  # locks this process took: removed at exit


class EditedElsewhere(RuntimeError):
    """Another running process holds the journal's lock."""

    def __init__(self, journal: Path, pid: int) -> None:
        self.journal = Path(journal)
        self.pid = pid
        super().__init__(
            tr(
                "{p} is being edited in another Harm Atlas (process {pid}). Edit it there, or "
                "close that Harm Atlas and open the project again."
            ).format(p=_project_name(self.journal), pid=pid)
        )


def lock_path(journal: Path | str) -> Path:
    """study.edits.jsonl -> study.edits.lock."""
    return Path(journal).with_suffix(LOCK_SUFFIX)


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def holder(journal: Path | str) -> int | None:
    """The pid of another live process holding the journal's lock; None when it is free,
    stale (its process died) or ours."""
    try:
        data = json.loads(lock_path(journal).read_text(encoding="utf-8"))
        pid = int(data.get("pid", 0))
        host = str(data.get("host", ""))
    except (OSError, ValueError, TypeError, AttributeError):
        return None  # no lock, or a lock cut short while written: nobody holds it
    if pid == os.getpid() or (host and host != socket.gethostname()) or not pid_alive(pid):
        return None  # ours, or stale; another host's pid cannot be checked: taken over
    return pid


def acquire(journal: Path | str) -> Path | None:
    """Take the journal's lock (taking over a stale one); raises EditedElsewhere when another
    live process holds it. Returns the lock file, or None when it cannot be written (a
    read-only folder: the journal then says so itself when it is written)."""
    path = lock_path(journal)
    pid = holder(journal)
    if pid is not None:
        raise EditedElsewhere(Path(journal), pid)
    record = {"pid": os.getpid(), "host": socket.gethostname(), "at": _now()}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader sees the old lock or the new one
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return None
    # Two processes taking over the same stale lock at once: the last rename wins; the other
    # learns it here rather than writing into a journal it does not own.
    pid = holder(journal)
    if pid is not None:
        raise EditedElsewhere(Path(journal), pid)
    _HELD.add(path)
    return path


def release(journal: Path | str) -> None:
    """Drop the journal's lock if this process holds it."""
    path = lock_path(journal)
    _HELD.discard(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


@atexit.register
def _release_all() -> None:
    for path in list(_HELD):
        release(path.with_suffix(".jsonl"))


def _project_name(journal: Path) -> str:
    name = journal.name.removesuffix(".jsonl").removesuffix(".edits")
    return name if not name.startswith("untitled") else tr("an untitled project")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
