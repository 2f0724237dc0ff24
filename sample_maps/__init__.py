"""The sample project: a synthetic Andean-Amazon foothills region with planted effects."""

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
SAMPLE_PROJECT = SAMPLE_DIR / "sample.hatlas.json"
