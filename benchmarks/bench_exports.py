"""Export timings on the sample project: a one-page A4 PDF and a 20-page briefing pack.

Run: .venv/bin/python -m benchmarks.bench_exports
Budgets (2-core machine): A4 PDF < 3 s, 20-page briefing pack < 30 s. Project loading
and the indicator computation (analysis/indicators.py) are timed on their own lines.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def main() -> None:
    t0 = time.perf_counter()
    from analysis.base import Feedback
    from cartography.briefing import compute_table, write_briefing
    from cartography.export import export_map, region_codes
    from layers.project import Project
    from sample_maps import SAMPLE_PROJECT

    print(f"imports:                 {time.perf_counter() - t0:6.2f} s")
    t0 = time.perf_counter()
    project = Project.load(SAMPLE_PROJECT)
    print(f"load sample project:     {time.perf_counter() - t0:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for i in range(2):
            t0, c0 = time.perf_counter(), time.process_time()
            export_map(project, out / f"a4_{i}.pdf", page="a4-landscape", dpi=150)
            label = "first" if i == 0 else "again"
            print(
                f"A4 PDF ({label}):         {time.perf_counter() - t0:6.2f} s   budget 3 s  "
                f"(CPU {time.process_time() - c0:.1f} s)"
            )
        t0 = time.perf_counter()
        export_map(project, out / "a4.png", page="a4-landscape", dpi=150)
        print(f"A4 PNG 150 dpi:          {time.perf_counter() - t0:6.2f} s")
        t0 = time.perf_counter()
        export_map(project, out / "map.html")
        print(f"offline HTML:            {time.perf_counter() - t0:6.2f} s")
        t0 = time.perf_counter()
        table = compute_table(project, project.time_filter, Feedback())
        print(f"indicators (analysis):   {time.perf_counter() - t0:6.2f} s")
        codes = region_codes(project)
        # cover + overview + ranking + regions + comparison + trends = 20 pages
        regions = [c for c in codes if c.upper() in table.index][:15]
        t0, c0 = time.perf_counter(), time.process_time()
        pages = write_briefing(project, out / "pack.pdf", regions=regions, indicators=table)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = (out / "pack.pdf").stat().st_size / 1e6
        print(
            f"briefing ({pages} pages):    {took:6.2f} s   budget 30 s  "
            f"(CPU {cpu:.1f} s, {size:.1f} MB)"
        )


if __name__ == "__main__":
    main()
