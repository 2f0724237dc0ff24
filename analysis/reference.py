"""The analyses' reference page (docs/analyses.md), written from their declarations.

`python -m analysis.reference > docs/analyses.md`; a test fails when the page drifts from
the code, so the parameters, defaults and help text are stated in one place only.
"""

from __future__ import annotations

import sys

from analysis.base import Algorithm, Parameter, load_all
from layers.i18n import tr

_KIND = {
    "layer": "layer (file, `PATH::sublayer`, or a project layer name)",
    "field": "field",
    "number": "number",
    "integer": "integer",
    "string": "text",
    "date": "date (YYYY-MM-DD)",
    "enum": "one of",
    "bool": "switch",
    "numbers": "numbers (comma-separated)",
    "path": "file",
    "project": "project file",
}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _kind(p: Parameter) -> str:
    if p.kind == "enum":
        return f"one of {', '.join(f'`{c}`' for c in p.choices)}"
    if p.kind == "field" and p.parent:
        return f"field of `--{p.parent.replace('_', '-')}`"
    return _KIND.get(p.kind, p.kind)


def _default(p: Parameter) -> str:
    if p.required:
        return "**required**"
    if p.default in (None, "", False):
        return ""
    if isinstance(p.default, list | tuple):
        return "`" + ",".join(str(v) for v in p.default) + "`"
    return f"`{p.default}`"


def algorithm_section(algorithm: Algorithm) -> str:
    module_doc = (sys.modules[type(algorithm).__module__].__doc__ or "").strip()
    lines = [
        f"## `{algorithm.id}`: {algorithm.title}",
        "",
        _cell(algorithm.help),
        "",
        "| Flag | Kind | Default | Meaning |",
        "|---|---|---|---|",
    ]
    for p in algorithm.parameters:
        lines.append(f"| `{p.flag}` | {_kind(p)} | {_default(p)} | {_cell(p.help)} |")
    lines += [
        "",
        "Outputs: "
        + "; ".join(
            f"`{o.name}` ({o.kind}): {_cell(o.help).rstrip('.')}" for o in algorithm.outputs
        )
        + ".",
    ]
    if module_doc:
        lines += ["", "<details><summary>Definitions</summary>", "", module_doc, "", "</details>"]
    return "\n".join(lines)


def reference_page() -> str:
    algorithms = sorted(load_all().values(), key=lambda a: a.id)
    head = [
        "# Analyses: parameters and definitions",
        "",
        tr(
            "Written from the analyses' declarations by `python -m analysis.reference`; do "
            "not edit by hand. Every analysis runs as `python main.py analyze ID ...` and "
            "from the desktop's Analysis menu. Common options: `--project P` (layer "
            "arguments may then be layer names), `--out FILE` (.gpkg, .geojson, .csv, "
            ".json), `--json`, `--quiet`."
        ),
        "",
    ]
    return "\n".join(head + [algorithm_section(a) + "\n" for a in algorithms])


if __name__ == "__main__":
    sys.stdout.write(reference_page())
