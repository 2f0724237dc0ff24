"""Facts the GUI asks about a layer again and again (its geometry kind for the layer icon,
the years it covers for the time bar), computed once per data frame.

At national scale each costs 5-25 ms per 150,000 rows and the panels ask on every repaint
or layer change; a layer's data is replaced, never edited in place, so a frame's facts
hold while it lives. The loader computes them on its worker (desktop.loading.prepare_map),
so the GUI thread only reads them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from layers.layer import Layer

T = TypeVar("T")


class FrameMemo(Generic[T]):
    """`compute(layer)` remembered per layer.data (and `key(layer)`, e.g. the mapped fields)."""

    def __init__(
        self,
        compute: Callable[[Layer], T],
        key: Callable[[Layer], Hashable] = lambda _layer: None,
        limit: int = 256,
    ) -> None:
        self._compute, self._key, self._limit = compute, key, limit
        self._values: dict[int, tuple[weakref.ref, Hashable, T]] = {}

    def __call__(self, layer: Layer) -> T:
        data, key = layer.data, self._key(layer)
        hit = self._values.get(id(data))
        if hit is not None and hit[0]() is data and hit[1] == key:
            return hit[2]
        value = self._compute(layer)
        while len(self._values) >= self._limit:
            self._values.pop(next(iter(self._values)))
        self._values[id(data)] = (weakref.ref(data), key, value)
        return value
