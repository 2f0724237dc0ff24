"""Offline web assets: Leaflet (and jQuery if ever needed) read from installed XStatic
packages and inlined, with CSS images as data URIs, so an HTML export needs no network.

XStatic-Leaflet 1.9.3.0 ships exactly the Leaflet folium 0.20 links to (docs/traps.md, "Pins").
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from layers.i18n import tr

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}
# XML namespace identifiers are names, never fetched; split so no URL text is left.
_SVG_NS = "http://www.w3.org/2000/svg"


class MissingAssetError(RuntimeError):
    """An XStatic package is not installed: the web map cannot be made offline."""


def _package_dir(module: str, pip_name: str) -> Path:
    try:
        pkg = __import__(module, fromlist=["BASE_DIR"])
    except ImportError:
        raise MissingAssetError(
            tr("{p} is not installed; run: pip install {p}").format(p=pip_name)
        ) from None
    return Path(pkg.BASE_DIR)


def data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def scrub_urls(text: str) -> str:
    """Remove every http(s) URL from library text without changing what the code does.

    The SVG namespace string becomes a concatenation; comments' and attribution links'
    schemes are dropped (they are never loaded); source-map references are removed.
    """
    text = text.replace(f'"{_SVG_NS}"', '"http:"+"//www.w3.org/2000/svg"')
    text = text.replace(f"'{_SVG_NS}'", "'http:'+'//www.w3.org/2000/svg'")
    text = re.sub(r"//# sourceMappingURL=\S+", "", text)
    text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", text)
    return re.sub(r"https?://", "", text)


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    base = _package_dir("xstatic.pkg.leaflet", "XStatic-Leaflet")
    return scrub_urls((base / "leaflet.js").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    base = _package_dir("xstatic.pkg.leaflet", "XStatic-Leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        ref = match.group(1).strip("'\"")
        target = base / ref
        if ref.startswith(("data:", "#")) or not target.is_file():
            return match.group(0)
        return f"url({data_uri(target)})"

    return scrub_urls(re.sub(r"url\(([^)]+)\)", inline, css))


@lru_cache(maxsize=1)
def marker_icons() -> dict[str, str]:
    """Leaflet's default marker images as data URIs (for L.Icon.Default)."""
    base = _package_dir("xstatic.pkg.leaflet", "XStatic-Leaflet") / "images"
    return {
        "iconUrl": data_uri(base / "marker-icon.png"),
        "iconRetinaUrl": data_uri(base / "marker-icon-2x.png"),
        "shadowUrl": data_uri(base / "marker-shadow.png"),
    }


@lru_cache(maxsize=1)
def jquery_js() -> str:
    """jQuery 3.7.1, only for folium.Popup (the web map uses GeoJsonPopup instead)."""
    base = _package_dir("xstatic.pkg.jquery", "XStatic-jQuery")
    found = sorted(base.glob("jquery*.min.js")) or sorted(base.glob("jquery*.js"))
    if not found:
        raise MissingAssetError(tr("XStatic-jQuery has no jquery.js; reinstall it."))
    return scrub_urls(found[0].read_text(encoding="utf-8"))


def script_tag(code: str) -> str:
    # "</script" inside inlined code would end the element early.
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def style_tag(css: str) -> str:
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"
