"""Harm Atlas entry point.

No arguments: open the desktop app on the sample project. Sub-commands run the same
work headless: inspect, analyze, export, briefing, compare.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from layers.i18n import (
    available_languages,
    current_language,
    language_from_environment,
    set_language,
    tr,
    tr_noop,
)

# Each sub-command lives beside the code it drives; main only dispatches.
# A module exposes HELP, add_arguments(parser) and run(args) -> exit code.
COMMANDS: dict[str, str] = {
    "inspect": "layers.inspect_command",
    "analyze": "core.cli_analyze",
    "export": "cartography.export_command",
    "briefing": "cartography.briefing_command",
    "compare": "cartography.compare_command",
    "edit": "core.edit_command",
    "join": "core.cli_join",
    "convert": "core.cli_convert",
}

# What each command needs at least, for the hint printed without a display (code, not prose:
# not translated). A command missing here is still listed, as `NAME ...`.
SYNOPSES: dict[str, str] = {
    "inspect": "inspect PATH",
    "analyze": "analyze ID ...",
    "export": "export --project P --out F",
    "briefing": "briefing --project P --out pack.pdf",
    "compare": "compare --project P --left R --right R --out F",
    "edit": "edit --project P --layer NAME ...",
    "join": "join --table T --regions R --out F",
}

HEADLESS_HINT = tr_noop(
    "No display found: the desktop window needs one. Headless commands: "
    "python main.py {commands} (add --help to any)."
)


def headless_hint() -> str:
    """The hint without a display, listing every command in COMMANDS (so none is left out)."""
    commands = " | ".join(SYNOPSES.get(name, f"{name} ...") for name in COMMANDS)
    return tr(HEADLESS_HINT).format(commands=commands)


# argparse's own words (usage, section titles, -h, its errors) are looked up through its
# module-level `_` on every call; main() points it at tr so help and errors are one language.
ARGPARSE_TEXT = (
    tr_noop("usage: "),
    tr_noop("positional arguments"),
    tr_noop("options"),
    tr_noop("show this help message and exit"),
    tr_noop("%(prog)s: error: %(message)s\n"),
    tr_noop("argument %(argument_name)s: %(message)s"),
    tr_noop("unrecognized arguments: %s"),
    tr_noop("the following arguments are required: %s"),
    tr_noop("one of the arguments %s is required"),
    tr_noop("not allowed with argument %s"),
    tr_noop("expected one argument"),
    tr_noop("expected at most one argument"),
    tr_noop("expected at least one argument"),
    tr_noop("ambiguous option: %(option)s could match %(matches)s"),
    tr_noop("invalid %(type)s value: %(value)r"),
    tr_noop("invalid choice: %(value)r (choose from %(choices)s)"),
)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def requested_language(argv: list[str]) -> str | None:
    """The value of --lang anywhere on the line (before '--'): set before the commands' modules
    are imported, so any text a module still translates when it loads is in that language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _without_language(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            out.append(arg)
    return out


def _add_language_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--lang",
        choices=available_languages(),
        default=default,
        help=tr("Language of messages, help and exports (default: the system's, LANG)."),
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with `only`, import just that command's module (each start costs less)."""
    parser = argparse.ArgumentParser(
        prog="harm-atlas",
        description=tr("Harm Atlas: judge drug-law enforcement by community outcomes."),
    )
    parser.add_argument(
        "--project", help=tr("Project to open in the desktop app (default: the sample).")
    )
    _add_language_option(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=tr("see: {name} --help").format(name=name))
            continue
        module = importlib.import_module(module_name)
        shown = tr(module.HELP)  # HELP is English (tr_noop): shown in the language of now
        cmd = sub.add_parser(name, help=shown, description=shown)
        module.add_arguments(cmd)
        if "--lang" not in cmd._option_string_actions:  # a command may declare its own
            _add_language_option(cmd, argparse.SUPPRESS)  # shown in its --help
        cmd.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # --lang, else the system's language (LANG...), before anything translated is imported.
    set_language(requested_language(argv) or language_from_environment())
    argparse._ = tr  # type: ignore[attr-defined]  # before any parser is built (ARGPARSE_TEXT)
    # The entry point is the one place that knows the sample project: the packages are handed
    # its path here and never import sample_maps (the import contracts in pyproject.toml).
    from layers.command_support import set_default_project
    from sample_maps import SAMPLE_PROJECT

    set_default_project(SAMPLE_PROJECT)
    rest = _without_language(argv)
    if not rest or rest[0] == "--project" or (rest and rest[0].endswith(".json")):
        project = None
        if rest and rest[0] == "--project" and len(rest) > 1:
            project = rest[1]
        elif rest:
            project = rest[0]
        if not has_display():
            print(headless_hint())
            return 0
        from desktop.app import run_app

        return run_app(project)
    parser = build_parser(rest[0] if rest[0] in COMMANDS else None)
    lang = requested_language(argv)
    # es_CO is fine where es exists: gettext falls back from the region to the language.
    if lang is not None and lang.split("_")[0] not in {
        c.split("_")[0] for c in available_languages()
    }:
        parser.error(
            tr("argument --lang: {lang!r} has no catalogue (choose from {choices}).").format(
                lang=lang, choices=", ".join(available_languages())
            )
        )
    # --lang was taken out: it is valid at any depth (analyze ID ... --lang es) and already set.
    args = parser.parse_args(rest)
    args.lang = current_language()
    if args.command is None:
        parser.print_help()
        return 0
    return int(args._module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
