"""An analysis's declared text as the desktop shows it.

The declarations (analysis/) are written once for the command line's --help and the desktop
dialog alike. Where a help names another parameter by its flag ("Required unless --loss-raster
is the outcome"), the dialog names it by the label the user sees beside its box instead:
"Required unless “Loss-year raster” is the outcome".
"""

from __future__ import annotations

import re

from analysis.base import Algorithm
from desktop.labels import parameter_label
from layers.i18n import tr

# A command-line flag: '--' at the start of a word, then lower-case words joined by '-'.
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def for_desktop(text: str, algorithm: Algorithm) -> str:
    """`text` (already in the active language) with each flag of `algorithm`'s parameters
    replaced by that parameter's label in quotes; other flags are left as they are."""
    if "--" not in text:
        return text
    labels = {p.flag: p for p in algorithm.parameters}

    def name(match: re.Match[str]) -> str:
        p = labels.get(match.group(0))
        if p is None:
            return match.group(0)
        return tr("“{name}”").format(name=parameter_label(algorithm.id, p))

    return FLAG.sub(name, text)
