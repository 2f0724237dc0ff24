"""The one progress protocol (layers/feedback.py) drives analyses, exports and project loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.feedback import Canceled, Feedback
from layers.project import Project

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_maps" / "sample.hatlas.json"


def test_part_maps_onto_its_span_and_shares_cancel() -> None:
    seen: list[tuple[float, str]] = []
    parent = Feedback(lambda p, m: seen.append((p, m)))
    child = parent.part(40, 60)
    child.set_progress(50, "half")
    assert seen[-1] == (50.0, "half")
    child.set_progress(100)
    assert parent.progress == 60.0
    child.info("a note")
    assert parent.messages == ["a note"]
    parent.cancel()
    assert child.canceled
    with pytest.raises(Canceled):
        child.check()


def test_finish_fills_the_bar_with_the_one_closing_word() -> None:
    seen: list[tuple[float, str]] = []
    parent = Feedback(lambda p, m: seen.append((p, m)))
    parent.part(0, 50).finish()
    assert seen == [(50.0, "Done")]  # a part's end is its share of the parent's bar
    parent.finish()
    assert seen[-1] == (100.0, "Done") and parent.progress == 100.0


def test_project_loading_reports_each_layer_and_stops_on_cancel() -> None:
    seen: list[tuple[float, str]] = []
    project = Project.load(SAMPLE, feedback=Feedback(lambda p, m: seen.append((p, m))))
    names = [m for _, m in seen]
    assert names == project.entry_names
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)

    class CancelAfterTwo(Feedback):
        def set_progress(self, percent: float, message: str = "") -> None:
            super().set_progress(percent, message)
            if len(read) == 2:
                self.cancel()

    read: list[str] = []
    feedback = CancelAfterTwo(lambda p, m: read.append(m))
    with pytest.raises(Canceled):
        Project.load(SAMPLE, feedback=feedback)
    assert len(read) == 2


def test_map_export_reports_progress_and_honours_cancel(tmp_path: Path) -> None:
    from cartography.export import export_map

    project = Project.load(SAMPLE)
    seen: list[float] = []
    out = export_map(
        project, tmp_path / "map.png", dpi=40, feedback=Feedback(lambda p, m: seen.append(p))
    )
    assert out.exists() and seen and seen[0] == 10.0 and seen[-1] == 70.0

    canceled = Feedback()
    canceled.cancel()
    with pytest.raises(Canceled):
        export_map(project, tmp_path / "none.png", dpi=40, feedback=canceled)
    assert not (tmp_path / "none.png").exists()


def test_the_one_runner_ends_every_analysis_on_done() -> None:
    from analysis.base import Algorithm, AnalysisResult
    from analysis.inputs import execute

    class Halfway(Algorithm):
        id = "halfway"

        def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
            feedback.set_progress(40, "half")
            return AnalysisResult()

    seen: list[tuple[float, str]] = []
    execute(Halfway(), {}, feedback=Feedback(lambda p, m: seen.append((p, m))))
    assert seen == [(40.0, "half"), (100.0, "Done")]
