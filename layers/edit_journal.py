"""The edit journal: every action appended as one JSON line, flushed and fsynced at once, so a
crash or a power cut loses at most the action being written.

    {"journal": "harm-atlas-edits", "version": 1, "project": "...", "base": "<token>", ...}
    {"seq": 1, "at": "2026-12-03T12:00:00+00:00", "do": {"op": "add_features", ...}}
    {"seq": 2, "at": "...", "undo": 1}
    {"seq": 3, "at": "...", "redo": 1}

`base` is the token of the edits GeoPackage the journal started from ("none" before the
first save): a journal whose base is not the GeoPackage's token any more was already saved.
A last line cut short by the crash is ignored. Docs: docs/editing.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

JOURNAL_FORMAT = "harm-atlas-edits"
JOURNAL_VERSION = 1


@dataclass
class JournalContents:
    """What a journal holds: its header and its action records, in order."""

    header: dict = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    torn: bool = False  # the last line was cut short (the crash came while writing it)

    @property
    def base(self) -> str:
        return str(self.header.get("base", "none"))

    def actions(self) -> int:
        """Records on disk: every do, undo, redo and rename."""
        return len(self.records)

    def edits(self) -> int:
        """The edits a restore gives back, as the History panel then lists them: an undo and
        its redo are no edit, and an edit made after undos drops the undone ones."""
        stack = index = 0
        for record in self.records:
            if isinstance(record.get("do"), dict):
                index += 1
                stack = index
            elif "undo" in record and index > 0:
                index -= 1
            elif "redo" in record and index < stack:
                index += 1
        return stack

    def layers(self) -> list[str]:
        """The layers the journal's first applications touched, in order."""
        names = [r["do"].get("layer", "") for r in self.records if isinstance(r.get("do"), dict)]
        return list(dict.fromkeys(n for n in names if n))

    def last_time(self) -> str:
        return str(self.records[-1].get("at", "")) if self.records else ""


def read_journal(path: Path) -> JournalContents | None:
    """The journal at `path`, or None when there is none (or it holds no header)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    contents = JournalContents()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:  # cut short by the crash: that action is lost
                contents.torn = True
                break
            raise ValueError(f"{path}: line {i + 1} of the edit journal is damaged") from None
        if "journal" in data:
            contents.header = data
        else:
            contents.records.append(data)
    return contents if contents.header.get("journal") == JOURNAL_FORMAT else None


class JournalWriter:
    """Appends records to the journal; each one is on disk before `append` returns."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = Path(path)
        self._header = {"journal": JOURNAL_FORMAT, "version": JOURNAL_VERSION, **header}
        self._file: TextIO | None = None
        self.seq = 0

    def resume(self, contents: JournalContents) -> None:
        """Go on writing after the records of a journal that was restored."""
        self.seq = max((int(r.get("seq", 0)) for r in contents.records), default=0)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        if contents.torn:  # end the cut line so the next record starts on its own line
            self._file.write("\n")

    def append(self, record: dict[str, Any]) -> int:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - kept open
            self._write(self._header | {"started": _now()})
        self.seq += 1
        self._write({"seq": self.seq, "at": _now(), **record})
        return self.seq

    def _write(self, data: dict) -> None:
        assert self._file is not None
        self._file.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def clear(self) -> None:
        """After a save: the journal's actions are in the edits GeoPackage now."""
        self.close()
        self.path.unlink(missing_ok=True)
        self.seq = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
