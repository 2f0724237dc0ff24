"""Compile every layers/locale/<lang>/LC_MESSAGES/harm_atlas.po into its .mo (`make translations`).

Like `pybabel compile` (same bytes: babel's write_mo, fuzzy entries left out), without its
%-format checker: the app formats with str.format only, and that checker reads prose such as
"90% confidence" as a '% c' placeholder and fails the Spanish "90% de confianza". The brace
placeholders are checked by tests/unit/test_translations.py instead.

Usage: python tools/compile_catalogues.py [LOCALE_DIR]   (default: layers/locale)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "harm_atlas"


def compile_catalogue(po_path: Path) -> tuple[int, int]:
    """Write the .mo beside `po_path`; (translated, total) messages, the header left out."""
    with po_path.open("rb") as f:
        catalogue = read_po(f, abort_invalid=True)
    with po_path.with_suffix(".mo").open("wb") as f:
        write_mo(f, catalogue)
    messages = [m for m in catalogue if m.id]
    done = sum(
        1
        for m in messages
        if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))
    )
    return done, len(messages)


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[0] if argv else "layers/locale")
    for po_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        done, total = compile_catalogue(po_path)
        print(
            f"{po_path.parent.parent.name}: {done} of {total} messages translated -> {po_path.with_suffix('.mo')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
