"""What a long-running sub-command (analyze, convert) does around its work, in one place: a
progress bar on stderr (none with --quiet), one line for an error the user can fix (exit 2),
'Canceled.' on Ctrl+C (exit 130), and stdout closed early (`... | head`) taken as the end.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from typing import TypeVar

from analysis.command import ProgressBar
from layers.feedback import Canceled, Feedback
from layers.i18n import tr

T = TypeVar("T")
Command = Callable[[argparse.Namespace], int]


def survive_closed_pipe(run: Command) -> Command:
    """`run`, where a reader that stopped reading (`... | head`) ends the command with 0."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except BrokenPipeError:  # `... | head` closed stdout early: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

    return wrapped


def run_with_progress(
    quiet: bool,
    work: Callable[[Feedback], T],
    user_errors: tuple[type[Exception], ...],
) -> tuple[int, T | None]:
    """Run `work` with a Feedback drawn as a progress bar: (0, what it returned), else
    (2, None) after one line saying what to fix, or (130, None) when canceled."""
    bar = None if quiet else ProgressBar()
    feedback = Feedback(bar.update if bar else None)
    try:
        value = work(feedback)
    except user_errors as exc:
        if bar:
            bar.finish(clear=True)
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2, None
    except (Canceled, KeyboardInterrupt):
        if bar:
            bar.finish(clear=True)
        print(tr("Canceled."), file=sys.stderr)
        return 130, None
    if bar:
        bar.finish()
    return 0, value
