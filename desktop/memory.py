"""Keep Python's cycle collector off the geometries that loaded layers hold.

shapely geometries are tracked by the collector: with 1,000,000 points loaded, every full
collection walks them all (~100 ms measured here), freezing the window at random moments.
Frozen objects are skipped by the collector and still freed by reference counting. Layers
that leave are watched: if one outlives its removal (a reference cycle, or an undo step
holding it), one collection runs before freezing again, so no cycle is frozen for good.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable

from layers.layer import Layer, is_raster

_departed: list[weakref.ref] = []


def settle_loaded_layers() -> None:
    """After layers arrive or leave: move everything alive now out of the collector's sight."""
    if any(ref() is not None for ref in _departed):
        gc.collect()  # their cycles, if that is what keeps them, before they would be frozen
    _departed.clear()
    gc.freeze()


def release_removed_layers(layers: Iterable[Layer] = ()) -> None:
    """Layers are leaving: let the collector see them (and everything) again."""
    for layer in layers:
        _departed.append(weakref.ref(layer))
        if not is_raster(layer):  # a raster holds no features, only its file's name
            _departed.append(weakref.ref(layer.data))
    gc.unfreeze()
