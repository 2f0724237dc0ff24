"""The realised figures in Spanish, for README.es.md: the same lines, tables and figures as
measurement.readme_figures (English) and raster_truth.readme_lines, in the same order, with
Spanish words and Spanish number formats (layers/numbers.py: 3.016,45; 60 %), rounded as
the English ones are, so each figure is the same number.

tests/unit/test_sample_readme.py checks that both READMEs hold the figures the committed
ground truth gives, and the same numbers in the same order: a line added to the English
figures (a new section of the sample) needs its Spanish here."""

from __future__ import annotations

from sample_maps.enforcement_truth import readme_lines as enforcement_readme_lines
from sample_maps.raster_truth import readme_lines as raster_readme_lines
from sample_maps.readme_formats import ES, department_rows, effect_rows, ring_hectares, ring_wdq
from sample_maps.world import MUNICIPALITIES, PNN_ID

_f, _g, _n, _pct, _range = ES.f, ES.g, ES.n, ES.pct, ES.range


def figures(truth: dict) -> str:
    """The realised figures as Markdown, in Spanish."""
    e = truth["effects"]
    c = truth["cultivation"]
    out = [
        f"- Eventos de violencia: **{_n(truth['violence_total'])}** "
        f"({', '.join(f'{y}: {_n(n)}' for y, n in truth['violence_per_year'].items())}).",
        f"- Grilla de coca: {_n(c['cells'])} celdas; hectáreas "
        f"{', '.join(f'{y}: {_f(v, 0)}' for y, v in c['total_ha'].items())}.",
        f"- Concentración: {', '.join(c['top3_municipalities_2023'])} reúnen el "
        f"{_pct(c['top3_share_2023'])} del área de 2023; el {_pct(c['persistent_share_2023'])} "
        "está en celdas cultivadas todos los años 2014-2023; el "
        f"{_pct(c['protected_share_2023'])} está en áreas protegidas.",
        "",
        "| Efecto | R antes → después | D antes → después | C antes → después | éxito | "
        "zona de influencia | WDQ | TNE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    labels = (
        "Cultivos, campaña (ha 2017 → 2019)",
        "Violencia, ofensiva (municipio vecino)",
        "Violencia, ofensiva (anillo de 10 km)",
        "Violencia, programa de reducción de daños",
    )
    out += effect_rows(e, labels, ES)
    cd = e["cultivation_displacement"]["realised"]
    park = cd["national_park_ha"]
    sp = e["spraying_violations"]["realised"]
    hg = e["health_gap"]
    out += [
        "",
        f"- Campaña: {_n(cd['campaign_points'])} puntos, {_g(cd['campaign_hectares'])} ha "
        "erradicadas. Coca según la distancia a los puntos de la campaña (2017 → 2019): "
        + ring_hectares(cd, ES)
        + ".",
        "- WDQ de cultivos con cada celda ponderada por la parte de su área en R/D/C: "
        f"{_f(cd['wdq_area_weighted']['wdq'], 2)}; por anillo, frente a las celdas a más de "
        "20 km: " + ring_wdq(cd, ES) + ". Rangos esperados (ground_truth.json): cultivos "
        f"{_range(e['cultivation_displacement']['expected']['wdq_range'])}, ofensiva "
        f"{_range(e['violence_crackdown']['expected']['wdq_range'])}, reducción de daños "
        f"{_range(e['violence_diffusion']['expected']['wdq_range'])}.",
        f"- Parque nacional Alto Tacuré (WDPAID {PNN_ID}): coca {_f(park['2017'], 0)} ha (2017) → "
        f"{_f(park['2019'], 0)} ha (2019) → {_f(park['2023'], 0)} ha (2023).",
        f"- Polígonos de aspersión: {_n(sp['footprints'])}; a menos de 100 m de un río "
        f"{', '.join(sp['near_river_ids'])}; dentro de un área protegida "
        f"{', '.join(sp['in_protected_ids'])}; a menos de 10 km de la frontera "
        f"{', '.join(sp['near_border_ids'])}; {_n(sp['compliant'])} no incumplen ninguna regla.",
        f"- {hg['name']} ({hg['municipality']}): el {_pct(hg['share_beyond_15km'])} de su "
        "población vive a más de 15 km de cualquier servicio de salud; "
        f"{_n(hg['facilities_in_municipality'])} servicios de salud en el municipio; "
        f"{_g(hg['events_per_100k_2019_2023'])} eventos violentos por 100.000 habitantes al año "
        f"(2019-2023), puesto {_n(hg['rank_by_event_rate'])} de {_n(len(MUNICIPALITIES))}.",
        "",
        "| Departamento | ha de erradicación manual | ha de aspersión aérea | "
        "eventos/año 2014-16 → 2021-23 | población a más de 15 km de atención | "
        "servicios de reducción de daños |",
        "|---|---|---|---|---|---|",
    ]
    out += department_rows(e, ES)
    if "rasters" in truth:
        out += raster_readme_lines(truth["rasters"], ES)
    if "enforcement_focus" in e:
        focus, statistics = e["enforcement_focus"], e["municipal_statistics"]
        out += enforcement_readme_lines(focus, statistics, ES)
    return "\n".join(out)
