"""The space profile: identity, venue, governance (board, general assemblies) and yearly budget.

Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coworking.audit import services as audit
from coworking.dates import today
from coworking.documents.file_checks import check_upload_content
from coworking.documents.models import Document
from coworking.documents.uploads import UploadRejected, sniff_upload
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly, SpaceProfile

WEEKDAYS: tuple[tuple[str, Any], ...] = (
    ("0", _l("Lundi")),
    ("1", _l("Mardi")),
    ("2", _l("Mercredi")),
    ("3", _l("Jeudi")),
    ("4", _l("Vendredi")),
    ("5", _l("Samedi")),
    ("6", _l("Dimanche")),
)

BUDGET_DIRECTIONS: dict[str, Any] = {"income": _l("Recette"), "expense": _l("Dépense")}
INCOME_SOURCES: dict[str, Any] = {
    "memberships": _l("Adhésions et abonnements"),
    "day_passes": _l("Journées"),
    "room_hire": _l("Location de salles"),
    "subsidies": _l("Subventions"),
    "sponsorship": _l("Mécénat et sponsoring"),
    "other": _l("Autres recettes"),
}

# La Poste's establishments share the SIREN 356 000 000; their SIRETs do not follow the
# Luhn key but have a digit sum divisible by 5 (INSEE's documented exception).
LA_POSTE_SIREN = "356000000"

# The profile fields an admin edits through the form, in the form's order.
PROFILE_FIELDS = (
    "name",
    "short_name",
    "legal_form",
    "siret",
    "address",
    "postcode",
    "city",
    "founded_on",
    "website",
    "email",
    "surface_m2",
    "desks",
    "meeting_rooms",
    "opening_hours",
    "internet",
    "accessibility",
    "prices",
    "day_pass_offered",
    "staff_fte",
    "volunteers",
    "description",
)


class ProfileError(ServiceError):
    """A user-caused problem with the space profile, with a translated message and its field."""


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check (the key of SIREN and SIRET)."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """Return the digit that, appended to ``digits``, makes the Luhn check pass."""
    for candidate in "0123456789":
        if luhn_valid(digits + candidate):
            return candidate
    raise AssertionError("unreachable: one Luhn digit always fits")


def normalize_siret(value: str | None) -> str:
    """Drop the spaces, dots and dashes people type inside a SIRET."""
    return "".join(ch for ch in (value or "") if ch not in " .-\u00a0\u202f")


def siret_problem(value: str | None) -> str | None:
    """Return why a SIRET is refused (French message), or None when valid or empty."""
    siret = normalize_siret(value)
    if not siret:
        return None
    if not (siret.isascii() and siret.isdigit()) or len(siret) != 14:
        return _("Le SIRET compte 14 chiffres.")
    if siret.startswith(LA_POSTE_SIREN):
        if sum(int(ch) for ch in siret) % 5 == 0 or luhn_valid(siret):
            return None
        return _("Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas.")
    if not luhn_valid(siret):
        return _("Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas.")
    return None


def get_profile() -> SpaceProfile | None:
    """Return the space profile, or None before anyone filled it."""
    return db.session.scalar(select(SpaceProfile).order_by(SpaceProfile.id).limit(1))


def get_or_create_profile() -> SpaceProfile:
    """Return the one space profile, created (empty) on first use."""
    profile = get_profile()
    if profile is None:
        profile = SpaceProfile(name="", opening_hours={})
        db.session.add(profile)
        db.session.flush()
    return profile


def clean_opening_hours(hours: dict[str, str | None]) -> dict[str, str]:
    """Keep one trimmed entry per weekday (0 = Monday); empty means closed."""
    cleaned = {}
    for key, _label in WEEKDAYS:
        text = (hours.get(key) or "").strip()
        if len(text) > 100:
            raise ProfileError(_("Horaires trop longs (100 caractères au plus)."), f"hours_{key}")
        cleaned[key] = text
    return cleaned


def is_finite_number(value: object) -> bool:
    """Tell whether a value is a real, finite number (not a bool, inf or NaN)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


# The largest sane value of each number of the profile (a typo, not a bigger space).
NUMBER_MAXIMA: dict[str, int] = {
    "surface_m2": 1_000_000,
    "desks": 100_000,
    "meeting_rooms": 100_000,
    "volunteers": 100_000,
    "staff_fte": 1000,
}


def update_profile(profile: SpaceProfile, values: dict[str, Any]) -> SpaceProfile:
    """Update the profile's fields from ``values`` (only the keys given), after checking them."""
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip() or None
        if name == "name":
            if not value:
                raise ProfileError(_("Donnez le nom de l'espace."), "name")
        elif name == "siret":
            problem = siret_problem(value)
            if problem:
                raise ProfileError(problem, "siret")
            value = normalize_siret(value) or None
        elif name == "opening_hours":
            value = clean_opening_hours(value or {})
        elif name == "day_pass_offered":
            value = bool(value)
        elif name in NUMBER_MAXIMA:
            if value is not None and not is_finite_number(value):
                raise ProfileError(_("Saisissez un nombre."), name)
            if value is not None and value < 0:
                raise ProfileError(_("Saisissez un nombre positif ou nul."), name)
            if value is not None and value > NUMBER_MAXIMA[name]:
                raise ProfileError(
                    _("%(max)s au plus.", max=format_decimal(NUMBER_MAXIMA[name])), name
                )
        elif name == "founded_on" and value is not None and value > today():
            raise ProfileError(_("La date de création ne peut pas être dans le futur."), name)
        if getattr(profile, name) != value:
            changes[name] = value
    for name, value in changes.items():
        setattr(profile, name, value)
    db.session.flush()
    if changes:
        audit.record("space.profile.update", profile, ", ".join(sorted(changes)))
    return profile


def set_logo(profile: SpaceProfile, data: bytes, filename: str) -> Document:
    """Store an uploaded logo (PNG, JPEG or WebP, checked by content) and link it."""
    try:
        info = sniff_upload(data, filename)
        if not info.content_type.startswith("image/"):
            raise ProfileError(_("Le logo doit être une image PNG, JPEG ou WebP."), "logo")
        check_upload_content(data, info, annex=False)
    except UploadRejected as error:
        raise ProfileError(error.reason, "logo") from None
    previous_id = profile.logo_document_id
    document = Document(
        title=_("Logo de l'espace"),
        kind="logo",
        filename=info.filename,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        data=data,
    )
    db.session.add(document)
    db.session.flush()
    profile.logo_document_id = document.id
    if previous_id is not None:
        old = db.session.get(Document, previous_id)
        if old is not None and old.kind == "logo":
            db.session.delete(old)
    db.session.flush()
    audit.record("space.logo.update", profile, info.filename)
    return document


def remove_logo(profile: SpaceProfile) -> None:
    """Unlink and delete the profile's logo."""
    if profile.logo_document_id is None:
        return
    old = db.session.get(Document, profile.logo_document_id)
    profile.logo_document_id = None
    if old is not None and old.kind == "logo":
        db.session.delete(old)
    db.session.flush()
    audit.record("space.logo.remove", profile, "")


# --- governance ---------------------------------------------------------------------------


def board_members() -> list[BoardMember]:
    return list(
        db.session.scalars(select(BoardMember).order_by(BoardMember.position, BoardMember.id))
    )


def add_board_member(name: str, role: str) -> BoardMember:
    """Add a board member at the end of the list."""
    name, role = (name or "").strip(), (role or "").strip()
    if not name:
        raise ProfileError(_("Donnez le nom du membre du bureau."), "name")
    if not role:
        raise ProfileError(_("Donnez son rôle (président, trésorière…)."), "role")
    last = db.session.scalar(select(func.max(BoardMember.position))) or 0
    member = BoardMember(name=name[:200], role=role[:100], position=last + 1)
    db.session.add(member)
    db.session.flush()
    audit.record("space.board.add", member, f"{member.name} ({member.role})")
    return member


def remove_board_member(member: BoardMember) -> None:
    audit.record("space.board.remove", member, f"{member.name} ({member.role})")
    db.session.delete(member)
    db.session.flush()


def general_assemblies() -> list[GeneralAssembly]:
    return list(
        db.session.scalars(
            select(GeneralAssembly).order_by(GeneralAssembly.held_on.desc(), GeneralAssembly.id)
        )
    )


def add_general_assembly(
    held_on: date | None, present: int | None, represented: int | None, notes: str | None = None
) -> GeneralAssembly:
    """Record a general assembly with its attendance (present and represented by proxy)."""
    if held_on is None:
        raise ProfileError(_("Donnez la date de l'assemblée générale."), "held_on")
    for name, value in (("members_present", present), ("members_represented", represented)):
        if value is not None and value < 0:
            raise ProfileError(_("Saisissez un nombre positif ou nul."), name)
    assembly = GeneralAssembly(
        held_on=held_on,
        members_present=present or 0,
        members_represented=represented or 0,
        notes=(notes or "").strip() or None,
    )
    db.session.add(assembly)
    db.session.flush()
    audit.record("space.assembly.add", assembly, held_on.isoformat())
    return assembly


def remove_general_assembly(assembly: GeneralAssembly) -> None:
    audit.record("space.assembly.remove", assembly, assembly.held_on.isoformat())
    db.session.delete(assembly)
    db.session.flush()


# --- budget -------------------------------------------------------------------------------


def budget_lines() -> list[BudgetLine]:
    return list(
        db.session.scalars(
            select(BudgetLine).order_by(
                BudgetLine.year.desc(),
                BudgetLine.direction.desc(),
                BudgetLine.source,
                BudgetLine.category,
                BudgetLine.id,
            )
        )
    )


def add_budget_line(
    year: int | None, direction: str, category: str, source: str | None, amount_cents: int | None
) -> BudgetLine:
    """Add a budget line; income lines need their source, expense lines have none."""
    if year is None or not 1900 <= year <= 2200:
        raise ProfileError(_("Saisissez une année sur quatre chiffres."), "year")
    if direction not in BUDGET_DIRECTIONS:
        raise ProfileError(_("Choisissez recette ou dépense."), "direction")
    category = (category or "").strip()
    if not category:
        raise ProfileError(_("Donnez la catégorie (loyer, salaires, subvention…)."), "category")
    if direction == "income":
        if source not in INCOME_SOURCES:
            raise ProfileError(_("Choisissez l'origine de la recette."), "source")
    else:
        source = None
    if amount_cents is None or amount_cents < 0:
        raise ProfileError(_("Saisissez un montant positif ou nul."), "amount")
    line = BudgetLine(
        year=year,
        direction=direction,
        category=category[:100],
        source=source,
        amount_cents=amount_cents,
    )
    db.session.add(line)
    db.session.flush()
    audit.record("space.budget.add", line, f"{year} {direction} {line.category}")
    return line


def remove_budget_line(line: BudgetLine) -> None:
    audit.record("space.budget.remove", line, f"{line.year} {line.direction} {line.category}")
    db.session.delete(line)
    db.session.flush()


@dataclass
class YearTotals:
    """A year's budget: income and expense totals, the balance, income by source (cents)."""

    year: int
    income: int = 0
    expense: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def balance(self) -> int:
        return self.income - self.expense


def budget_totals() -> list[YearTotals]:
    """Return each year's totals, newest first, computed in SQL."""
    rows = db.session.execute(
        select(
            BudgetLine.year,
            BudgetLine.direction,
            BudgetLine.source,
            func.sum(BudgetLine.amount_cents),
        ).group_by(BudgetLine.year, BudgetLine.direction, BudgetLine.source)
    ).all()
    years: dict[int, YearTotals] = {}
    for year, direction, source, total in rows:
        totals = years.setdefault(year, YearTotals(year))
        total = int(total or 0)
        if direction == "income":
            totals.income += total
            key = source or "other"
            totals.by_source[key] = totals.by_source.get(key, 0) + total
        else:
            totals.expense += total
    return [years[year] for year in sorted(years, reverse=True)]
