"""Typed coordinates (issue 18, "Coordinates typed in"): every form read against published
reference points, written and read back, and bad entries refused with a message and an example.

Reference points (public test suites and documents, values copied by hand):
- NGA mgrs-java, src/test/java/mil/nga/mgrs/MGRSTest.java (testParse, testCoordinate,
  testPointBounds): MGRS ↔ lon/lat and MGRS ↔ UTM pairs.
- proj4js/mgrs test suite: 33UXP04 ↔ (16.41450, 48.24949), 33UXP0500444997.
- NGA opensphere test/os/geo/conv/mgrs.test.js: 13SED1714696655 ↔ (-104.7999483247, 39.7195959962).
- mgrs_dart test: 11SPA7234911844 ↔ (-115.08209766323476, 36.236123461597515).
- Wikipedia, "Universal Transverse Mercator coordinate system": the CN Tower,
  43°38′33.24″N 79°23′13.7″W = zone 17, 630084 m E, 4833438 m N.
"""

from __future__ import annotations

import math
import random

import pytest
from pyproj import Geod

from layers.coordinates import (
    EXAMPLES,
    CoordinateError,
    distance_outside,
    format_all,
    format_dd,
    format_dms,
    format_mgrs,
    format_utm,
    outside_area_warning,
    parse_coordinate,
)
from layers.utm_grid import from_utm, mgrs_square, to_mgrs, zone_of

GEOD = Geod(ellps="WGS84")


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def point(text: str, fmt: str = "auto", area=None) -> tuple[float, float]:
    p = parse_coordinate(text, fmt, area)
    return p.lon, p.lat


# (MGRS, lon, lat): the lon/lat is the reference point whose MGRS (1 m) the suite gives.
MGRS_POINTS = [
    ("35VPL0115697387", 29.06757, 63.98863),  # mgrs-java testCoordinate
    ("39PYP7290672069", 53.51, 12.40),  # mgrs-java testCoordinate
    ("4QFJ1234056781", -157.916861, 21.309444),  # mgrs-java testCoordinate
    ("33PYJ6132198972", 17.3714337, 8.1258235),  # mgrs-java testCoordinate
    ("52CDS8938618364", 128.4525, -80.0),  # mgrs-java testPointBounds, the grid's south edge
    ("52CDT8854707650", 128.4525, -79.2),  # mgrs-java testPointBounds
    ("39XVP9907028094", 50.920338, 84.0),  # mgrs-java testPointBounds, the grid's north edge
    ("39XVN9902494603", 50.920338, 83.7),  # mgrs-java testPointBounds
    ("13SED1714696655", -104.7999483247, 39.7195959962),  # opensphere
    ("11SPA7234911844", -115.08209766323476, 36.236123461597515),  # mgrs_dart
    ("33UXP0500444997", 16.41450, 48.24949),  # proj4js/mgrs
]
# (MGRS, lon, lat of the square's south-west corner) from mgrs-java testParse, every precision.
MGRS_CORNERS = [
    ("33XVG74", 13.7248758, 77.8324735),
    ("33XVG7443", 13.8924385, 77.8600782),
    ("33XVG745435", 13.9133378, 77.8646415),
    ("33XVG74594359", 13.9171014, 77.8654628),
    ("33XVG7459743593", 13.9173973, 77.8654908),
]


@pytest.mark.parametrize(("ref", "lon", "lat"), MGRS_POINTS)
def test_mgrs_of_reference_points(ref, lon, lat):
    assert to_mgrs(lon, lat) == ref


@pytest.mark.parametrize(("ref", "lon", "lat"), MGRS_POINTS)
def test_reference_mgrs_reads_back_to_the_point(ref, lon, lat):
    # a 1 m reference: the point read is the middle of the 1 m square the reference point is in
    assert metres(point(ref), (lon, lat)) < 1.5
    assert parse_coordinate(ref).precision_m == 1.0


def test_a_coarse_reference_is_the_middle_of_its_square():
    # proj4js/mgrs reads 33UXP04 (a 10 km square) as its middle, as we do
    assert metres(point("33UXP04"), (16.41450, 48.24949)) < 10
    assert parse_coordinate("33UXP04").precision_m == 10_000


@pytest.mark.parametrize(("ref", "lon", "lat"), MGRS_CORNERS)
def test_mgrs_square_corners_at_every_precision(ref, lon, lat):
    zone, band, letters, digits = int(ref[:2]), ref[2], ref[3:5], ref[5:]
    half = len(digits) // 2
    corner, size = mgrs_square(zone, band, letters, digits[:half], digits[half:])
    assert from_utm(zone, corner.south, corner.easting, corner.northing) == pytest.approx(
        (lon, lat), abs=1e-5
    )
    assert size == 10 ** (5 - half)
    # the point read is the square's middle, half its diagonal from the corner (grid metres
    # differ from ground metres by the UTM scale factor, under 0.1 % inside a zone)
    assert metres(point(ref), (lon, lat)) == pytest.approx(size * math.sqrt(2) / 2, rel=2e-3)


def test_mgrs_and_utm_name_the_same_place():
    # mgrs-java testParse: 33XVG74594359 is UTM 33 N 474590 8643590; X is the band letter
    assert metres(point("33XVG74594359"), point("33X 474590 8643590")) < 10
    assert metres(point("33X VG 74596 43594"), point("33X 474596.5 8643594.5")) < 0.01


def test_utm_of_the_cn_tower():
    lon, lat = point("43°38′33.24″N 79°23′13.7″W")
    assert format_utm(lon, lat) == "17T 630084 4833438"
    assert metres(point("17T 630084 4833438"), (lon, lat)) < 1.5
    assert metres(point("17 north 630084 4833438"), (lon, lat)) < 1.5
    assert metres(point("17 N 630084mE 4833438mN"), (lon, lat)) < 1.5


@pytest.mark.parametrize(
    "text",
    [
        "1.2345, -75.678",
        "1.2345 -75.678",
        "1.2345;-75.678",
        "1,2345; -75,678",  # decimal commas, as typed in Spanish
        "1.2345N 75.678W",
        "1.2345 N, 75.678 W",
        "N1.2345 W75.678",
        "1.2345N 75.678O",  # O for oeste
        "75.678 oeste 1.2345 norte",  # letters decide the order
        "lat 1.2345 lon -75.678",
        "lon: -75.678 lat: 1.2345",
        "1°14'04.2\"N 75°40'40.8\"W",
        "1°14′04.2″N 75°40′40.8″W",  # primes
        "1º14'04.2''N 75º40'40.8''W",  # ordinal sign and two single quotes
        "1 14 4.2 N 75 40 40.8 W",
        "N 1 14 4.2 W 75 40 40.8",
        "1 14 4.2 -75 40 40.8",
        "1 14 4.2, 75 40 40.8 W",
        "1°14.07'N 75°40.68'W",
        "1 14.07 N 75 40.68 W",
        "1°14,07'N 75°40,68'O",
        "1.2345 −75.678",  # Unicode minus sign
    ],
)
def test_degrees_in_every_spelling(text):
    assert point(text) == pytest.approx((-75.678, 1.2345), abs=1e-9)


def test_dms_and_ddm_are_reported_as_such():
    assert parse_coordinate("1.2345, -75.678").format == "dd"
    assert parse_coordinate("1°14'04.2\"N 75°40'40.8\"W").format == "dms"
    assert parse_coordinate("1°14.07'N 75°40.68'W").format == "dms"
    assert parse_coordinate("18N 612345 136789").format == "utm"
    assert parse_coordinate("18NVL1234567890").format == "mgrs"


def test_southern_and_western_points():
    assert point("4°12'S 69°56'W") == pytest.approx((-(69 + 56 / 60), -4.2), abs=1e-9)  # Leticia
    assert point("-4.2 -69.9333") == pytest.approx((-69.9333, -4.2))
    assert point("33 52 S 151 12 30 E") == pytest.approx((151.208333333, -(33 + 52 / 60)))


def test_bare_numbers_are_latitude_first_unless_only_the_other_order_can_be():
    p = parse_coordinate("-75.678 1.2345")
    assert (p.lon, p.lat) == (1.2345, -75.678) and p.note == ""
    p = parse_coordinate("91 -75.678")
    assert (p.lon, p.lat) == (91, -75.678) and "91 cannot be a latitude" in p.note
    p = parse_coordinate("-175.5 12")
    assert (p.lon, p.lat) == (-175.5, 12) and "longitude, latitude" in p.note


def test_the_project_area_settles_the_order_of_bare_numbers():
    colombia = (-79.0, -4.3, -66.8, 13.5)
    p = parse_coordinate("-75.678 1.2345", area=colombia)
    assert (p.lon, p.lat) == (-75.678, 1.2345) and p.note
    p = parse_coordinate("1.2345 -75.678", area=colombia)
    assert (p.lon, p.lat) == (-75.678, 1.2345) and p.note == ""
    # letters are never overruled by the area
    p = parse_coordinate("75.678S 1.2345W", area=colombia)
    assert (p.lon, p.lat) == (-1.2345, -75.678)


def test_utm_forms_and_southern_bands():
    north = point("18N 612345 136789")
    assert point("18 N 612345E 136789N") == north
    assert point("18N 136789N 612345E") == north
    assert point("zona 18 N 612345 136789") == north
    assert point("18N 612345,0 136789,0") == north
    assert north == pytest.approx((-73.99020, 1.23738), abs=1e-5)
    # military maps give the latitude band: M is 0°–8°S, so the false northing applies
    south = point("18M 612345 9863210")
    assert south == pytest.approx((-73.99020, -1.23739), abs=1e-5)
    assert point("18 sur 612345 9863210") == south
    assert point("18 south 612345 9863210") == south
    assert point("19L 300000 8800000", "utm")[1] < -8  # band L: 16°S–8°S


def test_utm_n_as_hemisphere_gives_the_same_point_with_a_note():
    p = parse_coordinate("18N 612345 4500000")  # 40.6°N is band T, but N = northern hemisphere
    assert p.lat == pytest.approx(40.6, abs=0.1) and "northern hemisphere" in p.note


@pytest.mark.parametrize(
    ("text", "size"),
    [("18NVL16", 10_000), ("18NVL1267", 1000), ("18NVL123678", 100), ("18NVL12346789", 10)],
)
def test_mgrs_precisions(text, size):
    p = parse_coordinate(text)
    assert p.precision_m == size
    # the square's middle: the 1 m reference in its south-west corner is half a diagonal away
    digits = text[5:]
    half = len(digits) // 2
    south_west, _ = mgrs_square(18, "N", "VL", digits[:half], digits[half:])
    corner = from_utm(18, False, south_west.easting, south_west.northing)
    assert metres((p.lon, p.lat), corner) == pytest.approx(size * math.sqrt(2) / 2, rel=0.01)


def test_mgrs_with_spaces_and_lower_case():
    assert point("18n vl 12345 67890") == point("18NVL1234567890")
    assert point("18N VL 1234567890") == point("18NVL1234567890")


def test_the_examples_in_messages_are_one_point():
    ref = point(EXAMPLES["dd"])
    for fmt in ("dms", "utm", "mgrs"):
        assert metres(point(EXAMPLES[fmt], fmt), ref) < 5, fmt


# ---------------------------------------------------------------- writing and reading back


def random_points(n: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    pts = [(rng.uniform(-180, 180), rng.uniform(-80, 84)) for _ in range(n)]
    # band and zone edges, Norway and Svalbard exceptions, the equator, the antimeridian
    pts += [(-74.0, 0.0), (-74.0, -0.000001), (6.0, 60.0), (10.0, 78.0), (179.9999, -8.0)]
    pts += [(3.5, 56.0), (-72.0, 72.0), (-78.0, 4.0), (0.0, 84.0), (0.0, -80.0)]
    return pts


@pytest.mark.parametrize("lonlat", random_points(150, 18))
def test_every_form_reads_back_to_the_point(lonlat):
    lon, lat = lonlat
    forms = format_all(lon, lat)
    assert point(forms["dd"], "dd") == pytest.approx((lon, lat), abs=1e-6)
    assert metres(point(forms["dms"], "dms"), (lon, lat)) < 0.35  # 0.01″
    assert metres(point(forms["utm"], "utm"), (lon, lat)) < 1.5  # whole metres
    assert metres(point(forms["mgrs"], "mgrs"), (lon, lat)) < 1.5  # 1 m square, its middle
    for fmt in ("dd", "dms", "utm", "mgrs"):
        assert metres(point(forms[fmt]), (lon, lat)) < 1.5, fmt  # and Auto tells them apart


@pytest.mark.parametrize("digits", [1, 2, 3, 4])
def test_coarse_mgrs_reads_back_within_its_square(digits):
    size = 10 ** (5 - digits)
    for lon, lat in random_points(40, digits):
        back = point(format_mgrs(lon, lat, digits))
        assert metres(back, (lon, lat)) <= size * math.sqrt(2) / 2 * 1.01 + 1


def test_written_forms():
    lon, lat = -75.678, 1.2345
    assert format_dd(lon, lat) == "1.234500, -75.678000"
    assert format_dms(lon, lat) == "1°14'04.20\"N 75°40'40.80\"W"
    assert format_dms(-0.5, -0.99999999) == "1°00'00.00\"S 0°30'00.00\"W"  # 59.99…″ carries
    assert format_mgrs(lon, lat).replace(" ", "") == to_mgrs(lon, lat)
    assert format_mgrs(-74.076, 4.5981) == "18N XL 02493 08305"
    assert format_mgrs(-74.076, 4.5981, 2) == "18N XL 02 08"
    assert format_all(0.0, 86.0)["utm"] == "–"  # the polar grid is not covered


def test_zone_exceptions():
    assert zone_of(5.0, 60.0) == 32  # southwest Norway
    assert zone_of(5.0, 50.0) == 31
    assert zone_of(10.0, 78.0) == 33  # Svalbard
    assert zone_of(179.99, 0.0) == 60
    assert zone_of(180.0, 0.0) == zone_of(-180.0, 0.0) == 1  # the same meridian


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "fmt", "words", "example"),
    [
        ("", "auto", "Type a coordinate", "4.5981, -74.0760"),
        ("4", "auto", "both a latitude and a longitude", "4.5981"),
        ("4,74", "auto", "decimal mark", "4.5981"),
        ("1 2 3", "auto", "where the latitude ends", "4.5981"),
        ("1.5 200", "auto", "Longitude 200 is beyond 180", "4.5981"),
        ("95 100", "auto", "Latitude 95 is beyond 90", "4.5981"),
        ("91 N 74 W", "auto", "Latitude 91 is beyond 90", "°"),
        ("4 61 N 74 W", "auto", "Minutes must be under 60 (found 61)", "°"),
        ("4 30 60 N 74 W", "auto", "Seconds must be under 60 (found 60)", "°"),
        ("4.5 30 N 74 W", "dms", "last number of each may have decimals", "°"),
        ("-4 S 74 W", "auto", "minus sign or a hemisphere letter", "°"),
        ("4N 5S", "auto", "Both coordinates are latitudes", "°"),
        ("74E 5W", "auto", "Both coordinates are longitudes", "°"),
        ("4 kilometres 74", "auto", "has no place", "4.5981"),
        ("4°35'N 74°04'W", "dd", "choose “Degrees, minutes, seconds”", "4.5981"),
        ("18N 50000 136789", "auto", "Easting 50,000 is outside 100,000–900,000", "18N 602493"),
        ("18N 950000 136789", "utm", "Easting 950,000", "18N 602493"),
        ("18N 612345 12000000", "utm", "Northing 12,000,000 is outside", "18N 602493"),
        ("61N 612345 136789", "auto", "zones run from 1 to 60", "18N 602493"),
        ("18R 612345 136789", "auto", "outside band R", "18N 602493"),
        ("18M 612345 136789", "auto", "outside band M", "18N 602493"),
        ("18S 612345 9863210", "auto", "word “south”", "18N 602493"),
        ("18O 612345 136789", "auto", "not a latitude band", "18N 602493"),
        ("18A 612345 136789", "auto", "polar area", "18N 602493"),
        ("18N 612345E 136789E", "auto", "Mark one number E", "18N 602493"),
        ("hello", "utm", "zone and band letter", "18N 602493"),
        ("18NVL", "auto", "Add the easting and northing digits", "18NXL"),
        ("18NVL123", "auto", "2, 4, 6, 8 or 10 digits", "18NXL"),
        ("18N VL 123 4567", "auto", "same number of digits (3 and 4", "18NXL"),
        ("18NAL1234", "auto", "no square column A", "18NXL"),
        ("18NVV1234", "auto", "does not lie in band N", "18NXL"),
        ("18NVZ1234", "mgrs", "not a square row letter", "18NXL"),
        ("18IVL1234", "mgrs", "not a latitude band", "18NXL"),
        ("4.5 -74", "mgrs", "zone, band, square letters", "18NXL"),
    ],
)
def test_bad_entries_say_what_is_wrong_with_an_example(text, fmt, words, example):
    with pytest.raises(CoordinateError) as caught:
        parse_coordinate(text, fmt)
    message = str(caught.value)
    assert words in message
    assert "Example: " in message and example in message.split("Example: ")[1]


def test_a_band_letter_against_the_northing_is_never_taken_as_the_hemisphere():
    # 'S' is band S (32°N–40°N) on military maps, not "south": a southern northing is refused
    with pytest.raises(CoordinateError, match="outside band S"):
        parse_coordinate("18S 612345 9863210")
    lon, lat = point("18S 612345 4000000")
    assert 32 <= lat <= 40


def test_distance_outside_the_project_area():
    area = (-79.0, -4.3, -66.8, 13.5)
    assert distance_outside(-74.0, 4.6, area) == 0.0
    assert outside_area_warning(-74.0, 4.6, area) == ""
    west = distance_outside(-80.0, 4.6, area)
    assert west == pytest.approx(metres((-80.0, 4.6), (-79.0, 4.6)), rel=1e-9)
    assert 110_000 < west < 112_000
    assert (
        outside_area_warning(-80.0, 4.6, area)
        == "The point is 111.0 km west of the project's area."
    )
    assert "north-east" in outside_area_warning(-60.0, 14.0, area)
    assert outside_area_warning(-74.0, 13.5001, area).endswith("m north of the project's area.")
    assert outside_area_warning(-80.0, 4.6, None) == ""


def test_numbers_in_messages_follow_the_language():
    from layers.i18n import current_language, set_language

    before = current_language()
    set_language("es")
    try:
        with pytest.raises(CoordinateError) as caught:
            parse_coordinate("18S 612345 9863210")
        assert "9.863.210" in str(caught.value) and "88,4°N" in str(caught.value)
        # what is written for copying into a GPS keeps the decimal point
        assert format_dd(-74.076, 4.5981) == "4.598100, -74.076000"
    finally:
        set_language(before)
