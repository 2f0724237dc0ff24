"""Draw layers onto a matplotlib Axes: the one drawing path for canvas and exports.

PROVISIONAL minimal implementation (GeoDataFrame.plot); the cartography owner replaces
the internals with fast collections, view culling and simplification. The API stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from pyproj import CRS

from layers.layer import Layer
from layers.timefilter import TimeFilter, time_mask


@dataclass
class MapView:
    """What to draw: CRS of the axes (the project's metric CRS), extent, period, pixel size."""

    crs: CRS
    extent: tuple[float, float, float, float]
    time_filter: TimeFilter | None = None
    pixel_size: float | None = None  # map units per screen pixel, for simplification


@dataclass
class LegendEntry:
    layer_name: str
    label: str
    kind: str  # 'point' | 'line' | 'polygon'
    color: str
    edge: str = "none"
    marker: str = "o"
    size: float = 6.0
    children: list[LegendEntry] = field(default_factory=list)


class MapRenderer:
    """Keeps per-layer caches (metric copies, spatial indexes) between redraws."""

    def render(
        self,
        ax: Axes,
        layers: Iterable[Layer],
        view: MapView,
        *,
        selection: dict[int, np.ndarray] | None = None,
    ) -> list[LegendEntry]:
        """Draw visible layers bottom to top; `selection` maps layer.id -> selected row positions."""
        entries: list[LegendEntry] = []
        for layer in layers:
            if not layer.visible or layer.data.empty:
                continue
            gdf = layer.to_metric(view.crs)
            mask = time_mask(layer, view.time_filter)
            if mask is not None:
                gdf = gdf[mask]
            st = layer.style
            gdf.plot(
                ax=ax,
                color=st.fill,
                edgecolor=st.edge,
                linewidth=st.line_width,
                alpha=layer.opacity,
                markersize=st.marker_size,
            )
            entries.append(
                LegendEntry(
                    layer.name, layer.name, layer.geometry_kind, st.fill, st.edge, st.marker
                )
            )
        ax.set_xlim(view.extent[0], view.extent[2])
        ax.set_ylim(view.extent[1], view.extent[3])
        ax.set_aspect("equal")
        return entries


def features_at(layer: Layer, crs: CRS, x: float, y: float, tolerance: float) -> Sequence[int]:
    """Row positions of features within `tolerance` map units of (x, y) (identify tool)."""
    import shapely

    gdf = layer.to_metric(crs)
    probe = shapely.Point(x, y).buffer(tolerance)
    return list(gdf.sindex.query(probe, predicate="intersects"))
