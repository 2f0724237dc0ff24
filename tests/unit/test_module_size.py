"""No module of the application over 800 lines: a longer one is split by what its parts do
(as analysis/zonal.py gave its pixel tally to analysis/zonal_tally.py) before it lands."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("layers", "analysis", "cartography", "core", "desktop", "sample_maps", "benchmarks")
MAX_LINES = 800


def test_no_module_is_over_800_lines() -> None:
    modules = [ROOT / "main.py", *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]
    assert len(modules) > 150
    lengths = {m: len(m.read_text(encoding="utf-8").splitlines()) for m in modules}
    too_long = {str(m.relative_to(ROOT)): n for m, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"split these modules by what their parts do: {too_long}"
