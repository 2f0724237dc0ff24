"""Qt-free map drawing with matplotlib: the desktop canvas, static exports, web maps, briefing packs."""
