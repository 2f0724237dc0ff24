"""Fold partial catalogues into each language's main catalogue (run by `make translations`).

Translators working in parallel write `layers/locale/<lang>/LC_MESSAGES/parts/<name>.po`
(msgid/msgstr pairs for some packages). This copies their translations into
`layers/locale/<lang>/LC_MESSAGES/harm_atlas.po` after `pybabel update`, before compile.

Rules: a translation already in harm_atlas.po wins unless it is empty or fuzzy, or it came from
this same part (marked by a translator comment "from parts/<name>.po"): then the part's newer
wording replaces it, so revisions made in a part reach the catalogue. A fuzzy entry in a part
is ignored; a msgid the code no longer has (not in harm_atlas.po) is reported, not added, so
the catalogue stays what the code extracts. Outside the app's import graph on purpose
(tools/ is no package the app ships).

Usage: python tools/merge_catalogue_parts.py [LOCALE_DIR]   (default: layers/locale)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

DOMAIN = "harm_atlas"


@dataclass
class MergeReport:
    """What one language's merge did, for the one-line summary `make translations` prints."""

    filled: int = 0
    revised: int = 0
    kept: int = 0
    stale: list[str] = field(default_factory=list)


def _is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and bool(strings) and all(s for s in strings)


def part_marker(part_name: str) -> str:
    """The translator comment on entries a part filled, e.g. 'from parts/cartography_desktop.po'."""
    return f"from parts/{part_name}"


def merge_into(
    catalogue: Catalog, part: Catalog, report: MergeReport, part_name: str = "part.po"
) -> None:
    """Copy `part`'s translations into `catalogue` where it has none (empty or fuzzy) or where
    its translation came from this part before."""
    marker = part_marker(part_name)
    for message in part:
        if not message.id or not _is_translated(message):
            continue  # the header, or nothing usable
        target = catalogue.get(message.id, message.context)
        if target is None:
            report.stale.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        from_this_part = marker in target.user_comments
        if _is_translated(target) and (not from_this_part or target.string == message.string):
            report.kept += 1
            continue
        if isinstance(target.id, tuple | list) != isinstance(message.id, tuple | list):
            report.stale.append(str(message.id))  # singular in one, plural in the other
            continue
        if _is_translated(target):
            report.revised += 1
        else:
            report.filled += 1
        target.string = message.string
        target.flags.discard("fuzzy")
        if not from_this_part:
            target.user_comments.append(marker)


def merge_language(messages_dir: Path) -> MergeReport | None:
    """Merge every parts/*.po of one LC_MESSAGES folder into its harm_atlas.po."""
    main_po = messages_dir / f"{DOMAIN}.po"
    parts = sorted((messages_dir / "parts").glob("*.po"))
    if not main_po.exists() or not parts:
        return None
    with main_po.open("rb") as f:
        catalogue = read_po(f, abort_invalid=True)
    report = MergeReport()
    for part_path in parts:
        with part_path.open("rb") as f:
            merge_into(catalogue, read_po(f, locale=catalogue.locale), report, part_path.name)
    with main_po.open("wb") as f:
        # The options `pybabel update` writes with, so the file does not churn between the two.
        write_po(f, catalogue, ignore_obsolete=True)
    return report


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[0] if argv else "layers/locale")
    for messages_dir in sorted(locale_dir.glob("*/LC_MESSAGES")):
        report = merge_language(messages_dir)
        if report is None:
            continue
        lang = messages_dir.parent.name
        print(
            f"{lang}: {report.filled} translations taken from parts, {report.revised} revised "
            f"there, {report.kept} kept, {len(report.stale)} part entries no longer in the code"
        )
        for msgid in report.stale[:20]:
            print(f"  not in the code any more: {msgid[:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
