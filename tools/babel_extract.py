"""Babel extraction method for analysis/ (babel.cfg): tr()/trn() strings as babel's own Python
extractor finds them, plus the module docstring of each analysis module.

An analysis's module docstring is its method notes (definitions of areas, windows, classes):
`analyze ID --help` shows it through tr(doc.strip()) (analysis/command.method_notes), so it must
be in the catalogue, whole and stripped, although no tr("...") literal names it.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

NOTE = "TRANSLATORS: method notes under `analyze ID --help`; keep flags, field names, formulas."


def declares_algorithm(tree: ast.Module) -> bool:
    """A class deriving from Algorithm at module level (the module method_notes reads)."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                if name == "Algorithm":
                    return True
    return False


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[int, str | None, str | tuple[str, ...], list[str]]]:
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False)
    if doc and doc.strip() and declares_algorithm(tree):
        yield (1, None, doc.strip(), [NOTE])
