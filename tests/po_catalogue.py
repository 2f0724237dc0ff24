"""The Spanish the code's msgids will have once `make translations` folds the partial
catalogues in: harm_atlas.po plus parts/*.po, read as written (the compiled .mo lags behind
the parts until the fold). Tests import this module by name, as analyze_cli."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

LC_MESSAGES = Path(__file__).resolve().parents[1] / "layers" / "locale" / "es" / "LC_MESSAGES"


def spanish_msgstrs() -> dict[str, str]:
    """msgid -> Spanish of every translated, non-fuzzy entry (a part's wording wins)."""
    found: dict[str, str] = {}
    for path in [LC_MESSAGES / "harm_atlas.po", *sorted((LC_MESSAGES / "parts").glob("*.po"))]:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            text = message.string[0] if isinstance(message.string, tuple) else message.string
            if message.id and isinstance(message.id, str) and text and not message.fuzzy:
                found[message.id] = text
    return found


def write_spanish_mo(root: Path) -> Path:
    """Compile spanish_msgstrs() (plurals included) into root/es/LC_MESSAGES/harm_atlas.mo and
    return root, a locale folder to point layers.i18n at: the window as it will read once the
    parts are folded in, without running `make translations` on the working tree."""
    from babel.messages.mofile import write_mo

    # harm_atlas.po's header, so its two plural forms (babel's own 'es' data now has three).
    with (LC_MESSAGES / "harm_atlas.po").open("rb") as handle:
        catalogue = read_po(handle, locale="es")
    for path in sorted((LC_MESSAGES / "parts").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="es"):
                filled = (
                    all(message.string) if isinstance(message.string, tuple) else message.string
                )
                if not (message.id and filled and not message.fuzzy):
                    continue
                known = catalogue.get(message.id)
                if known is None:
                    catalogue[message.id] = message
                else:  # a part's wording replaces the older one, fuzzy or not (as the merge)
                    known.string = message.string
                    known.flags.discard("fuzzy")
    target = root / "es" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "harm_atlas.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    return root
