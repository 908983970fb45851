"""Read a members spreadsheet (CSV) into validated rows, all or nothing.

The file is whatever a space already keeps: a French Excel export in
Windows-1252 with ``;``, a UTF-8 Google Sheets export with ``,``, a tab file;
column titles in French or English. Every problem is collected and reported
with its spreadsheet row and column, so the manager fixes the file once.

Column titles are ``csv_columns``'s, cell readers ``csv_values``'s; this module reads the
rows and the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it

from coworking.csvio import (
    CsvFormatError,
    decode_text,
    detect_encoding,
    iter_records,
    sniff_dialect,
)
from coworking.errors import ServiceError
from coworking.i18n import lazy_date, lazy_number
from coworking.members.choices import guess_profession_category
from coworking.members.csv_columns import (
    field_for_title,
)
from coworking.members.csv_values import (
    MAX_LENGTHS,
    PARSERS,
    InvalidValue,
    clean,
    looks_like_date,
    parse_email,
    split_full_name,
    too_long,
)

__all__ = [
    "MAX_LISTED_ERRORS",
    "MemberCsvError",
    "MemberRow",
    "ParsedMembers",
    "RowError",
    "parse_members_csv",
]

# A refused file lists this many problems, then says how many more there are.
MAX_LISTED_ERRORS = 100

_NAME_FIELDS = ("first_name", "last_name", "full_name")


# --------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file, for the user.

    ``line`` is the spreadsheet row (the header is row 1), ``field`` the member
    attribute, ``column`` the column title as written in the file; ``reason`` may be a
    lazy translation, and ``message`` and ``str()`` render it in the language of the moment.
    """

    line: int | None
    field: str | None
    reason: Any
    column: str | None = None

    @property
    def message(self) -> str:
        """Return what is wrong, in the current language."""
        return str(self.reason)

    def __str__(self) -> str:
        """Render the error as one sentence with its location, in the current language."""
        where = []
        if self.line is not None:
            where.append(_("ligne %(line)s", line=self.line))
        if self.column:
            where.append(_("colonne « %(column)s »", column=self.column))
        if not where:
            return self.message
        location = ", ".join(where)
        return _(
            "%(part)s : %(reason)s", part=location[0].upper() + location[1:], reason=self.message
        )


class MemberCsvError(ServiceError):
    """The file cannot be imported: ``errors`` lists the first problems, ``total`` counts all.

    A file of 50,000 bad rows has hundreds of thousands of problems: keeping them all
    took hundreds of megabytes and made a page of 60 MB, where the first ones suffice.
    The message, one problem a line, is rendered in the language of the moment it is read.
    """

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        self.errors = list(errors)
        self.total = max(total or 0, len(self.errors))
        super().__init__(LazyString(self._full_message), "file")

    @property
    def unlisted(self) -> int:
        """Return how many problems were counted but not kept."""
        return self.total - len(self.errors)

    def _full_message(self) -> str:
        """Return the problems kept, one a line, then how many more there are."""
        lines = [str(error) for error in self.errors]
        if self.unlisted:
            more = ngettext(
                "… et %(count)s autre erreur.",
                "… et %(count)s autres erreurs.",
                self.unlisted,
                count=lazy_number(self.unlisted),
            )
            lines.append(str(more))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRow:
    """One valid member read from the file, its fields normalised."""

    line: int
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    profession_text: str | None = None
    profession_category: str | None = None
    organisation: str | None = None
    age_bracket: str | None = None
    postcode: str | None = None
    city: str | None = None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    twitter: str | None = None
    mastodon: str | None = None
    linkedin: str | None = None
    heard_from: str | None = None
    consent_data: bool | None = None
    consent_photos: bool | None = None
    consent_newsletter: bool | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedMembers:
    """The valid rows of an imported file and what was learnt reading it."""

    rows: list[MemberRow]
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str = ";"


# ------------------------------------------------------------------ the parser


@dataclass(slots=True)
class _Layout:
    """Which columns of the file feed which field."""

    header: list[str]
    columns: dict[str, list[int]]
    ignored: list[str]
    untitled: list[int]

    def title(self, field_name: str) -> str | None:
        """Return the title of the first column feeding ``field_name``."""
        indexes = self.columns.get(field_name)
        return self.header[indexes[0]].strip() if indexes else None


def _column_letter(index: int) -> str:
    """Name a zero-based column index as a spreadsheet does (A, B, …, AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _layout(header: list[str]) -> _Layout:
    """Match the header's titles to member fields."""
    columns: dict[str, list[int]] = {}
    ignored: list[str] = []
    untitled: list[int] = []
    for index, title in enumerate(header):
        field_name = field_for_title(title) if title.strip() else None
        if field_name is not None:
            columns.setdefault(field_name, []).append(index)
        elif title.strip():
            ignored.append(title.strip())
        else:
            untitled.append(index)
    if "full_name" in columns:
        if "first_name" in columns and "last_name" not in columns:
            columns["last_name"] = columns.pop("full_name")  # "First name" + "Name"
        elif "first_name" in columns or "last_name" in columns:
            ignored.extend(header[index].strip() for index in columns.pop("full_name"))
    return _Layout(header, columns, ignored, untitled)


def _looks_like_data(cells: list[str]) -> bool:
    """Tell whether a first row holds member data rather than titles."""
    for cell in cells:
        value = cell.strip()
        if "@" in value and "." in value.split("@")[-1]:
            return True
        if looks_like_date(value):
            return True
    return False


def _file_error(reason: Any, line: int | None = None) -> MemberCsvError:
    """Wrap a whole-file problem as an import error."""
    return MemberCsvError([RowError(line, None, reason)])


def _parse_row(
    line: int, cells: list[str], layout: _Layout
) -> tuple[MemberRow | None, list[RowError]]:
    """Validate one data row into a member, or say everything wrong with it."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    width = len(layout.header)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        errors.append(
            RowError(
                line,
                None,
                _l(
                    "Cette ligne a %(values)s valeurs pour %(columns)s colonnes : une "
                    "valeur contient-elle le séparateur sans guillemets ?",
                    values=len(cells),
                    columns=width,
                ),
            )
        )
    for field_name, indexes in layout.columns.items():
        multiline = field_name == "notes"
        raw = next(
            (
                clean(cells[index], multiline=multiline)
                for index in indexes
                if index < len(cells) and cells[index].strip()
            ),
            "",
        )
        if not raw:
            continue
        if field_name == "full_name":
            values["first_name"], values["last_name"] = split_full_name(raw)
            continue
        try:
            values[field_name] = PARSERS[field_name](raw)
        except InvalidValue as exc:
            errors.append(RowError(line, field_name, exc.reason, layout.title(field_name)))
    errors.extend(_check_row(line, values, layout))
    if errors:
        return None, errors
    if values.get("profession_text") and "profession_category" not in values:
        values["profession_category"] = guess_profession_category(str(values["profession_text"]))
    return MemberRow(line=line, **values), []


def _check_row(line: int, values: dict[str, object], layout: _Layout) -> list[RowError]:
    """Apply the rules that involve several fields of one row."""
    errors: list[RowError] = []
    if not values.get("first_name") and not values.get("last_name"):
        column = layout.title("last_name") or layout.title("full_name")
        errors.append(RowError(line, "last_name", _l("Nom et prénom manquants."), column))
    for name_field in ("first_name", "last_name"):
        name = values.get(name_field)
        if isinstance(name, str) and len(name) > MAX_LENGTHS[name_field]:
            errors.append(
                RowError(
                    line,
                    name_field,
                    too_long(len(name), MAX_LENGTHS[name_field]),
                    layout.title(name_field) or layout.title("full_name"),
                )
            )
    joined_on, left_on = values.get("joined_on"), values.get("left_on")
    if isinstance(joined_on, dt.date) and isinstance(left_on, dt.date) and left_on < joined_on:
        errors.append(
            RowError(
                line,
                "left_on",
                _l(
                    "La date de départ (%(left)s) précède la date d'adhésion (%(joined)s).",
                    left=lazy_date(left_on),
                    joined=lazy_date(joined_on),
                ),
                layout.title("left_on"),
            )
        )
    return errors


def _data_rows(
    records: Iterator[tuple[int, list[str]]], max_rows: int
) -> Iterator[tuple[int, list[str]]]:
    """Yield the non-blank rows after the header, stopping past ``max_rows``."""
    count = 0
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            raise _file_error(
                ngettext(
                    "Le fichier dépasse la limite de %(limit)s membre par import : "
                    "découpez-le en plusieurs fichiers.",
                    "Le fichier dépasse la limite de %(limit)s membres par import : "
                    "découpez-le en plusieurs fichiers.",
                    max_rows,
                    limit=lazy_number(max_rows),
                )
            )
        yield line, cells


def _read_header(records: Iterator[tuple[int, list[str]]]) -> _Layout:
    """Read the first non-blank row as the header and match its titles."""
    for line, cells in records:
        if any(cell.strip() for cell in cells):
            layout = _layout(cells)
            if not any(name in layout.columns for name in _NAME_FIELDS):
                if _looks_like_data(cells):
                    raise _file_error(
                        _l(
                            "Le fichier n'a pas de ligne d'en-tête : la première ligne "
                            "doit donner le titre des colonnes (Nom, Prénom, E-mail…)."
                        ),
                        line=line,
                    )
                raise _file_error(
                    _l(
                        "Aucune colonne de nom reconnue : le fichier doit avoir une "
                        "colonne « Nom », « Prénom » ou « Nom complet »."
                    ),
                    line=line,
                )
            return layout
    raise _file_error(_l("Le fichier est vide."))


def _untitled_in_use(layout: _Layout, cells: list[str]) -> set[int]:
    """Return the untitled columns that nevertheless hold a value in ``cells``."""
    return {index for index in layout.untitled if index < len(cells) and cells[index].strip()}


def _duplicate_email_error(
    line: int, email: str | None, first_line_of_email: dict[str, int], layout: _Layout
) -> RowError | None:
    """Report an e-mail already seen on an earlier row, else remember it."""
    if email is None:
        return None
    first_line = first_line_of_email.setdefault(email, line)
    if first_line == line:
        return None
    return RowError(
        line,
        "email",
        _l(
            "Adresse e-mail « %(email)s » en double : lignes %(first)s et %(line)s.",
            email=email,
            first=first_line,
            line=line,
        ),
        layout.title("email"),
    )


def parse_members_csv(
    data: bytes, *, max_rows: int = 50_000, max_errors: int = MAX_LISTED_ERRORS
) -> ParsedMembers:
    """Read a members CSV file, raising ``MemberCsvError`` with the first ``max_errors``
    problems and the count of all."""
    try:
        encoding = detect_encoding(data)
        text = decode_text(data)
    except CsvFormatError as exc:
        raise _file_error(exc.reason, exc.line) from None
    if not text.strip():
        raise _file_error(_l("Le fichier est vide."))
    dialect = sniff_dialect(text)
    records = iter_records(text, dialect)
    rows: list[MemberRow] = []
    errors: list[RowError] = []
    error_count = 0
    row_count = 0
    untitled_in_use: set[int] = set()
    first_line_of_email: dict[str, int] = {}
    try:
        layout = _read_header(records)
        for line, cells in _data_rows(records, max_rows):
            row_count += 1
            untitled_in_use |= _untitled_in_use(layout, cells)
            member, row_errors = _parse_row(line, cells, layout)
            email = _row_email(member, cells, layout)
            duplicate = _duplicate_email_error(line, email, first_line_of_email, layout)
            if duplicate is not None:
                row_errors.append(duplicate)
            if row_errors:
                error_count += len(row_errors)
                errors.extend(row_errors[: max(0, max_errors - len(errors))])
                rows.clear()  # the file is refused: no need to keep its good rows
            elif member is not None and not error_count:
                rows.append(member)
    except CsvFormatError as exc:
        raise _file_error(exc.reason, exc.line) from None
    if error_count:
        raise MemberCsvError(errors, error_count)
    if not row_count:
        raise _file_error(
            _l("Le fichier ne contient que la ligne d'en-tête : aucun membre à importer.")
        )
    untitled = [
        _("colonne %(letter)s (sans titre)", letter=_column_letter(index))
        for index in sorted(untitled_in_use)
    ]
    return ParsedMembers(
        rows=rows,
        ignored_columns=layout.ignored + untitled,
        columns={name: title for name in layout.columns if (title := layout.title(name))},
        encoding=encoding,
        delimiter=dialect.delimiter,
    )


def _row_email(member: MemberRow | None, cells: list[str], layout: _Layout) -> str | None:
    """Return the row's normalised e-mail, even when another field is invalid."""
    if member is not None:
        return member.email
    for index in layout.columns.get("email", []):
        if index < len(cells) and cells[index].strip():
            try:
                return parse_email(clean(cells[index]))
            except InvalidValue:
                return None
    return None
