"""The text encoding of DBF and CSV files: declared (.cpg, or given), else guessed from a
sample, with fallbacks when text further on disagrees with the guess."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from layers.i18n import tr
from layers.report import LoadReport
from layers.vector_io import sibling

# How much of a DBF/CSV is read to decide its text encoding.
ENCODING_SAMPLE_BYTES = 8 * 1024**2
T = TypeVar("T")  # what the reading function returns: a table or a layer


def text_encoding(path: Path, options: dict, report: LoadReport) -> str:
    if options.get("encoding"):
        return codecs.lookup(options["encoding"]).name
    cpg = sibling(path, ".cpg")
    if cpg is not None:
        declared = codepage(cpg.read_text("ascii", "ignore"))
        if declared:
            return declared
    with open(path, "rb") as fh:
        sample = fh.read(ENCODING_SAMPLE_BYTES)
    guess = guess_encoding(sample)
    if not guess.startswith("utf-8"):
        report.warn(tr("The text is not UTF-8; it was read as {enc}.").format(enc=guess))
    return guess


def codepage(text: str) -> str | None:
    """A .cpg's content as a Python codec name ('1252', 'ANSI 1252', 'UTF-8', '88591')."""
    text = text.strip().upper().replace("ANSI", "").strip()
    if not text:
        return None
    if text.isdigit():
        text = {"88591": "latin-1", "65001": "utf-8"}.get(text, f"cp{text}")
    if text.startswith("8859"):
        text = "iso-" + text
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def guess_encoding(sample: bytes) -> str:
    """UTF-8 if the bytes decode as such, else Windows-1252 (Latin-1 for its 5 holes)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _is_decoding_error(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, UnicodeError) or "Wrapping" in text or "codec" in text


def decode_with_fallbacks(
    read: Callable[[str], T], first: str, report: LoadReport, forced: bool
) -> T:
    """Declared or guessed encoding, then UTF-8, then cp1252, then Latin-1 (never fails).

    The guess looks at a sample only; text further on can still disagree with it.
    """
    chain = [first]
    if not forced:
        chain += [e for e in ("utf-8", "cp1252", "latin-1") if e != codecs.lookup(first).name]
    for i, encoding in enumerate(chain):
        try:
            result = read(encoding)
        except Exception as exc:
            if not _is_decoding_error(exc) or i == len(chain) - 1:
                raise
            continue
        if encoding != first:
            report.warn(
                tr("The text is not valid {first}; it was read as {enc}.").format(
                    first=first, enc=encoding
                )
            )
        report.encoding = encoding
        return result
    raise AssertionError("unreachable: the last encoding re-raises")
