"""Babel extraction method for the app's Python files (babel.cfg): tr()/trn() strings as babel's
own Python extractor finds them, plus two it misses.

- tr("...") inside an f-string (f"{tr('features')}: {n}"): on Python 3.11 the tokenizer gives
  babel the whole f-string as one token, so those calls are found here from the syntax tree.
- An analysis's module docstring is its method notes (definitions of areas, windows,
  classes): `analyze ID --help` shows it through tr(doc.strip())
  (analysis/command.method_notes), so it must be in the catalogue, whole and stripped,
  although no tr("...") literal names it.
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


def calls_in_fstrings(
    tree: ast.Module, keywords: Collection[str]
) -> Iterator[tuple[int, str, tuple[str | None, ...]]]:
    """(line, keyword, literal arguments) of each keyword call inside an f-string."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Name)
                and sub.func.id in keywords
            ):
                args = tuple(
                    a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                    for a in sub.args
                )
                if args and args[0] is not None:
                    yield sub.lineno, sub.func.id, args


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
    for line, keyword, args in calls_in_fstrings(tree, keywords):
        yield (line, keyword, args if len(args) > 1 else args[0], [])
    doc = ast.get_docstring(tree, clean=False)
    if doc and doc.strip() and declares_algorithm(tree):
        yield (1, None, doc.strip(), [NOTE])
