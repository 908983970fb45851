"""Read and write CSV files the way French spreadsheet users exchange them.

Export: UTF-8 with a byte order mark, ``;`` as delimiter and CRLF line ends, so
that a double click opens the file in French Excel with accents intact; cells
that a spreadsheet would evaluate as a formula are neutralised (OWASP « CSV
injection »). Import: UTF-8 with or without BOM, UTF-16 (Excel « Texte
Unicode ») or Windows-1252 (French Excel « CSV (séparateur : point-virgule) »),
delimiter sniffed among ``,`` ``;`` and tab.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from coworking.errors import ServiceError

__all__ = [
    "CSV_MIMETYPE",
    "CsvFormatError",
    "decode_text",
    "detect_encoding",
    "escape_formula",
    "fold_text",
    "format_cell",
    "iter_csv",
    "iter_records",
    "normalize_label",
    "sniff_dialect",
    "unescape_formula",
    "write_csv",
]

CSV_MIMETYPE = "text/csv; charset=utf-8"

EXPORT_DELIMITER = ";"
BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (";", ",", "\t")

# Leading bytes of files people upload by mistake instead of a CSV export.
_BINARY_SIGNATURES: tuple[tuple[bytes, Any], ...] = (
    (
        b"PK\x03\x04",
        _l("un classeur Excel (.xlsx), un document OpenDocument ou une archive ZIP"),
    ),
    (b"\xd0\xcf\x11\xe0", _l("un ancien classeur Excel (.xls) ou un document Office")),
    (b"%PDF", _l("un document PDF")),
    (b"\x89PNG", _l("une image PNG")),
    (b"\xff\xd8\xff", _l("une image JPEG")),
    (b"GIF8", _l("une image GIF")),
)
_SNIFF_SAMPLE_CHARS = 64 * 1024
_SNIFF_SAMPLE_ROWS = 50


class CsvFormatError(ServiceError):
    """A file that cannot be read as CSV, on the form's ``file`` field.

    ``reason`` may be a lazy translation; ``message`` is it in the language of the moment.
    """

    def __init__(self, reason: Any, line: int | None = None) -> None:
        super().__init__(reason, "file")
        self.reason = reason
        self.line = line


# --------------------------------------------------------------------- export


def escape_formula(text: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula`` so an exported file can be imported back."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def format_cell(value: object) -> str:
    """Turn a Python value into the text of one exported cell.

    Dates are written ISO ``YYYY-MM-DD`` (French Excel recognises them as dates
    and they cannot be misread as month/day); datetimes as ``YYYY-MM-DD HH:MM``
    in whatever time zone the caller converted them to. Decimals use a comma,
    as French Excel expects. Only text is escaped against formulas: numbers we
    format ourselves (``-3``) are safe and must stay numbers.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    return escape_formula(str(value))


def iter_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> Iterator[str]:
    """Yield an export line by line (BOM first), ready for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")

    def line(cells: Iterable[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(escape_formula(str(name)) for name in header)
    for row in rows:
        yield line(format_cell(value) for value in row)


def write_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> bytes:
    """Return a whole export as bytes (UTF-8 with BOM, ``;``, CRLF)."""
    return "".join(iter_csv(rows, header)).encode("utf-8")


# --------------------------------------------------------------------- import


def detect_encoding(data: bytes) -> str:
    """Name the encoding of an uploaded text file, refusing binary files."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise CsvFormatError(
                _l(
                    "Ce fichier est %(kind)s, pas un fichier CSV. Dans votre tableur, utilisez "
                    "« Enregistrer sous » puis le format « CSV (séparateur : point-virgule) ».",
                    kind=kind,
                )
            )
    if b"\x00" in data:
        raise CsvFormatError(
            _l(
                "Ce fichier contient des données binaires : ce n'est pas un fichier CSV. Dans "
                "votre tableur, utilisez « Enregistrer sous » puis le format "
                "« CSV (séparateur : point-virgule) »."
            )
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_text(data: bytes) -> str:
    """Decode an uploaded CSV file: UTF-8 (BOM or not), UTF-16, else Windows-1252."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            _l(
                "Encodage du fichier non reconnu (ni UTF-8 ni Windows-1252). "
                "Enregistrez-le en « CSV UTF-8 »."
            )
        ) from exc
    if "\x00" in text:
        raise CsvFormatError(
            _l("Ce fichier contient des données binaires : ce n'est pas un fichier CSV.")
        )
    return text.removeprefix(BOM)


def _make_dialect(delimiter: str) -> csv.Dialect:
    """Build a dialect object for ``delimiter`` with standard double quotes."""
    attributes = {
        "delimiter": delimiter,
        "quotechar": '"',
        "doublequote": True,
        "skipinitialspace": False,
        "lineterminator": "\r\n",
        "quoting": csv.QUOTE_MINIMAL,
    }
    dialect_class = type("SniffedDialect", (csv.Dialect,), attributes)
    return dialect_class()


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    """Parse the first rows of ``text`` with ``delimiter``, skipping empty lines."""
    truncated = len(text) > _SNIFF_SAMPLE_CHARS
    reader = csv.reader(io.StringIO(text[:_SNIFF_SAMPLE_CHARS], newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    # A sample cut mid-quote raises csv.Error: the rows read so far are what we sniff from.
    with contextlib.suppress(csv.Error):
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) > _SNIFF_SAMPLE_ROWS:
                break
    if truncated and len(rows) > 1:
        rows.pop()  # probably cut in the middle
    return rows


def sniff_dialect(text: str) -> csv.Dialect:
    """Guess the delimiter among ``;`` ``,`` and tab from the first rows.

    The header row decides: the delimiter that splits it into the most columns
    while the following rows keep that width wins (``csv.Sniffer`` is easily
    fooled by commas inside French addresses and notes). Ties go to ``;``.
    """
    best: tuple[bool, float, int] | None = None
    chosen = DELIMITERS[0]
    for delimiter in DELIMITERS:
        rows = _sample_rows(text, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        same_width = sum(1 for row in rows if len(row) == width) / len(rows)
        score = (width > 1, same_width, width)
        if best is None or score > best:
            best, chosen = score, delimiter
    return _make_dialect(chosen)


def iter_records(text: str, dialect: csv.Dialect | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cells)`` for every record, blank ones included.

    Row numbers count records from 1 (the header) like a spreadsheet's row
    headers, so a note spanning several physical lines still counts as one row.
    """
    if dialect is None:
        dialect = sniff_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFormatError(
                _l(
                    "Ligne %(line)s illisible : valeur trop longue ou guillemets mal fermés.",
                    line=number + 1,
                ),
                line=number + 1,
            ) from exc
        number += 1
        yield number, row


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_text(text: str) -> str:
    """Lowercase ``text``, drop accents, and turn punctuation runs into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    without_accents = without_accents.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _NON_ALNUM.sub(" ", without_accents).strip()


def normalize_label(text: str) -> str:
    """Reduce a column title to lowercase ASCII letters and digits for matching.

    ``"Date d'adhésion *"``, ``"DATE D ADHESION"`` and ``"date-d-adhésion"`` all
    become ``"datedadhesion"``.
    """
    return fold_text(text).replace(" ", "")
