"""The headless core the CLI and the desktop drive: the evented application state
(core/state.py), one runner for analyses and exports (core/runner.py), registries by id
(core/registry.py). Qt-free; it sits above cartography and below desktop (pyproject.toml's
import contracts)."""
