"""Harm Atlas entry point.

No arguments: open the desktop app on the sample project. Sub-commands run the same
work headless: inspect, analyze, export, briefing, compare.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from layers.i18n import tr

# Each sub-command lives beside the code it drives; main only dispatches.
# A module exposes HELP, add_arguments(parser) and run(args) -> exit code.
COMMANDS: dict[str, str] = {
    "inspect": "layers.inspect_command",
    "analyze": "core.cli_analyze",
    "export": "cartography.export_command",
    "briefing": "cartography.briefing_command",
    "compare": "cartography.compare_command",
}

HEADLESS_HINT = tr(
    "No display found: the desktop window needs one. Headless commands: "
    "python main.py inspect PATH | analyze ID ... | export --project P --out F | "
    "briefing --project P --out pack.pdf | compare --project P --left R --right R --out F "
    "(add --help to any)."
)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with `only`, import just that command's module (each start costs less)."""
    parser = argparse.ArgumentParser(
        prog="harm-atlas",
        description=tr("Harm Atlas: judge drug-law enforcement by community outcomes."),
    )
    parser.add_argument(
        "--project", help=tr("Project to open in the desktop app (default: the sample).")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=tr("see: {name} --help").format(name=name))
            continue
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    # The entry point is the one place that knows the sample project: the packages are handed
    # its path here and never import sample_maps (the import contracts in pyproject.toml).
    from layers.command_support import set_default_project
    from sample_maps import SAMPLE_PROJECT

    set_default_project(SAMPLE_PROJECT)
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "--project" or (argv and argv[0].endswith(".json")):
        project = None
        if argv and argv[0] == "--project" and len(argv) > 1:
            project = argv[1]
        elif argv:
            project = argv[0]
        if not has_display():
            print(HEADLESS_HINT)
            return 0
        from desktop.app import run_app

        return run_app(project)
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(args._module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
