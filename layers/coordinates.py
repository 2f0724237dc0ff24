"""Coordinates typed in by hand: decimal degrees, degrees-minutes-seconds, UTM and MGRS, read
into (lon, lat) on WGS 84 (EPSG:4326), and a point written back in each of those forms.

Qt-free: the "Add point by coordinates" dialog, the status bar and the command line share it.
What is accepted, the order rules and the examples are in docs/coordinates.md. An entry that
cannot be read raises CoordinateError with what is wrong and an example of a good entry; an
entry is never bent into a point the user did not write.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pyproj import Geod

from layers.i18n import tr, tr_noop
from layers.numbers import MISSING, number
from layers.utm_grid import (
    BANDS,
    MAX_LAT,
    MIN_LAT,
    GridError,
    band_fits,
    band_range,
    from_utm,
    mgrs_square,
    to_mgrs,
    to_utm,
)

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

FORMAT_NAMES = {
    "auto": tr_noop("Auto"),
    "dd": tr_noop("Decimal degrees"),
    "dms": tr_noop("Degrees, minutes, seconds"),
    "utm": tr_noop("UTM"),
    "mgrs": tr_noop("MGRS"),
}
FORMATS = tuple(FORMAT_NAMES)  # in the order the dialogs offer them
# Bogotá, Plaza de Bolívar, in each form (the same point; the tests check they agree).
EXAMPLES = {
    "dd": "4.5981, -74.0760",
    "dms": "4°35'53.2\"N 74°04'33.6\"W",
    "utm": "18N 602493 508305",
    "mgrs": "18NXL0249308305",
}
EASTING_RANGE = (100_000.0, 900_000.0)
NORTHING_RANGE = (0.0, 10_000_000.0)

_GEOD = Geod(ellps="WGS84")


class CoordinateError(ValueError):
    """A typed coordinate that cannot be read: `problem` says what, `example` shows a good one."""

    def __init__(self, problem: str, example_format: str = "dd") -> None:
        self.problem = problem
        self.example = EXAMPLES[example_format]
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return tr("{problem} Example: {example}").format(problem=self.problem, example=self.example)


@dataclass(frozen=True)
class ParsedPoint:
    """A point read from text: where it is, which form it was written in, how exact the entry
    is (an MGRS square's size in metres, else None) and how an ambiguity was settled."""

    lon: float
    lat: float
    format: str
    precision_m: float | None = None
    note: str = ""


# ---------------------------------------------------------------- reading


def parse_coordinate(text: str, fmt: str = "auto", area: Bounds | None = None) -> ParsedPoint:
    """Read `text` written in `fmt` (one of FORMATS; 'auto' tells them apart) into a point.

    `area`, the project's extent in lon/lat, only settles the order of two bare numbers that
    could be either latitude, longitude or longitude, latitude (docs/coordinates.md)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown coordinate format {fmt!r}")
    cleaned = _normalise(text)
    if not cleaned:
        raise CoordinateError(tr("Type a coordinate."), "dd" if fmt == "auto" else fmt)
    if fmt == "mgrs" or (fmt == "auto" and _looks_like_mgrs(cleaned)):
        return parse_mgrs(cleaned)
    if fmt == "utm" or (fmt == "auto" and _looks_like_utm(cleaned)):
        return parse_utm(cleaned)
    point = parse_degrees(cleaned, area)
    if fmt == "dd" and point.format != "dd":
        raise CoordinateError(
            tr(
                "This is degrees and minutes, not decimal degrees: choose “Degrees, minutes, "
                "seconds” or “Auto”."
            ),
            "dd",
        )
    return point


_REPLACEMENTS = {
    "−": "-",  # minus sign
    "–": "-",  # en dash typed as a minus
    "′": "'",
    "’": "'",
    "‘": "'",
    "´": "'",
    "`": "'",
    "″": '"',
    "“": '"',
    "”": '"',
    "º": "°",  # ordinal sign, on Spanish keyboards next to 1
    "˚": "°",
}


def _normalise(text: str) -> str:
    out = text.strip().upper()
    for old, new in _REPLACEMENTS.items():
        out = out.replace(old, new)
    return out.replace("''", '"')


def _looks_like_mgrs(text: str) -> bool:
    # '18 sur 612345 9863210' is UTM: a hemisphere word, or more digits than MGRS has
    if re.search(r"\b(NORTH|NORTE|SOUTH|SUR)\b", text):
        return False
    compact = re.sub(r"\s+", "", text)
    match = re.fullmatch(r"\d{1,2}[A-Z][A-Z]{2}(\d*)", compact)
    return match is not None and len(match[1]) <= 10


def _looks_like_utm(text: str) -> bool:
    # a zone number with a letter or word, and a number of five or more digits
    return (
        re.match(r"(ZON[AE]\s*)?\d{1,2}\s*[A-Z]", text) is not None
        and re.search(r"(?<![\d.,])\d{5}", text) is not None
    )


# ---- degrees (decimal, degrees-minutes-seconds, degrees-decimal-minutes)

_WORDS = (
    (r"\bLAT(ITUDE|ITUD)?\b\s*:?", " LAT "),
    (r"\b(LON|LNG|LONG|LONGITUDE|LONGITUD)\b\s*:?", " LON "),
    (r"\b(NORTH|NORTE)\b", " N "),
    (r"\b(SOUTH|SUR)\b", " S "),
    (r"\b(OESTE|WEST)\b", " W "),
    (r"\b(ESTE|EAST)\b", " E "),
)
_TOKENS = re.compile(
    r"(?P<label>LAT|LON)|(?P<num>[-+]?\d+(?:[.,]\d+)?)|(?P<mark>[°'\"])|(?P<hemi>[NSEWO])"
    r"|(?P<sep>[,;/])|(?P<space>\s+)|(?P<bad>.)"
)
_MARK_POSITION = {"°": 0, "'": 1, '"': 2}
_LAT_LETTERS, _LON_LETTERS = "NS", "EW"
_CANNOT_SPLIT = tr_noop(
    "Could not tell where the latitude ends and the longitude begins: separate them with “;” "
    "or hemisphere letters."
)


@dataclass
class _Part:
    text: str
    mark: str = ""


@dataclass
class _Coordinate:
    parts: list[_Part]
    hemi: str = ""
    label: str = ""
    closed: bool = False

    @property
    def role(self) -> str:
        if self.hemi:
            return "lat" if self.hemi in _LAT_LETTERS else "lon"
        return self.label.lower()


def parse_degrees(text: str, area: Bounds | None = None) -> ParsedPoint:
    """Latitude and longitude in decimal degrees, degrees-minutes-seconds or degrees and
    decimal minutes, with hemisphere letters (N S E W, O for oeste) or signs."""
    text = _normalise(text)
    for pattern, replacement in _WORDS:
        text = re.sub(pattern, replacement, text)
    # the example shown with a problem is in the form the user was writing
    hint = "dms" if re.search(r"[°'\"]|(?<![A-Z])[NSEWO](?![A-Z])", text) else "dd"
    try:
        return _read_degrees(text, area)
    except CoordinateError as error:
        raise CoordinateError(error.problem, hint) from None


def _read_degrees(text: str, area: Bounds | None) -> ParsedPoint:
    coords = _group(text)
    coords = _split_bare(coords)
    if len(coords) != 2:
        if len(coords) == 1 and len(coords[0].parts) > 1:
            problem = tr(_CANNOT_SPLIT)
        elif len(coords) == 1 and "," in coords[0].parts[0].text:
            problem = tr(
                "A comma between digits is read as a decimal mark: separate the latitude and "
                "the longitude with a space or “;”."
            )
        elif len(coords) < 2:
            problem = tr("Type both a latitude and a longitude.")
        else:
            problem = tr(
                "Found {n} coordinates where two belong, a latitude and a longitude (only the "
                "last number of each may have decimals)."
            )
            problem = problem.format(n=len(coords))
        raise CoordinateError(problem, "dd")
    values = [_value(c) for c in coords]
    kind = "dd" if all(len(c.parts) == 1 for c in coords) else "dms"
    lat, lon, note = _assign(coords, values, area)
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(
            tr("Latitude {v} is beyond 90°: latitudes run from 90°S to 90°N.").format(
                v=_plain(lat)
            ),
            kind,
        )
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError(
            tr("Longitude {v} is beyond 180°: longitudes run from 180°W to 180°E.").format(
                v=_plain(lon)
            ),
            kind,
        )
    return ParsedPoint(lon, lat, kind, None, note)


def _group(text: str) -> list[_Coordinate]:
    """Cut the tokens into coordinates: at a hemisphere letter (after the numbers, or before
    them when the entry starts with one), a separator, a sign, a label, a degree mark on a
    later number, or after a number with decimals (only the last part may have them)."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(text)]
    tokens = [(kind, value) for kind, value in tokens if kind != "space"]
    for kind, value in tokens:
        if kind == "bad":
            raise CoordinateError(
                tr("“{c}” has no place in a coordinate.").format(c=value.strip()), "dd"
            )
    prefix = bool(tokens) and tokens[0][0] in ("hemi", "label")
    coords: list[_Coordinate] = []
    cur = _Coordinate([])

    def start() -> _Coordinate:
        nonlocal cur
        if cur.parts or cur.hemi or cur.label:
            coords.append(cur)
        cur = _Coordinate([])
        return cur

    for kind, value in tokens:
        if kind == "label":
            start().label = value
        elif kind == "hemi":
            letter = "W" if value == "O" else value  # O for oeste
            if prefix:
                if cur.parts or cur.hemi:
                    start()
                cur.hemi = letter
            else:
                if not cur.parts:
                    raise CoordinateError(
                        tr("Put hemisphere letters either all before or all after the numbers."),
                        "dms",
                    )
                if cur.hemi:
                    raise CoordinateError(tr("Two hemisphere letters for one coordinate."), "dms")
                cur.hemi = letter
                cur.closed = True
        elif kind == "sep":
            if cur.parts:
                cur.closed = True
        elif kind == "num":
            last = cur.parts[-1] if cur.parts else None
            if last is not None and (
                cur.closed or value[0] in "+-" or re.search(r"[.,]", last.text)
            ):
                start()
            cur.parts.append(_Part(value))
        elif kind == "mark":
            if not cur.parts or cur.parts[-1].mark:
                raise CoordinateError(tr("A ° ' or \" mark must follow a number."), "dms")
            if value == "°" and len(cur.parts) > 1:
                moved = cur.parts.pop()
                start().parts.append(moved)
            cur.parts[-1].mark = value
    start()
    return coords


def _split_bare(coords: list[_Coordinate]) -> list[_Coordinate]:
    """One run of bare numbers ('4 35 53 74 4 33', '4 74') is half latitude, half longitude."""
    out: list[_Coordinate] = []
    for c in coords:
        bare = not c.hemi and not c.label and not any(p.mark for p in c.parts)
        if bare and len(c.parts) in (2, 4, 6) and len(coords) == 1:
            half = len(c.parts) // 2
            out += [_Coordinate(c.parts[:half]), _Coordinate(c.parts[half:])]
        else:
            out.append(c)
    return out


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _value(c: _Coordinate) -> float:
    """Signed degrees of one coordinate, checking minutes and seconds."""
    if not c.parts:
        raise CoordinateError(tr("A hemisphere letter has no numbers with it."), "dms")
    if len(c.parts) > 3:
        raise CoordinateError(tr(_CANNOT_SPLIT), "dms")
    positions: list[int] = []
    for part in c.parts:
        nxt = _MARK_POSITION[part.mark] if part.mark else (positions[-1] + 1 if positions else 0)
        if positions and nxt <= positions[-1]:
            raise CoordinateError(tr("Write degrees, then minutes, then seconds."), "dms")
        positions.append(nxt)
    if positions[-1] > 2:
        raise CoordinateError(tr("Write degrees, then minutes, then seconds."), "dms")
    sign = -1.0 if c.parts[0].text.startswith("-") else 1.0
    amounts = [0.0, 0.0, 0.0]
    for i, (part, pos) in enumerate(zip(c.parts, positions, strict=True)):
        if i > 0 and part.text[0] in "+-":
            raise CoordinateError(tr("Only the degrees can carry a sign."), "dms")
        value = abs(_number(part.text))
        if i < len(c.parts) - 1 and not value.is_integer():
            raise CoordinateError(
                tr("Only the last part may have decimals: {v} is followed by more.").format(
                    v=part.text
                ),
                "dms",
            )
        amounts[pos] = value
    if amounts[1] >= 60:
        raise CoordinateError(
            tr("Minutes must be under 60 (found {v}).").format(v=_plain(amounts[1])), "dms"
        )
    if amounts[2] >= 60:
        raise CoordinateError(
            tr("Seconds must be under 60 (found {v}).").format(v=_plain(amounts[2])), "dms"
        )
    degrees = amounts[0] + amounts[1] / 60.0 + amounts[2] / 3600.0
    if c.hemi:
        if sign < 0:
            raise CoordinateError(tr("Give a minus sign or a hemisphere letter, not both."), "dms")
        if c.hemi in "SW":
            sign = -1.0
    return sign * degrees


def _assign(
    coords: list[_Coordinate], values: list[float], area: Bounds | None
) -> tuple[float, float, str]:
    """(lat, lon, note) from the two coordinates: letters or labels decide; bare numbers are
    latitude first, unless only the other order can be a point (or lies in the project)."""
    roles = [c.role for c in coords]
    if roles[0] and roles[0] == roles[1]:
        which = tr("latitudes") if roles[0] == "lat" else tr("longitudes")
        raise CoordinateError(
            tr(
                "Both coordinates are {which}: give one latitude (N/S) and one longitude (E/W)."
            ).format(which=which),
            "dms",
        )
    if "lat" in roles or "lon" in roles:
        if roles[0] == "lon" or roles[1] == "lat":
            return values[1], values[0], ""
        return values[0], values[1], ""
    first, second = values
    if abs(first) > 90.0 >= abs(second):
        return (
            second,
            first,
            tr("Read as longitude, latitude: {v} cannot be a latitude.").format(v=_plain(first)),
        )
    if area is not None and not _inside(second, first, area) and _inside(first, second, area):
        return (
            second,
            first,
            tr("Read as longitude, latitude: only that order falls in the project's area."),
        )
    return first, second, ""


def _inside(lon: float, lat: float, area: Bounds) -> bool:
    minx, miny, maxx, maxy = area
    return minx <= lon <= maxx and miny <= lat <= maxy


# ---- UTM

_UTM = re.compile(
    r"(?:ZON[AE]\s*)?(?P<zone>\d{1,2})\s*(?P<letter>[A-Z]+)\s*[,;]?\s*"
    r"(?P<a>\d+(?:[.,]\d+)?)\s*(?P<ma>M?[EN])?\s*[,;]?\s*"
    r"(?P<b>\d+(?:[.,]\d+)?)\s*(?P<mb>M?[EN])?"
)
_HEMISPHERE_WORDS = {"NORTH": "N", "NORTE": "N", "SOUTH": "S", "SUR": "S"}


def parse_utm(text: str) -> ParsedPoint:
    """'18N 612345 136789', '18 N 612345E 136789N', '18M 612345 9863210', '18 sur 612345
    9863210': zone, latitude band letter (or the word north/south), easting, northing."""
    text = _normalise(text)
    match = _UTM.fullmatch(text.strip())
    if match is None:
        raise CoordinateError(
            tr("Write a UTM position as zone and band letter, easting, northing."), "utm"
        )
    zone = int(match["zone"])
    if not 1 <= zone <= 60:
        raise CoordinateError(tr("UTM zones run from 1 to 60 (found {v}).").format(v=zone), "utm")
    a, b = _number(match["a"]), _number(match["b"])
    marks = (match["ma"] or "")[-1:], (match["mb"] or "")[-1:]
    if marks in (("N", "E"), ("N", ""), ("", "E")):
        a, b = b, a  # marked northing first
    elif marks[0] == marks[1] and marks[0]:
        raise CoordinateError(tr("Mark one number E (easting) and the other N (northing)."), "utm")
    easting, northing = a, b
    if not EASTING_RANGE[0] <= easting <= EASTING_RANGE[1]:
        raise CoordinateError(
            tr(
                "Easting {v} is outside 100,000–900,000 m: write the easting first, then the "
                "northing, in metres."
            ).format(v=_plain(easting)),
            "utm",
        )
    if not NORTHING_RANGE[0] <= northing <= NORTHING_RANGE[1]:
        raise CoordinateError(
            tr("Northing {v} is outside 0–10,000,000 m.").format(v=_plain(northing)), "utm"
        )
    letter = _HEMISPHERE_WORDS.get(match["letter"], match["letter"])
    if match["letter"] in _HEMISPHERE_WORDS:
        south = letter == "S"
        lon, lat = from_utm(zone, south, easting, northing)
        return ParsedPoint(lon, lat, "utm", 1.0)
    if len(letter) != 1 or letter not in BANDS:
        if letter in "ABYZ" and len(letter) == 1:
            problem = tr("Band {b} is a polar area (UPS), which this grid does not cover.")
        else:
            problem = tr(
                "“{b}” is not a latitude band: bands are C to X without I and O "
                "(C–M south of the equator, N–X north)."
            )
        raise CoordinateError(problem.format(b=letter), "utm")
    south = letter < "N"
    lon, lat = from_utm(zone, south, easting, northing)
    if band_fits(letter, lat):
        return ParsedPoint(lon, lat, "utm", 1.0)
    if letter == "N" and lat > 0:
        # 'N' also means the northern hemisphere ('UTM zone 18N'): the same point either way
        return ParsedPoint(lon, lat, "utm", 1.0, tr("Read N as the northern hemisphere."))
    low, high = band_range(letter)
    problem = tr("Northing {n} lies at {lat}, outside band {b} ({low} to {high}).").format(
        n=_plain(northing), lat=_lat_text(lat), b=letter, low=_lat_text(low), high=_lat_text(high)
    )
    if letter == "S":
        problem += " " + tr(
            "For the southern hemisphere write its band letter (M for 0°–8°S) or the word "
            "“south”: 18 south 612345 9863210."
        )
    raise CoordinateError(problem, "utm")


# ---- MGRS

_MGRS = re.compile(r"(?P<zone>\d{1,2})\s*(?P<band>[A-Z])\s*(?P<sq>[A-Z]{2})\s*(?P<digits>[\d ]*)")


def parse_mgrs(text: str) -> ParsedPoint:
    """'18NVL1234567890', '18N VL 12345 67890', '18NVL16' (10 km): the point is the middle of
    the square the reference names, and precision_m its size."""
    text = _normalise(text).strip()
    match = _MGRS.fullmatch(text)
    if match is None:
        raise CoordinateError(
            tr("Write an MGRS reference as zone, band, square letters and digits."), "mgrs"
        )
    groups = match["digits"].split()
    digits = "".join(groups)
    if not digits:
        raise CoordinateError(
            tr("Add the easting and northing digits after the square letters (1 to 5 each)."),
            "mgrs",
        )
    if len(groups) == 2 and len(groups[0]) != len(groups[1]):
        raise CoordinateError(
            tr(
                "The easting and northing need the same number of digits ({a} and {b} given)."
            ).format(a=len(groups[0]), b=len(groups[1])),
            "mgrs",
        )
    if len(groups) > 2 or len(digits) % 2 or len(digits) > 10:
        raise CoordinateError(
            tr(
                "An MGRS reference has 2, 4, 6, 8 or 10 digits: half easting, half northing "
                "({n} given)."
            ).format(n=len(digits)),
            "mgrs",
        )
    half = len(digits) // 2
    zone, band = int(match["zone"]), match["band"]
    try:
        corner, size = mgrs_square(zone, band, match["sq"], digits[:half], digits[half:])
    except GridError as error:
        raise CoordinateError(_grid_problem(error), "mgrs") from None
    lon, lat = from_utm(zone, corner.south, corner.easting + size / 2, corner.northing + size / 2)
    return ParsedPoint(lon, lat, "mgrs", size)


def _grid_problem(error: GridError) -> str:
    v = error.values
    if error.key == "zone":
        return tr("UTM zones run from 1 to 60 (found {v}).").format(v=v["zone"])
    if error.key == "band":
        return tr(
            "“{b}” is not a latitude band: bands are C to X without I and O "
            "(C–M south of the equator, N–X north)."
        ).format(b=v["band"])
    if error.key == "column":
        return tr("Zone {z} has no square column {c}: its columns are {allowed}.").format(
            z=v["zone"], c=v["letter"], allowed=v["allowed"]
        )
    if error.key == "row":
        return tr("“{c}” is not a square row letter: rows are A to V without I and O.").format(
            c=v["letter"]
        )
    return tr("Square {sq} does not lie in band {b} of zone {z}: check the letters.").format(
        sq=v["letters"], b=v["band"], z=v["zone"]
    )


# ---------------------------------------------------------------- writing


def format_dd(lon: float, lat: float, decimals: int = 6) -> str:
    """'4.598100, -74.076000': latitude, longitude (6 decimals ≈ 0.1 m)."""
    return f"{lat:.{decimals}f}, {lon:.{decimals}f}"


def _dms(value: float, letters: str, width: int, decimals: int) -> str:
    hemi = letters[1] if value < 0 else letters[0]
    tenths = 10**decimals
    total = round(
        abs(value) * 3600 * tenths
    )  # whole units of the last decimal, so 59.99→60 carries
    degrees, rest = divmod(total, 3600 * tenths)
    minutes, seconds = divmod(rest, 60 * tenths)
    sec = f"{seconds / tenths:0{3 + decimals if decimals else 2}.{decimals}f}"
    return f"{degrees:0{width}d}°{minutes:02d}'{sec}\"{hemi}"


def format_dms(lon: float, lat: float, decimals: int = 2) -> str:
    """'4°35'53.20"N 74°04'33.60"W' (0.01″ ≈ 0.3 m)."""
    return f"{_dms(lat, 'NS', 1, decimals)} {_dms(lon, 'EW', 1, decimals)}"


def format_utm(lon: float, lat: float) -> str:
    """'18N 602493 508305': zone and latitude band letter, easting, northing in whole metres."""
    utm = to_utm(lon, lat)
    return f"{utm.zone}{utm.band} {math.floor(utm.easting)} {math.floor(utm.northing)}"


def format_mgrs(lon: float, lat: float, digits: int = 5) -> str:
    """'18N XL 02493 08305' (5 digits = 1 m), grouped as printed on maps."""
    ref = to_mgrs(lon, lat, digits)
    head = len(ref) - 2 * digits
    zone_band, square = ref[: head - 2], ref[head - 2 : head]
    east, north = ref[head : head + digits], ref[head + digits :]
    return " ".join(part for part in (zone_band, square, east, north) if part)


def format_point(lon: float, lat: float, fmt: str) -> str:
    """The point in one form ('dd', 'dms', 'utm', 'mgrs'); MISSING where the grid does not
    reach (UTM and MGRS stop at 80°S and 84°N)."""
    if fmt in ("utm", "mgrs") and not MIN_LAT <= lat <= MAX_LAT:
        return MISSING
    writer = {"dd": format_dd, "dms": format_dms, "utm": format_utm, "mgrs": format_mgrs}[fmt]
    return writer(lon, lat)


def format_all(lon: float, lat: float) -> dict[str, str]:
    """The point in every form, for the dialog's echo: {'dd': …, 'dms': …, 'utm': …, 'mgrs': …}."""
    return {fmt: format_point(lon, lat, fmt) for fmt in ("dd", "dms", "utm", "mgrs")}


# ---------------------------------------------------------------- the project's area


def distance_outside(lon: float, lat: float, area: Bounds) -> float:
    """Metres from the point to the nearest edge of `area` (lon/lat bounds); 0 inside it."""
    minx, miny, maxx, maxy = area
    near_lon = min(max(lon, minx), maxx)
    near_lat = min(max(lat, miny), maxy)
    if near_lon == lon and near_lat == lat:
        return 0.0
    _, _, metres = _GEOD.inv(lon, lat, near_lon, near_lat)
    return float(metres)


_DIRECTIONS = {
    "north": tr_noop("north"),
    "south": tr_noop("south"),
    "east": tr_noop("east"),
    "west": tr_noop("west"),
    "north-east": tr_noop("north-east"),
    "north-west": tr_noop("north-west"),
    "south-east": tr_noop("south-east"),
    "south-west": tr_noop("south-west"),
}


def outside_area_warning(lon: float, lat: float, area: Bounds | None) -> str:
    """'' inside the project's area (or with no area); else how far outside and which way, for
    the caller to show before accepting the point."""
    if area is None or any(math.isnan(v) for v in area):
        return ""
    metres = distance_outside(lon, lat, area)
    if metres == 0.0:
        return ""
    minx, miny, maxx, maxy = area
    north_south = "north" if lat > maxy else "south" if lat < miny else ""
    east_west = "east" if lon > maxx else "west" if lon < minx else ""
    direction = tr(_DIRECTIONS["-".join(w for w in (north_south, east_west) if w)])
    distance = f"{number(metres / 1000.0, 1)} km" if metres >= 1000 else f"{number(metres, 0)} m"
    return tr("The point is {distance} {direction} of the project's area.").format(
        distance=distance, direction=direction
    )


def _plain(value: float) -> str:
    """A number as the user typed it (up to 6 decimals), in the language's marks: 9,863,210."""
    decimals = len(f"{value:.6f}".rstrip("0").split(".")[1])
    return number(value, decimals)


def _lat_text(lat: float) -> str:
    return f"{number(abs(lat), 1)}°{'S' if lat < 0 else 'N'}"
