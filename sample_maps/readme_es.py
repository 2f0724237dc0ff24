"""The words of README.es.md's figures: measurement.readme_figures writes the same lines,
tables and figures in Spanish with these words and Spanish number formats
(sample_maps/readme_formats.py: 3.016,45; 60 %), rounded as the English ones are, so each
figure is the same number. The raster and enforcement sections keep both languages' words
beside their figures (raster_truth.README_TEXT, enforcement_truth.README_TEXT).

tests/unit/test_sample_readme.py checks that both READMEs hold the figures the committed
ground truth gives, and the same numbers in the same order: a line added to the English
figures (measurement.README_TEXT, a new section of the sample) needs its Spanish here."""

from __future__ import annotations

# Each entry as in measurement.README_TEXT["en"]: {name} where a figure goes.
FIGURES = {
    "violence": "- Eventos de violencia: **{total}** ({per_year}).",
    "grid": "- Grilla de coca: {cells} celdas; hectáreas {per_year}.",
    "concentration": "- Concentración: {top3} reúnen el {top3_share} del área de 2023; el "
    "{persistent} está en celdas cultivadas todos los años 2014-2023; el {protected} está en "
    "áreas protegidas.",
    "effects_header": "| Efecto | R antes → después | D antes → después | C antes → después | "
    "éxito | zona de influencia | WDQ | TNE |",
    "effects": (
        "Cultivos, campaña (ha 2017 → 2019)",
        "Violencia, ofensiva (municipio vecino)",
        "Violencia, ofensiva (anillo de 10 km)",
        "Violencia, programa de reducción de daños",
    ),
    "campaign": "- Campaña: {points} puntos, {hectares} ha erradicadas. Coca según la distancia "
    "a los puntos de la campaña (2017 → 2019): {rings}.",
    "wdq": "- WDQ de cultivos con cada celda ponderada por la parte de su área en R/D/C: {wdq}; "
    "por anillo, frente a las celdas a más de 20 km: {rings}. Rangos esperados "
    "(ground_truth.json): cultivos {cultivation}, ofensiva {crackdown}, reducción de daños "
    "{harm_reduction}.",
    "park": "- Parque nacional Alto Tacuré (WDPAID {wdpa}): coca {ha_2017} ha (2017) → "
    "{ha_2019} ha (2019) → {ha_2023} ha (2023).",
    "spraying": "- Polígonos de aspersión: {footprints}; a menos de 100 m de un río {river}; "
    "dentro de un área protegida {protected}; a menos de 10 km de la frontera {border}; "
    "{compliant} no incumplen ninguna regla.",
    "health_gap": "- {name} ({municipality}): el {share} de su población vive a más de 15 km de "
    "cualquier servicio de salud; {facilities} servicios de salud en el municipio; {rate} "
    "eventos violentos por 100.000 habitantes al año (2019-2023), puesto {rank} de {of}.",
    "departments_header": "| Departamento | ha de erradicación manual | ha de aspersión aérea | "
    "eventos/año 2014-16 → 2021-23 | población a más de 15 km de atención | "
    "servicios de reducción de daños |",
}
