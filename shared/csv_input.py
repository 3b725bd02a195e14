"""The one way the platform reads an uploaded CSV: bytes to text, text to rows.

Spreadsheets save CSV in whatever their system uses: Windows-1252 from Excel on an
English Windows, UTF-16 with a byte order mark from "Unicode text", UTF-8 with or without
a BOM from LibreOffice and Google Sheets; a comma, a semicolon (locales whose decimal
separator is a comma) or a tab between fields. ``decode_upload`` honours a declared charset,
then a byte order mark, then strict UTF-8, and only then lets ``charset-normalizer`` detect
the encoding; it never substitutes U+FFFD for a byte it cannot read, it says so.
``read_table`` finds the delimiter from the header line (the one whose fields are most
often known column names). The companion for writing is ``shared.csv_output``.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import Collection

from charset_normalizer import from_bytes

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
MAX_LINES_NAMED = 10
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Named when charset-normalizer finds it gives the same text as its pick (for which it
# names one of several codecs): what Excel on an English Windows writes.
WINDOWS_DEFAULT = "cp1252"
# Python codecs that are no charset a file is saved in (transforms and internal forms).
NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"})
_SAVE_AS = "Save it as CSV UTF-8, or send its charset in the Content-Type (e.g. text/csv; charset=windows-1252)."


class UnreadableCsv(ValueError):
    """The upload cannot be read as CSV text; the message says why and what to do."""


@dataclass(frozen=True)
class DecodedCsv:
    """An upload's text and how it was read: ``encoding`` is a Python codec name and ``how``
    one of ``declared``, ``byte order mark``, ``UTF-8`` or ``detected``."""

    text: str
    encoding: str
    how: str

    def describe(self) -> str:
        """E.g. ``read as windows-1252 (declared)``, for messages about the file."""
        return f"read as {self.encoding} ({self.how})"


def decode_upload(data: bytes, declared_charset: str | None = None) -> DecodedCsv:
    """The text of an uploaded CSV file. ``declared_charset`` is the ``charset`` parameter
    of the request's Content-Type, if any. Raises UnreadableCsv naming the encoding and the
    first byte that does not fit, an unknown charset, an undetectable encoding, or text
    holding U+FFFD or NUL (damaged by an earlier conversion, or UTF-16 read as 8-bit)."""
    if declared_charset:
        try:
            encoding = codecs.lookup(declared_charset.strip()).name
        except (LookupError, ValueError):
            encoding = None
        if encoding is None or encoding in NOT_CHARSETS:
            raise UnreadableCsv(f"The declared charset {declared_charset[:40]!r} is not one we know. {_SAVE_AS}")
        return _checked(_decode(data, "utf-8-sig" if encoding == "utf-8" else encoding, "declared", declared_charset.strip()))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_decode(data, encoding, "byte order mark"))
    try:
        return _checked(DecodedCsv(data.decode("utf-8"), "utf-8", "UTF-8"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableCsv(f"The file's encoding cannot be told from its bytes. {_SAVE_AS}")
    same_text = best.could_be_from_charset
    return _checked(_decode(data, WINDOWS_DEFAULT if WINDOWS_DEFAULT in same_text else best.encoding, "detected"))


def _decode(data: bytes, encoding: str, how: str, name: str | None = None) -> DecodedCsv:
    try:
        return DecodedCsv(data.decode(encoding), name or encoding, how)
    except LookupError:
        raise UnreadableCsv(f"{name or encoding} is not a charset. {_SAVE_AS}") from None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableCsv(
            f"The file is not {name or encoding} ({how}): byte 0x{data[exc.start]:02x} on line {line} does not fit. {_SAVE_AS}"
        ) from None


def _checked(decoded: DecodedCsv) -> DecodedCsv:
    for char, what in (("\ufffd", "a replacement character (U+FFFD): it was damaged by an earlier conversion"),
                       ("\x00", "NUL characters: it looks like UTF-16 without its byte order mark")):
        position = decoded.text.find(char)
        if position >= 0:
            line = decoded.text.count("\n", 0, position) + 1
            raise UnreadableCsv(f"The file, {decoded.describe()}, holds {what} (line {line}). {_SAVE_AS}")
    return decoded


def sniff_delimiter(header_line: str, known_columns: Collection[str]) -> str:
    """The delimiter (one of ``DELIMITERS``) that splits ``header_line`` into the most known
    column names; a comma when none finds any."""
    def known(delimiter: str) -> int:
        fields = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(1 for name in fields if name.strip() in known_columns)

    return max(DELIMITERS, key=lambda d: (known(d), d == ","))


def read_table(text: str, known_columns: Collection[str]) -> tuple[list[str], list[dict[str, str]], str]:
    """``(columns, rows, delimiter)`` of CSV ``text``: the header's column names (stripped),
    each row as ``{column: cell}`` with cells stripped (columns without a name dropped), and
    the delimiter found by ``sniff_delimiter``. A row whose cells are all empty (``,,,,`` as
    spreadsheets save a blank row) is left out, as a blank line is. Raises UnreadableCsv if
    the csv module cannot parse it (e.g. a quote left open), if a column name is given twice
    (one column's cells would silently win), or if a row has a non-empty cell past the
    header's columns (a value holding the delimiter, unquoted, shifts every cell after it),
    naming the lines (at most ``MAX_LINES_NAMED``)."""
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text.split("\n", 1)[0].rstrip("\r"), known_columns)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, overflowing = [], []
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
        twice = sorted({c for c in columns if c and columns.count(c) > 1})
        if twice:
            raise UnreadableCsv(f"The header names {', '.join(twice)} more than once: give each column once.")
        for raw in reader:
            if any((v or "").strip() for v in raw.get(None) or []):
                overflowing.append(reader.line_num)
                continue
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if isinstance(k, str) and k.strip()}
            if any(row.values()):
                rows.append(row)
    except csv.Error as exc:
        raise UnreadableCsv(f"Line {reader.line_num} cannot be read as CSV separated by {DELIMITERS[delimiter]}: {exc}.") from None
    if overflowing:
        lines = ", ".join(str(n) for n in overflowing[:MAX_LINES_NAMED]) + (" and more" if len(overflowing) > MAX_LINES_NAMED else "")
        raise UnreadableCsv(f"Line(s) {lines} hold more cells than the header's {len(columns)} columns: put a value that holds "
                            f"{DELIMITERS[delimiter]} in double quotes.")
    return columns, rows, delimiter
