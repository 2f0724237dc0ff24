"""Qt-free analyses, each declared once (analysis.base) and run from desktop, CLI and tests."""
