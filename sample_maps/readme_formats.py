"""How the sample's READMEs write numbers, one set per language, so that a table of figures is
built once and written in English (README.md: Python's own formats, 3,016.45; 60%) or in
Spanish (README.es.md: layers/numbers.py, 3.016,45; 60 %).

Both round as Python does first (half to even on the float): layers.numbers rounds half up,
and 22,830.5 ha must read 22,830 in English and 22.830 in Spanish. The English ones are
exactly the f-string formats the README was first written with, so its text does not move."""

from __future__ import annotations

from dataclasses import dataclass

from layers.numbers import number


@dataclass(frozen=True)
class Formats:
    """The README number formats of one language ("en" or "es")."""

    lang: str

    def g(self, value: float) -> str:
        """Python's `{:g}` (as many decimals as the value has, no more)."""
        text = f"{value:g}"
        if self.lang == "en":
            return text
        if "e" in text:
            return text.replace(".", ",")
        decimals = len(text.split(".")[1]) if "." in text else 0
        return number(float(text), decimals, self.lang)

    def f(self, value: float, decimals: int) -> str:
        """`{:,.Nf}`: thousands grouped, N decimals."""
        if self.lang == "en":
            return f"{value:,.{decimals}f}"
        return number(float(f"{value:.{decimals}f}"), decimals, self.lang)

    def n(self, value: int) -> str:
        """A count, thousands grouped."""
        if self.lang == "en":
            return f"{int(value):,}"
        return number(int(value), 0, self.lang)

    def pct(self, share: float) -> str:
        """`{:.0%}`: '60%' in English, '60 %' in Spanish."""
        if self.lang == "en":
            return f"{share:.0%}"
        return f"{number(float(f'{share:.0%}'[:-1]), 0, self.lang)} %"

    def km(self, metres: float) -> str:
        return self.g(metres / 1000)

    def range(self, bounds: list[float]) -> str:
        """[-2.2, -1.1]; in Spanish [-2,2; -1,1] (the comma is the decimal mark)."""
        if self.lang == "en":
            return str(list(bounds))
        return "[" + "; ".join(self.g(b) for b in bounds) + "]"


EN = Formats("en")
ES = Formats("es")
