"""How the sample's READMEs write numbers, one set per language, so that a table of figures is
built once and written in English (README.md: Python's own formats, 3,016.45; 60%) or in
Spanish (README.es.md: layers/numbers.py, 3.016,45; 60 %); and the rows of measurement's
tables, which measurement (English) and readme_es (Spanish) both write.

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


# The rows of the README's displacement table, in its order: the effect, and which of its
# realised figures (None: the effect has one set).
EFFECT_ROWS = (
    ("cultivation_displacement", "wdq"),
    ("violence_crackdown", "neighbour"),
    ("violence_crackdown", "ring"),
    ("violence_diffusion", None),
)


def effect_rows(e: dict, labels: tuple[str, ...], fm: Formats) -> list[str]:
    """The displacement table's rows (EFFECT_ROWS), labelled and written in one language."""
    out = []
    for label, (effect, part) in zip(labels, EFFECT_ROWS, strict=True):
        f = e[effect]["realised"] if part is None else e[effect]["realised"][part]
        out.append(
            f"| {label} | {fm.g(f['Rb'])} → {fm.g(f['Ra'])} | {fm.g(f['Db'])} → {fm.g(f['Da'])} | "
            f"{fm.g(f['Cb'])} → {fm.g(f['Ca'])} | {fm.f(f['success'], 4)} | "
            f"{fm.f(f['buffer_measure'], 4)} | **{fm.f(f['wdq'], 2)}** | {fm.g(f['tne'])} |"
        )
    return out


def ring_hectares(cd: dict, fm: Formats) -> str:
    """Coca by ring around the campaign points, 2017 → 2019: '0-2 km 1,234 → 567 ha; …'."""
    return "; ".join(
        f"{fm.km(r['from_m'])}-{fm.km(r['to_m'])} km {fm.f(r['ha_2017'], 0)} → "
        f"{fm.f(r['ha_2019'], 0)} ha"
        for r in cd["rings"]
    )


def ring_wdq(cd: dict, fm: Formats) -> str:
    """Each ring's WDQ against the cells beyond 20 km: '2-5 km 0.42; …'."""
    return "; ".join(
        f"{fm.km(r['from_m'])}-{fm.km(r['to_m'])} km {fm.f(r['wdq_vs_beyond_20km'], 2)}"
        for r in cd["rings"]
        if "wdq_vs_beyond_20km" in r
    )


def department_rows(e: dict, fm: Formats) -> list[str]:
    """The department contrast table's rows, written in one language."""
    return [
        f"| {code} {d['name']} | {fm.f(d['manual_eradication_ha'], 0)} | "
        f"{fm.f(d['aerial_spraying_ha'], 0)} | {fm.g(d['events_2014_2016_mean'])} → "
        f"{fm.g(d['events_2021_2023_mean'])} | {fm.pct(d['population_share_beyond_15km'])} | "
        f"{fm.n(d['harm_reduction_services'])} |"
        for code, d in e["department_contrast"]["realised"].items()
    ]
