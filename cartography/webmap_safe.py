"""What the web map writes into its page can neither run nor fetch (docs/webmap.md).

Every attribute value, alias, layer name and title is escaped (HTML plus backtick, `$`, `:`
and `//`): tooltips put values into innerHTML and layer names go into the layer control as
HTML; an address in the data shows as text and can never be fetched. Style colours are
rewritten as #hex, and everything inside a <script> is JSON with `<`, `>`, `&`, U+2028 and
U+2029 escaped, so no value can close the script it sits in. `page_addresses` is the page's
final check.
"""

from __future__ import annotations

import html
import json
import re

_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def escape(value: object) -> str:
    """Text safe in HTML, in JS template literals and in innerHTML (docs/webmap.md).

    A web address in the text keeps its look but its `:` and `//` become entities, so an
    attribute like healthsites' source URL, or a `javascript:` link, is shown as text and
    never matches the page's address check (`page_addresses`): data is never an error.
    """
    text = html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")
    # folium parses the page's pieces as Jinja templates: "{{", "{%" and "{#" would run
    text = _JINJA_OPEN.sub("&#123;", text)
    return text.replace(":", "&#58;").replace("//", "&#47;&#47;")


# Anything in the page that would make a browser fetch: a scheme with `//`, an attribute or
# a CSS url() pointing at any scheme but data: or at `//host`, a CSS @import.
_SCHEME = r"(?!data:)[a-z][a-z0-9+.\-]*:"
_ADDRESS = re.compile(
    # The look-behind starts a scheme only where a word starts: without it a long run of
    # packed coordinates is rescanned from every letter (minutes on a national page).
    r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]*://[^\s\"'<>)]*"
    rf"|\b(?:src|href|srcset|action|formaction|poster|background)\s*=\s*[\"']?\s*(?:{_SCHEME}|//)[^\s\"'>]*"
    rf"|url\(\s*[\"']?\s*(?:{_SCHEME}|//)[^)]*"
    r"|@import",
    re.IGNORECASE,
)


def page_addresses(page: str) -> list[str]:
    """The web addresses a browser could fetch from `page`, case-insensitively (none expected)."""
    return sorted({m.group(0)[:80] for m in _ADDRESS.finditer(page)})


def script_json(value: object) -> str:
    """JSON for inside a <script>: `<`, `>`, `&`, U+2028 and U+2029 as \\u escapes, so no text
    (`</script>`, `<!--`) can end the block or change how it is parsed."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in _SCRIPT_ESCAPES:
        text = text.replace(char, code)
    return text


_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
# A colour a style holds that is not a colour (only possible when edited in memory after the
# load check, layers/style.py) is drawn in this grey rather than written into the page.
NOT_A_COLOUR = "#808080"


def css_colour(value: object) -> str | None:
    """`value` as #rrggbb (#rrggbbaa when translucent) for the page; None for "none"/empty."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    from matplotlib.colors import to_hex, to_rgba

    try:
        rgba = to_rgba(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return NOT_A_COLOUR
    return to_hex(rgba, keep_alpha=rgba[3] < 1.0)
