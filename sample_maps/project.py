"""The sample project file (sample.hatlas.json): its layers drawn bottom to top, each with
the role, field mapping and style an analyst would give it."""

from __future__ import annotations

from layers.raster_style import RasterStyle
from layers.style import Style
from sample_maps.effects import YEAR_COLUMNS
from sample_maps.enforcement import ENFORCEMENT_FILES, ENFORCEMENT_LAYER
from sample_maps.formats import FILES, GRID_LAYER, MANUAL_LAYER, SOURCE, SPRAY_LAYER
from sample_maps.rasters import RASTER_FILES, RELIEF_ATTRIBUTION
from sample_maps.world import METRIC_EPSG, NOTE, SEED

# Each layer's field mapping: the columns of the format its files imitate (the national
# benchmark writes the same formats and takes its layers from this project).
FIELDS: dict[str, dict[str, str]] = {
    "adm2": {
        "region_code": "ADM2_PCODE",
        "parent_code": "ADM1_PCODE",
        "name": "ADM2_ES",
        "population": "population",
    },
    "adm1": {
        "region_code": "ADM1_PCODE",
        "parent_code": "ADM0_PCODE",
        "name": "ADM1_ES",
        "population": "population",
    },
    "protected": {
        "name": "NAME",
        "iucn_category": "IUCN_CAT",
        "status": "STATUS",
        "region_code": "WDPAID",
        "parent_code": "ISO3",
        "facility_type": "DESIG_ENG",
    },
    "eradication": {
        "date": "fecha",
        "year": "anio",
        "hectares": "hectareas",
        "method": "modalidad",
        "region_code": "cod_mpio",
    },
    "violence": {
        "date": "event_date",
        "year": "year",
        "fatalities": "fatalities",
        "event_type": "event_type",
        "actor_type": "inter1",
        "name": "location",
    },
    "health": {
        "facility_type": "healthcare",
        "capacity": "capacity",
        "name": "name",
        "status": "operational_status",
    },
    "settlements": {"name": "name", "population": "population", "region_code": "ADM2_PCODE"},
    "rivers": {"name": "name"},
    "border": {"name": "name"},
}


def layer_entry(
    name: str,
    path: str,
    role: str,
    style: Style,
    fields: dict | None = None,
    sublayer: str | None = None,
    years: dict | None = None,
    *,
    note: str,
    **meta,
) -> dict:
    """One layer of a synthetic project file (layers/project.py format)."""
    return {
        "name": name,
        "source": {"path": path, "sublayer": sublayer, "options": {}},
        "role": role,
        "mapping": {
            "fields": dict(fields or {}),  # a copy: FIELDS is shared
            "year_columns": {str(y): c for y, c in (years or {}).items()},
        },
        "style": style.to_dict(),
        "visible": meta.pop("visible", True),
        "opacity": meta.pop("opacity", 1.0),
        "metadata": {"synthetic": True, "note": note, **meta},
    }


def _layer(name, key, role, style: Style, fields=None, sublayer=None, years=None, **meta):
    """A layer of the file FILES[key], read with FIELDS[key] unless `fields` says otherwise."""
    fields = FIELDS.get(key, {}) if fields is None else fields
    return layer_entry(name, FILES[key], role, style, fields, sublayer, years, note=NOTE, **meta)


def raster_entry(
    name: str,
    path: str,
    style: RasterStyle,
    *,
    visible: bool = True,
    opacity: float = 1.0,
    kind: str = "raster",
    **meta,
) -> dict:
    """One raster (or basemap) layer of a synthetic project file (layers/project.py)."""
    return {
        "kind": kind,
        "name": name,
        "source": {"path": path, "sublayer": None, "options": {}},
        "style": style.to_dict(),
        "visible": visible,
        "opacity": opacity,
        "metadata": {"synthetic": True, "note": NOTE, **meta},
    }


POPULATION_LAYER = "Población 100 m (WorldPop)"
LOSS_LAYER = "Pérdida de bosque (Hansen)"
RELIEF_LAYER = "Relieve (mapa base sintético)"


def raster_layers() -> list[tuple[str, dict]]:
    """The sample's raster layers, each after the name of the layer it is drawn above."""
    return [
        # The relief over the municipalities' opaque fill, translucent so it shades them;
        # hidden by default, so the usual map and its exports stay as they were.
        (
            "Municipios (ADM2)",
            raster_entry(
                RELIEF_LAYER,
                RASTER_FILES["relief"],
                RasterStyle(kind="rgb"),
                visible=False,
                opacity=0.45,
                kind="basemap",
                imitates="Offline basemap: MBTiles of hillshade PNG tiles from a DEM",
                attribution=RELIEF_ATTRIBUTION,
            ),
        ),
        # People above the relief, hidden: shown, it would cover the municipalities.
        (
            RELIEF_LAYER,
            raster_entry(
                POPULATION_LAYER,
                RASTER_FILES["population"],
                RasterStyle(kind="continuous", ramp="YlOrBr", vmin=0.0, vmax=60.0),
                visible=False,
                opacity=0.8,
                imitates="WorldPop / GHS-POP people per 100 m pixel (GeoTIFF), EPSG:32618",
            ),
        ),
        # Loss above the coca grid (the ring's clearings lie in coca cells) and below the
        # lines and points; a year ramp over the project's period, darkest the latest.
        (
            "Cultivos de coca 1 km (SIMCI)",
            raster_entry(
                LOSS_LAYER,
                RASTER_FILES["loss"],
                RasterStyle(kind="loss_year", ramp="RdPu", vmin=2010.0, vmax=2023.0),
                opacity=0.9,
                imitates="Hansen GFC lossyear (uint8, 30 m, 0 = no loss, n = 2000 + n), EPSG:32618",
            ),
        ),
    ]


ENFORCEMENT_FIELDS = {
    "date": "fecha_hecho",
    "action_type": "tipo_accion",
    "offence": "delito",
    "drug": "droga",
    "quantity": "cantidad",
    "quantity_unit": "unidad",
    "persons": "capturas",
    "region_code": "cod_mpio",
}


def enforcement_layers() -> list[tuple[str, dict]]:
    """The arrests, seizures and operations, drawn just above the violence events."""
    return [
        (
            "Eventos de violencia (ACLED)",
            layer_entry(
                ENFORCEMENT_LAYER,
                ENFORCEMENT_FILES["enforcement"],
                "enforcement",
                Style(
                    fill="#e08214",
                    edge="#7f3b08",
                    marker="D",
                    marker_size=9,
                    fill_alpha=0.8,
                    line_width=0.4,
                ),  # fmt: skip
                ENFORCEMENT_FIELDS,
                note=NOTE,
                imitates="Police open data: capturas and incautaciones (CSV with latitud/longitud)",
            ),
        )
    ]


def project_dict(
    extent: tuple[float, float, float, float] | None = None,
    rasters: list[tuple[str, dict]] | None = None,
) -> dict:
    """The sample project (layers/project.py format), drawn bottom to top.

    extent: the initial view in the metric CRS (the region with a margin). rasters: raster
    entries (and the enforcement layer, enforcement_layers()) after the name of the layer each
    goes above (raster_layers()); none by default, so the national benchmark, which reuses
    these vector layers, stays as it was.
    """
    last = YEAR_COLUMNS[max(YEAR_COLUMNS)]
    erad = FIELDS["eradication"]
    layers = [
        _layer(
            "Municipios (ADM2)",
            "adm2",
            "admin_boundaries",
            Style(fill="#f4f1ea", edge="#8c8c8c", line_width=0.6),
            imitates="HDX COD-AB administrative boundaries, level 2",
        ),
        _layer(
            "Departamentos (ADM1)",
            "adm1",
            "admin_boundaries",
            Style(
                edge="#3d3d3d", line_width=1.6, no_fill=True, label_field="ADM1_ES", label_size=9.0
            ),
            imitates="HDX COD-AB administrative boundaries, level 1",
        ),
        _layer(
            "Áreas protegidas (WDPA)",
            "protected",
            "protected_areas",
            Style(fill="#74c476", edge="#238b45", fill_alpha=0.4, line_width=0.8),
            imitates="WDPA legacy shapefile fields",
        ),
        _layer(
            "Cultivos de coca 1 km (SIMCI)",
            "grid",
            "cultivation",
            Style(
                kind="graduated",
                field=last,
                ramp="YlOrRd",
                scheme="natural_breaks",
                classes=5,
                edge="none",
                line_width=0.0,
            ),
            sublayer=GRID_LAYER,
            years=YEAR_COLUMNS,
            opacity=0.9,
            imitates="UNODC-SIMCI 1 km coca density grid (ha per cell), EPSG:32618",
        ),
        _layer(
            "Ríos",
            "rivers",
            "water",
            Style(fill="#a6cee3", edge="#2c7fb8", line_width=1.0),
            imitates="OSM waterways with Strahler order",
        ),
        _layer(
            "Frontera internacional",
            "border",
            "border",
            Style(edge="#1a1a1a", line_width=2.4, no_fill=True),
            imitates="International boundary line",
        ),
        _layer(
            "Aspersión aérea 2014–2015",
            "eradication",
            "eradication",
            Style(fill="#d7301f", edge="#7f0000", fill_alpha=0.55, line_width=0.5),
            {**erad, "name": "id_aspersion"},
            sublayer=SPRAY_LAYER,
            imitates="Aerial spraying footprints (PECIG-style)",
        ),
        _layer(
            "Erradicación manual",
            "eradication",
            "eradication",
            Style(
                fill="#d7301f",
                edge="#7f0000",
                marker="^",
                marker_size=12,
                fill_alpha=0.75,
                line_width=0.4,
            ),
            sublayer=MANUAL_LAYER,
            imitates="Manual eradication records (points)",
        ),
        _layer(
            "Eventos de violencia (ACLED)",
            "violence",
            "violence",
            Style(fill="#6a3d9a", edge="none", marker="o", marker_size=5, fill_alpha=0.6),
            imitates="ACLED export (CSV)",
        ),
        _layer(
            "Servicios de salud",
            "health",
            "health_services",
            Style(fill="#0072B2", edge="white", marker="P", marker_size=44, line_width=0.6),
            imitates="healthsites.io / OSM export (CSV with X, Y)",
        ),
        _layer(
            "Centros poblados",
            "settlements",
            "settlements",
            Style(
                fill="#252525",
                edge="white",
                marker="s",
                marker_size=16,
                label_field="name",
                label_size=6.5,
            ),
            imitates="Settlement points with population",
        ),
    ]
    for below, entry in rasters or []:
        at = next(i for i, layer in enumerate(layers) if layer["name"] == below)
        layers.insert(at + 1, entry)
    return {
        "format": "harm-atlas-project",
        "version": 1,
        "title": "Sample: Serranía de Tucaré and Llanura del Guaimaró (synthetic)",
        "metadata": {
            "synthetic": True,
            "note": NOTE,
            "sources": [
                {
                    "layer": layer["name"],
                    "imitates": layer["metadata"]["imitates"],
                    "source": SOURCE,
                }
                for layer in layers
            ],
            "generator": "python -m sample_maps.generate",
            "seed": SEED,
            "ground_truth": "ground_truth.json",
        },
        "metric_crs": f"EPSG:{METRIC_EPSG}",
        "time_filter": {"start": "2014-01-01", "end": "2023-12-31"},
        "extent": [round(v) for v in extent] if extent else None,
        "layers": layers,
    }
