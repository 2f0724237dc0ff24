"""What the export sub-commands (export, briefing, compare) share: the project and output
arguments, exit codes and one-line messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from analysis.base import Canceled
from layers.i18n import tr
from layers.timefilter import PeriodError

T = TypeVar("T")


def add_project_and_out(parser: argparse.ArgumentParser, out_help: str) -> None:
    """--project (default: the sample) and the required --out every export takes."""
    parser.add_argument(
        "--project", help=tr("Project file (.hatlas.json); default: the sample project.")
    )
    parser.add_argument("--out", required=True, help=out_help)


def run_export(
    work: Callable[[], T],
    out: str | Path,
    user_errors: tuple[type[Exception], ...] = (),
    before_message: Callable[[], None] = lambda: None,
) -> tuple[int, T | None]:
    """Run `work`; map what can go wrong to (exit code, None) with a message, never a traceback.

    2: the user can fix it (bad input, unwritable folder); 1: canceled or a bug to report.
    `before_message` runs first on failure (e.g. to end a progress bar's line).
    """
    try:
        return 0, work()
    except Canceled:
        before_message()
        print(tr("Canceled: no file written."), file=sys.stderr)
        return 1, None
    except (PeriodError, *user_errors) as exc:
        before_message()
        print(tr("Error: {e}").format(e=exc), file=sys.stderr)
        return 2, None
    except OSError as exc:
        before_message()
        print(
            tr("Could not write {p}: {e}. Choose another folder.").format(p=out, e=exc),
            file=sys.stderr,
        )
        return 2, None
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback, for users
        before_message()
        print(
            tr("Error: the export failed ({t}: {e}). Please report this with the project.").format(
                t=type(exc).__name__, e=exc
            ),
            file=sys.stderr,
        )
        return 1, None
