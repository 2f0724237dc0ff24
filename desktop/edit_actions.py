"""The editing toolbar, the Edit menu's editing entries, their shortcuts and the History
panel (desktop/edit_tools.py holds what they do). Actions are registered by id in
`window.actions` ("edit_add", "edit_vertex", …) so tests and plugins find them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QSpinBox, QStyle, QUndoView

from desktop import icons
from layers.i18n import tr, tr_noop

# The add tool's name follows the edited layer's geometry.
ADD_TEXTS = {
    "point": tr_noop("Add &point feature"),
    "line": tr_noop("Add &line feature"),
    "polygon": tr_noop("Add &polygon feature"),
}
# The drawing tools, in the same order in the Edit menu and on the editing toolbar.
TOOLS = (
    "edit_add",
    "edit_add_coordinates",
    "edit_move",
    "edit_vertex",
    "edit_split",
    "edit_merge",
    "edit_delete",
)
# Edit menu entries after Undo/Redo/Clear selection, and the editing toolbar, by action id.
EDIT_MENU = (
    "edit_toggle",
    "edit_new_layer",
    None,
    *TOOLS,
    None,
    "edit_copy",
    "edit_paste",
    None,
    "edit_snapping",
    "edit_form",
    None,
    "edit_save",
    "edit_save_source",
    None,
    "edit_history",
)
TOOLBAR = ("edit_toggle", "edit_save", None, *TOOLS, None, "edit_snapping")


ICONS: dict[str, Callable[[], QIcon]] = {
    "edit_toggle": icons.pencil,
    "edit_add": lambda: add_icon("polygon"),
    "edit_add_coordinates": icons.add_by_coordinates,
    "edit_move": icons.move_feature,
    "edit_vertex": icons.vertex_tool,
    "edit_split": icons.split_polygons,
    "edit_merge": icons.merge_polygons,
    "edit_delete": icons.delete_features,
    "edit_snapping": icons.snapping,
}
_ADD_ICONS: dict[str, QIcon] = {}


def add_icon(kind: str) -> QIcon:
    """The add tool's icon for a point, line or polygon layer (drawn once each)."""
    if kind not in _ADD_ICONS:
        _ADD_ICONS[kind] = icons.add_feature(kind)
    return _ADD_ICONS[kind]


# --- the window's part ------------------------------------------------------------------------
def build(window, editor) -> None:
    actions: dict[str, QAction] = {}

    def add(name, text, slot, shortcut=None, checkable=False, tip="", context=None) -> QAction:
        action = QAction(window)
        action.setObjectName(f"action_{name}")
        if name in ICONS:
            action.setIcon(ICONS[name]())
        elif name == "edit_save":
            action.setIcon(window.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        if shortcut:
            action.setShortcuts([QKeySequence(k) for k in shortcut.split(";")])
        if context is not None:
            action.setShortcutContext(context)
            editor.canvas.addAction(action)  # Ctrl+C on the map: features; in a table: cells
        else:
            window.addAction(action)
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )

        def show() -> None:
            shown = tr(text)
            action.setText(shown)
            action.setToolTip(
                shown.replace("&", "").replace("…", "") + (f" ({keys})" if keys else "")
            )
            if tip:
                action.setStatusTip(tr(tip))

        window.translated(show)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        actions[name] = action
        window.actions[name] = action
        return action

    canvas_only = Qt.ShortcutContext.WidgetWithChildrenShortcut
    add(
        "edit_toggle",
        tr_noop("Toggle &editing"),
        editor.toggle_editing,
        "Ctrl+Shift+E",
        True,
        tr_noop("Start or stop editing the current layer"),
    )
    add(
        "edit_new_layer",
        tr_noop("&New scratch layer…"),
        editor.new_layer,
        "Ctrl+Shift+N",
        tip=tr_noop("A new point, line or polygon layer to draw in, kept with the project"),
    )
    add(
        "edit_add",
        ADD_TEXTS["polygon"],
        editor.start_add,
        "Ctrl+.",
        True,
        tr_noop(
            "Click vertices; right-click or Enter finishes, Backspace removes the last, Esc cancels"
        ),
    )
    add(
        "edit_add_coordinates",
        tr_noop("Add point by &coordinates…"),
        editor.add_by_coordinates,
        "Ctrl+Shift+P",
        tip=tr_noop("Type a point in degrees, DMS, UTM or MGRS"),
    )
    add(
        "edit_move",
        tr_noop("&Move feature"),
        editor.start_move,
        None,
        True,
        tr_noop("Drag a feature (or the selection) to move it"),
    )
    add(
        "edit_vertex",
        tr_noop("&Vertex tool"),
        editor.start_vertex,
        "V",
        True,
        tr_noop("Drag a vertex; double-click a segment adds one; click one and press Delete"),
    )
    add(
        "edit_split",
        tr_noop("&Split polygons"),
        editor.start_split,
        None,
        True,
        tr_noop("Draw a line across polygons to cut them"),
    )
    add("edit_merge", tr_noop("Merge selected &polygons"), editor.merge_selected)
    add("edit_delete", tr_noop("&Delete selected"), editor.delete_selected, "Delete")
    add("edit_copy", tr_noop("&Copy features"), editor.copy, "Ctrl+C", context=canvas_only)
    add("edit_paste", tr_noop("&Paste features"), editor.paste, "Ctrl+V", context=canvas_only)
    add("edit_attributes", tr_noop("Edit &attributes of selected…"), editor.edit_attributes)
    snapping = add(
        "edit_snapping",
        tr_noop("S&napping"),
        lambda: None,
        None,
        True,
        tr_noop("Snap to vertices and segments of visible layers"),
    )
    snapping.setChecked(editor.snapping)
    snapping.toggled.connect(lambda on: setattr(editor, "snapping", on))
    form = add("edit_form", tr_noop("Attribute &form for new features"), lambda: None, None, True)
    form.setChecked(editor.show_form)
    form.toggled.connect(lambda on: setattr(editor, "show_form", on))
    add(
        "edit_save",
        tr_noop("Sa&ve edits"),
        editor.save_edits,
        tip=tr_noop("Save the project and its edits (as Ctrl+S)"),
    )
    add(
        "edit_save_source",
        tr_noop("Save edits to &source…"),
        editor.save_to_source,
        tip=tr_noop("Write the current layer's edits into its own file (a backup is kept)"),
    )

    editor.tool_group = QActionGroup(window)
    editor.tool_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
    for name in ("edit_add", "edit_move", "edit_vertex", "edit_split"):
        editor.tool_group.addAction(actions[name])

    history = QUndoView(window.undo_stack)
    history.setObjectName("history_view")
    dock = QDockWidget(tr("History"), window)
    window.translated(lambda: dock.setWindowTitle(tr("History")))
    window.translated(lambda: history.setEmptyLabel(tr("<opened>")))
    dock.setWidget(history)
    window.add_dock("history", dock, Qt.DockWidgetArea.RightDockWidgetArea)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setObjectName("action_edit_history")
    window.translated(lambda: toggle.setText(tr("&History panel")))
    actions["edit_history"] = window.actions["edit_history"] = toggle

    menu = window.menu("edit")
    menu.addSeparator()
    for name in EDIT_MENU:
        menu.addSeparator() if name is None else menu.addAction(actions[name])
        if name == "edit_delete":
            menu.addAction(actions["edit_attributes"])
    bar = window.addToolBar(tr("Editing"))
    bar.setObjectName("editing_toolbar")
    window.translated(lambda: bar.setWindowTitle(tr("Editing")))
    for name in TOOLBAR:
        bar.addSeparator() if name is None else bar.addAction(actions[name])
    tolerance = QSpinBox()
    tolerance.setObjectName("snap_tolerance")
    tolerance.setRange(1, 50)
    tolerance.setSuffix(" px")
    tolerance.setValue(editor.tolerance_px)
    tolerance.valueChanged.connect(lambda v: setattr(editor, "tolerance_px", int(v)))
    window.translated(lambda: tolerance.setToolTip(tr("Snapping tolerance in screen pixels")))
    label = QLabel()
    window.translated(lambda: label.setText(tr("Tolerance")))
    bar.addWidget(label)
    bar.addWidget(tolerance)
    editor.tolerance_box = tolerance
    editor.actions = actions
    window.state.events.selection.connect(lambda *_a: editor.update_actions())
    editor.update_actions()
