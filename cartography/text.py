"""User text drawn by matplotlib stays plain text: `$…$` is never read as mathtext.

Matplotlib takes text between two unescaped `$` as a formula: "Fines US$5 to US$10" lost
its dollar signs and "Costo $x$" or "$\\x$" failed the export with "Unknown symbol". Every
layer name, title, label, legend entry and table cell goes through `plain()` where it is
drawn. cartography/labels.py draws with `parse_math=False` instead; never combine the two
(the escape would then show).
"""

from __future__ import annotations


def plain(text: object) -> str:
    """`text` as a string matplotlib draws verbatim: every `$` escaped as `\\$`.

    With no unescaped `$` left, matplotlib draws the text as text and turns each `\\$` back
    into `$`; a `\\$` the user typed stays `\\$` on the page.
    """
    return str(text).replace("$", "\\$")


__all__ = ["plain"]
