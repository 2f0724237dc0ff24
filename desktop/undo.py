"""Undoable layer edits: every change an analyst makes in the layers panel goes through here."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from layers.i18n import tr
from layers.layer import Layer, LayerList

# Commands with the same id merge, so dragging the opacity slider is one undo step.
OPACITY_MERGE_ID = 1001


class SetLayerAttribute(QUndoCommand):
    """Set one evented attribute (visible, name, style, role, opacity, mapping) of a layer."""

    def __init__(self, layer: Layer, attribute: str, value: Any, text: str = "") -> None:
        super().__init__(text or tr("Change {a} of {n}").format(a=attribute, n=layer.name))
        self.layer = layer
        self.attribute = attribute
        self.old = getattr(layer, attribute)
        self.new = value

    def redo(self) -> None:
        setattr(self.layer, self.attribute, self.new)

    def undo(self) -> None:
        setattr(self.layer, self.attribute, self.old)

    def id(self) -> int:  # noqa: A003 - Qt override
        return OPACITY_MERGE_ID if self.attribute == "opacity" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, SetLayerAttribute) or other.layer is not self.layer:
            return False
        self.new = other.new
        return True


class SetLayerAttributes(QUndoCommand):
    """Set several attributes of a layer as one step (a raster's style and opacity from its
    style dialog): one Ctrl+Z restores them all."""

    def __init__(self, layer: Layer, values: dict[str, Any], text: str) -> None:
        super().__init__(text)
        self.layer = layer
        self.old = {name: getattr(layer, name) for name in values}
        self.new = dict(values)

    def redo(self) -> None:
        for name, value in self.new.items():
            setattr(self.layer, name, value)

    def undo(self) -> None:
        for name, value in self.old.items():
            setattr(self.layer, name, value)


class MoveLayer(QUndoCommand):
    """Move a layer in the drawing order (LayerList index: 0 is drawn first)."""

    def __init__(self, layers: LayerList, old: int, new: int) -> None:
        super().__init__(tr("Move layer {n}").format(n=layers[old].name))
        self.layers, self.old, self.new = layers, old, new

    def redo(self) -> None:
        self.layers.move(self.old, self.new)

    def undo(self) -> None:
        self.layers.move(self.new, self.old)


class RemoveLayer(QUndoCommand):
    def __init__(self, layers: LayerList, layer: Layer) -> None:
        super().__init__(tr("Remove layer {n}").format(n=layer.name))
        self.layers, self.layer = layers, layer
        self.index = layers.index(layer)

    def redo(self) -> None:
        if self.layer in self.layers:
            self.index = self.layers.index(self.layer)
            self.layers.remove(self.layer)

    def undo(self) -> None:
        if self.layer not in self.layers:
            self.layers.insert(self.index, self.layer)


class AddLayers(QUndoCommand):
    """Add loaded layers on top of the drawing order (names made unique)."""

    def __init__(self, layers: LayerList, new: list[Layer], text: str = "") -> None:
        super().__init__(text or tr("Add {n} layer(s)").format(n=len(new)))
        self.layers, self.new = layers, list(new)

    def redo(self) -> None:
        for layer in self.new:
            if layer not in self.layers:
                layer.name = self.layers.unique_name(layer.name)
                self.layers.append(layer)

    def undo(self) -> None:
        for layer in reversed(self.new):
            if layer in self.layers:
                self.layers.remove(layer)


class EditCommand(QUndoCommand):
    """One edit operation (layers/edit_ops.py) on the undo stack: add, move, vertex change,
    delete, attribute change, split, merge; a drag is one operation.

    Pushed only after `session.apply(op)` succeeded (`applied=True`: QUndoStack.push calls
    redo() at once, and an edit the model refuses must never reach the stack). Commands
    restored from the journal skip their first redo (and, when they were undone before the
    crash, their first undo): the model already holds them. `failed(message)` is told when
    an undo or redo cannot be made (the journal cannot be written)."""

    def __init__(self, session, op, applied: bool = False, failed=None) -> None:
        super().__init__(op.text())
        self.session, self.op = session, op
        self.skip_redo = applied
        self.skip_undo = False
        self.failed = failed

    def redo(self) -> None:
        if self.skip_redo:
            self.skip_redo = False
            return
        self._run(self.session.apply)

    def undo(self) -> None:
        if self.skip_undo:
            self.skip_undo = False
            return
        self._run(self.session.revert)

    def _run(self, action) -> None:
        try:
            action(self.op)
        except ValueError as exc:  # EditError: the model changed nothing; say why
            if self.failed is not None:
                self.failed(str(exc))
