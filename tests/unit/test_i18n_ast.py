"""No user-visible string literal reaches the user without tr/trn/tr_noop (issue 16).

Read from the code's syntax tree: the text of a widget (constructor, setText, setToolTip,
setWindowTitle, setStatusTip, setPlaceholderText, setTitle, addAction, addMenu, QAction), an
argparse help/description, a figure title or text (suptitle, set_title, ax.text) and the
message of a raised user error. A literal counts as user-visible when it holds a word of three
or more letters; placeholders, symbols and units ('▶', ' km', '{a}–{b}') do not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("layers", "analysis", "cartography", "core", "desktop")
# Benchmarks and the load/render benchmarks print for developers, not for analysts.
SKIP_FILES = {"desktop/render_benchmark.py", "desktop/load_benchmark.py"}
TRANSLATORS = {"tr", "trn", "tr_noop"}
SETTERS = {
    "setText",
    "setToolTip",
    "setWindowTitle",
    "setStatusTip",
    "setPlaceholderText",
    "setTitle",
    "addAction",
    "addMenu",
    "set_title",
    "suptitle",
}
WIDGETS = {
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QDockWidget",
    "QToolButton",
    "QMenu",
}
USER_ERRORS = {"InputError", "ExportError", "LayerLoadError", "ProjectError", "PeriodError"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# Literals that are names, not prose: the app's own name and the file-type filters' patterns.
ALLOWED = {
    "Harm Atlas",  # the product's name, the same in every language
}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _bare_literals(node: ast.AST) -> list[ast.Constant]:
    """String constants under `node` that no tr/trn/tr_noop call wraps."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATORS:
        return []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # tr("...").format(...): the receiver is translated; its arguments are values.
        if node.func.attr == "format" and isinstance(node.func.value, ast.Call):
            if _name(node.func.value.func) in TRANSLATORS:
                return []
    if isinstance(node, ast.JoinedStr):
        found = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                found += _bare_literals(part.value)
            elif isinstance(part, ast.Constant) and isinstance(part.value, str):
                found.append(part)
        return found
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.Subscript):
        return _bare_literals(node.value)  # row["reading"]: the key is a name, not text
    if isinstance(node, ast.Call) and _name(node.func) == "get":
        return []  # result.get("reading"): a key as well
    if isinstance(node, ast.Call):
        # Another call (a formatter, html.escape, a helper): only what it is handed as text.
        found = []
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            found += _bare_literals(arg)
        return found
    found = []
    for child in ast.iter_child_nodes(node):
        found += _bare_literals(child)
    return found


def _shown_arguments(call: ast.Call) -> list[ast.expr]:
    name = _name(call.func)
    if name in SETTERS or name in WIDGETS:
        return call.args[:1] if name != "addAction" or call.args else []
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Name) and receiver.id == "QMessageBox":
        return call.args[1:3]  # QMessageBox.warning(parent, title, text)
    if _name(receiver) == "messages" and name in {"info", "warning", "error"}:
        return call.args[:1]  # the window's Messages panel
    if name == "text" and isinstance(call.func, ast.Attribute) and len(call.args) >= 3:
        return [call.args[2]]  # ax.text(x, y, s) / fig.text(x, y, s)
    if name in {"add_argument", "add_parser", "ArgumentParser", "add_argument_group"}:
        return [k.value for k in call.keywords if k.arg in {"help", "description", "title"}]
    return []


# HTML tags (whole or cut by an f-string's values) and command-line flags are not prose.
MARKUP = re.compile(r"<[^<>]*>|<[^<>]*$|^[^<>]*>|--[a-z][a-z0-9-]*")


def _visible(literal: ast.Constant) -> bool:
    text = literal.value.strip()
    return bool(WORD.search(MARKUP.sub(" ", text))) and text not in ALLOWED


def violations() -> list[str]:
    found = []
    files = [ROOT / "main.py", *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel in SKIP_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            shown: list[ast.expr] = []
            if isinstance(node, ast.Call):
                shown = _shown_arguments(node)
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                if _name(node.exc.func) in USER_ERRORS:
                    shown = node.exc.args[:1]
            for expr in shown:
                for literal in _bare_literals(expr):
                    if _visible(literal):
                        found.append(f"{rel}:{literal.lineno}: {literal.value.strip()[:60]!r}")
    return sorted(set(found))


def test_no_user_visible_literal_without_tr() -> None:
    bad = violations()
    assert not bad, "wrap in tr() (and translate it):\n" + "\n".join(bad)


def test_the_check_finds_a_bare_literal() -> None:
    """The checker itself: a bare label is found, a translated one is not."""
    bare = ast.parse('QLabel("Hectares eradicated")').body[0].value
    wrapped = ast.parse('QLabel(tr("Hectares eradicated {n}").format(n="x"))').body[0].value
    raised = ast.parse('raise InputError(f"No layer {name} found")').body[0]
    assert [c.value for c in _bare_literals(_shown_arguments(bare)[0])] == ["Hectares eradicated"]
    assert not _bare_literals(_shown_arguments(wrapped)[0])
    assert _visible(_bare_literals(raised.exc.args[0])[0])
