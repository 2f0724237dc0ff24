"""The gettext catalogues (layers/locale, docs/translations.md): complete, faithful to the
placeholders, compiled, and used by the command line.

The strings are extracted here from the code with the same babel.cfg and keywords as
`make translations`, so a tr() added without running it fails the completeness test.
"""

from __future__ import annotations

import io
import os
import re
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "layers" / "locale"
SPANISH_PO = LOCALE / "es" / "LC_MESSAGES" / "harm_atlas.po"
SPANISH_MO = SPANISH_PO.with_suffix(".mo")
KEYWORDS = {"tr": None, "tr_noop": None, "trn": (1, 2)}
# Translated here and checked strictly; cartography/ and desktop/ come from a partial catalogue
# (parts/cartography_desktop.po) another translator is writing.
STRICT = ("layers", "analysis", "core", "main.py", "sample_maps")
PENDING = ("cartography", "desktop")

sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))  # babel.cfg names tools.babel_extract
from merge_catalogue_parts import MergeReport, merge_into, part_marker  # noqa: E402


def _package(filename: str) -> str:
    return filename.replace(os.sep, "/").split("/")[0]


def extracted() -> dict[str | tuple[str, str], set[str]]:
    """Every tr()/trn() msgid in the code, with the packages using it."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str | tuple[str, str], set[str]] = {}
    for filename, _line, msgid, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(msgid, set()).add(_package(filename))
    return found


def spanish() -> Catalog:
    with SPANISH_PO.open("rb") as f:
        return read_po(f)


def _untranslated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return True
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(s.strip() for s in strings)


def missing_per_package(
    packages: tuple[str, ...], covered_by: Catalog | None = None
) -> Counter[str]:
    """How many msgids each package uses without a Spanish translation (a msgid shared with a
    strict package counts there); with `covered_by`, only those that catalogue translates."""
    catalogue = spanish()
    missing: Counter[str] = Counter()
    for msgid, used_in in extracted().items():
        owner = next((p for p in STRICT if p in used_in), sorted(used_in)[0])
        if owner not in packages or not _untranslated(catalogue.get(msgid)):
            continue
        if covered_by is None or not _untranslated(covered_by.get(msgid)):
            missing[owner] += 1
    return missing


def test_every_analysis_method_notes_are_extracted_and_in_spanish() -> None:
    """`analyze ID --help` translates each analysis module's docstring whole (method_notes)."""
    from analysis.command import method_notes
    from core.registry import analyses

    found, catalogue = extracted(), spanish()
    for algorithm_id, algorithm in analyses().items():
        notes = method_notes(algorithm)
        assert notes in found, f"{algorithm_id}: method notes not extracted (babel.cfg)"
        assert not _untranslated(catalogue.get(notes)), f"{algorithm_id}: no Spanish notes"


def test_the_catalogue_is_spanish_with_two_plural_forms() -> None:
    catalogue = spanish()
    assert str(catalogue.locale) == "es"
    assert catalogue.num_plurals == 2 and catalogue.plural_expr.replace(" ", "") == "(n!=1)"


def test_every_string_of_layers_analysis_core_and_main_has_spanish() -> None:
    missing = missing_per_package(STRICT)
    assert not missing, f"msgids without a Spanish msgstr (empty, fuzzy or absent): {missing}"


def test_every_string_of_cartography_and_desktop_has_spanish() -> None:
    """Strict for what the partial catalogue translates (it must have been merged); the rest
    is an expected failure, counted per package, until that catalogue covers it."""
    part_path = LOCALE / "es/LC_MESSAGES/parts/cartography_desktop.po"
    part = Catalog(locale="es")
    if part_path.exists():
        with part_path.open("rb") as f:
            part = read_po(f)
    not_merged = missing_per_package(PENDING, covered_by=part)
    assert not not_merged, f"translated in {part_path.name} but not merged: {not_merged}"
    missing = missing_per_package(PENDING)
    if missing:
        pytest.xfail(f"not translated yet, per package: {dict(missing)}")


# No space flag: '% de la población' is prose, not a placeholder.
_PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0+]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")


def placeholders(text: str, percent: bool) -> Counter[str]:
    """'{n}', '{e!r}', '{v:.1f}' (and '%s', '%(x)d' when the msgid is python-format)."""
    found: Counter[str] = Counter()
    try:
        for _literal, name, spec, conversion in string.Formatter().parse(text):
            if name is not None:
                found["{" + name + (f"!{conversion}" if conversion else "") + ":" + spec + "}"] += 1
    except ValueError:
        found["<unbalanced braces>"] += 1
    if percent:
        found.update(m for m in _PERCENT.findall(text) if m != "%%")
    return found


def placeholder_mismatches(catalogue: Catalog) -> list[str]:
    bad = []
    for message in catalogue:
        if not message.id or _untranslated(message):
            continue
        percent = "python-format" in message.flags
        if isinstance(message.id, tuple | list):
            pairs = list(zip(message.id, message.string, strict=False))
            pairs += [(message.id[1], s) for s in message.string[2:]]
        else:
            pairs = [(message.id, message.string)]
        for source, target in pairs:
            if placeholders(source, percent) != placeholders(target, percent):
                bad.append(f"{source[:60]!r} -> {target[:60]!r}")
    return bad


def test_every_placeholder_of_a_msgid_is_in_its_translation() -> None:
    bad = placeholder_mismatches(spanish())
    assert not bad, f"{len(bad)} translations change the placeholders:\n" + "\n".join(bad[:30])


def test_the_placeholder_check_catches_a_dropped_or_renamed_field() -> None:
    catalogue = Catalog(locale="es")
    catalogue.add("{n} rows in {name!r}", "{n} filas en {name}")
    catalogue.add(("{n} event", "{n} events"), ("un evento", "{count} eventos"))
    catalogue.add("%s of %d", "%s de %d", flags=["python-format"])
    catalogue.add("3 % of {p}", "3 % de {p}")
    assert len(placeholder_mismatches(catalogue)) == 3


def test_the_compiled_catalogue_is_the_po_compiled_now() -> None:
    """The .mo is committed (a fresh clone runs with no build step): it must match its .po."""
    fresh = io.BytesIO()
    write_mo(fresh, spanish())
    assert SPANISH_MO.exists(), "run `make translations`"
    assert SPANISH_MO.read_bytes() == fresh.getvalue(), "the .mo is stale: run `make translations`"


def test_the_wheel_ships_the_compiled_catalogues() -> None:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["layers"]
    assert any((ROOT / "layers").glob(p) for p in patterns if p.endswith(".mo"))


def test_tr_and_trn_read_the_spanish_catalogue() -> None:
    from layers import i18n

    catalogue = spanish()
    single = next(m for m in catalogue if m.id and isinstance(m.id, str) and m.string)
    plural = next((m for m in catalogue if isinstance(m.id, tuple) and all(m.string)), None)
    i18n.set_language("es_CO")  # the region falls back to the language's catalogue
    try:
        assert i18n.tr(single.id) == single.string
        if plural is not None:
            assert i18n.trn(plural.id[0], plural.id[1], 1) == plural.string[0]
            assert i18n.trn(plural.id[0], plural.id[1], 5) == plural.string[1]
    finally:
        i18n.set_language("en")
    assert i18n.tr(single.id) == single.id
    assert "es" in i18n.available_languages() and i18n.available_languages()[0] == "en"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "es_CO.UTF-8"}, "es_CO"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "es_PE.utf8"}, "es_PE"),
        ({"LANGUAGE": "es_MX:es", "LANG": "en_US.UTF-8"}, "es_MX"),
        ({"LC_MESSAGES": "pt_BR.UTF-8@latin", "LANG": "POSIX"}, "pt_BR"),
    ],
)
def test_the_system_language_is_read_as_gettext_does(environ, expected) -> None:
    from layers.i18n import language_from_environment

    assert language_from_environment(environ) == expected


def _help(args: list[str], lang: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env["LANG"] = lang
    done = subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return " ".join(done.stdout.split())


def _spanish_of(msgid: str) -> str:
    message = spanish().get(msgid)
    assert message is not None and message.string, f"no Spanish for {msgid!r}"
    return " ".join(message.string.split())


@pytest.mark.e2e
def test_analyze_help_follows_lang_and_the_lang_option() -> None:
    from core import cli_analyze

    english_help = " ".join(cli_analyze.HELP.split())
    spanish_help = _spanish_of(cli_analyze.HELP)
    lang_help = "Language of messages, help and exports (default: the system's, LANG)."
    assert spanish_help != english_help

    by_environment = _help(["analyze", "--help"], "es_CO.UTF-8")
    assert spanish_help in by_environment and _spanish_of(lang_help) in by_environment
    assert english_help not in by_environment
    # argparse's own words follow too (main points argparse's `_` at tr).
    assert by_environment.startswith("uso: ") and "muestra este mensaje de ayuda" in by_environment

    by_option = _help(["analyze", "--help", "--lang", "es"], "C.UTF-8")
    assert spanish_help in by_option

    in_english = _help(["--lang", "en", "analyze", "--help"], "es_CO.UTF-8")
    assert english_help in in_english and spanish_help not in in_english
    assert in_english.startswith("usage: ")


def test_merge_fills_only_what_the_catalogue_lacks() -> None:
    catalogue = Catalog(locale="es")
    catalogue.add("Hectares", "")
    catalogue.add("Arrests", "Capturas")
    catalogue.add("Seizures", "Decomisos?", flags=["fuzzy"])
    catalogue.add(("{n} event", "{n} events"), ("", ""))
    part = Catalog(locale="es")
    part.add("Hectares", "Hectáreas")
    part.add("Arrests", "Arrestos")
    part.add("Seizures", "Incautaciones")
    part.add(("{n} event", "{n} events"), ("{n} evento", "{n} eventos"))
    part.add("Legend", "Leyenda guess", flags=["fuzzy"])
    part.add("Gone from the code", "Ya no está")
    report = MergeReport()
    merge_into(catalogue, part, report, "maps.po")
    assert catalogue.get("Hectares").string == "Hectáreas"
    assert catalogue.get("Arrests").string == "Capturas"  # the catalogue's translation wins
    seizures = catalogue.get("Seizures")
    assert seizures.string == "Incautaciones" and not seizures.fuzzy
    assert catalogue.get("{n} event").string == ("{n} evento", "{n} eventos")
    assert catalogue.get("Legend") is None and catalogue.get("Gone from the code") is None
    assert (report.filled, report.kept, report.stale) == (3, 1, ["Gone from the code"])
    assert part_marker("maps.po") in catalogue.get("Hectares").user_comments

    # A later wording in the same part replaces what that part gave, not the catalogue's own.
    revised = Catalog(locale="es")
    revised.add("Hectares", "Hectáreas (ha)")
    revised.add("Arrests", "Detenciones")
    again = MergeReport()
    merge_into(catalogue, revised, again, "maps.po")
    assert catalogue.get("Hectares").string == "Hectáreas (ha)"
    assert catalogue.get("Arrests").string == "Capturas"
    assert (again.filled, again.revised, again.kept) == (0, 1, 1)
    other = MergeReport()
    merge_into(catalogue, revised, other, "desktop.po")  # another part never overrides
    assert catalogue.get("Hectares").string == "Hectáreas (ha)" and other.revised == 0
