"""Offline HTML web map of the national project: file size, write time, peak memory, and
how long headless Chromium takes to draw it with the network refused.

    python -m benchmarks.national --out benchmarks/data/national      # once
    python -m benchmarks.bench_webmap [--project P] [--runs 3] [--screenshot map.png]
    python -m benchmarks.bench_webmap --html old.html                 # draw time of any page

The export runs as the CLI does (`main.py export`), in a child process whose own peak RSS
and CPU time come from wait4. Draw time is the page's `data-ha-ready` mark (milliseconds
from navigation start to the animation frame after the layers were added, i.e. after the
canvas drew); a page without it (an older export) gets the same mark appended to a copy.
Also printed: Chromium's whole process time, and that of an empty page (its start-up).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PROJECT = ROOT / "benchmarks" / "data" / "national" / "national.hatlas.json"
READY = re.compile(r'data-ha-ready="(\d+)"')
MARK = (
    "<script>requestAnimationFrame(function(){document.documentElement"
    '.setAttribute("data-ha-ready",Math.round(performance.now()))});</script>'
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # the network is refused: any fetch fails at once instead of reaching anything
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
]


def run_child(cmd: list[str]) -> tuple[int, float, float, float]:
    """Exit code, wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode(errors="replace") if proc.stderr else "")
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise SystemExit("chromium not found (Debian: apt-get install chromium)")
    return found


def draw(page: Path, window: str, extra: list[str]) -> tuple[int | None, float, list[str]]:
    """(data-ha-ready ms or None, Chromium process seconds, console errors) for one load."""
    with tempfile.TemporaryDirectory(prefix="ha-chromium-") as profile:
        cmd = [
            chromium_binary(),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={window}",
            "--virtual-time-budget=60000",
            *extra,
            page.resolve().as_uri(),
        ]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - start
    found = READY.search(done.stdout)
    errors = [
        line
        for line in done.stderr.splitlines()
        if "CONSOLE" in line and ("Uncaught" in line or "ERROR" in line)
    ]
    return (int(found.group(1)) if found else None), wall, errors


def marked_copy(html: Path, folder: Path) -> Path:
    """`html` itself if it marks its own drawing, else a copy with the mark appended."""
    text = html.read_text(encoding="utf-8")
    if "haAtlas.ready" in text:
        return html
    copy = folder / ("marked_" + html.name)
    end = text.rfind("</html>")
    copy.write_text(text[:end] + MARK + text[end:], encoding="utf-8")
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    parser.add_argument("--html", type=Path, help="measure this page instead of exporting")
    parser.add_argument("--runs", type=int, default=3, help="Chromium loads to time")
    parser.add_argument("--window", default="1400,1000")
    parser.add_argument("--screenshot", type=Path, help="also save what Chromium drew")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ha-webmap-") as tmp:
        folder = Path(tmp)
        if args.html:
            page = args.html
        else:
            if not args.project.exists():
                raise SystemExit(
                    f"{args.project} not found: run python -m benchmarks.national first"
                )
            page = folder / "national.html"
            code, wall, cpu, peak = run_child(
                [sys.executable, "main.py", "export", "--project", str(args.project),
                 "--out", str(page)]
            )  # fmt: skip
            if code:
                raise SystemExit(f"export failed (exit {code})")
            _c, load_wall, load_cpu, load_peak = run_child(
                [sys.executable, "-c",
                 f"from layers.project import Project; Project.load({str(args.project)!r})"]
            )  # fmt: skip
            print(f"export (CLI process): {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MB")
            print(
                f"  of which loading the project: {load_wall:.1f} s wall, {load_cpu:.1f} s CPU, "
                f"peak {load_peak:.0f} MB"
            )
        size = page.stat().st_size
        print(f"file: {size / 1e6:.1f} MB")
        target = marked_copy(page, folder)
        empty = folder / "empty.html"
        empty.write_text(f"<!DOCTYPE html><html><body>{MARK}</body></html>", encoding="utf-8")
        _r, startup, _e = draw(empty, args.window, ["--dump-dom"])
        readies, walls = [], []
        for _ in range(args.runs):
            ready, wall, errors = draw(target, args.window, ["--dump-dom"])
            if errors:
                print("console errors:", *errors[:5], sep="\n  ")
            if ready is None:
                print("the page never marked itself drawn")
            else:
                readies.append(ready)
            walls.append(wall)
        if readies:
            print(
                f"Chromium draw (navigation start to layers drawn): median "
                f"{statistics.median(readies) / 1000:.2f} s "
                f"({', '.join(f'{r / 1000:.2f}' for r in readies)})"
            )
        print(
            f"Chromium process: median {statistics.median(walls):.1f} s "
            f"(empty page {startup:.1f} s)"
        )
        if args.screenshot:
            draw(target, args.window, [f"--screenshot={args.screenshot.resolve()}"])
            print(f"screenshot: {args.screenshot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
