"""`python main.py analyze ...` run in the test's own process (fast; the subprocess runs are in
tests/e2e/test_analyze_cli.py). Tests import this module by name, as fixtures_factory."""

from __future__ import annotations

import argparse

import pytest


def run_analyze_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of `analyze ARGS`, argparse's own refusals included."""
    from core import cli_analyze

    parser = argparse.ArgumentParser(prog="analyze")
    cli_analyze.add_arguments(parser)
    try:
        code = cli_analyze.run(parser.parse_args(list(args)))
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
