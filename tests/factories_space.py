"""Factories for the space profile, its board, general assemblies and budget lines."""

from __future__ import annotations

from datetime import date

from coworking.extensions import db
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly, SpaceProfile

VALID_SIRET = "73282932000074"


def make_profile(**fields) -> SpaceProfile:
    values = {"name": "Maine Labs", "opening_hours": {}, **fields}
    profile = SpaceProfile(**values)
    db.session.add(profile)
    db.session.flush()
    return profile


def make_board_member(**fields) -> BoardMember:
    member = BoardMember(**{"name": "Claire Dupont", "role": "Présidente", **fields})
    db.session.add(member)
    db.session.flush()
    return member


def make_general_assembly(**fields) -> GeneralAssembly:
    values = {"held_on": date(2024, 3, 21), "members_present": 40, "members_represented": 12}
    assembly = GeneralAssembly(**{**values, **fields})
    db.session.add(assembly)
    db.session.flush()
    return assembly


def make_budget_line(**fields) -> BudgetLine:
    values = {
        "year": 2024,
        "direction": "income",
        "category": "Subvention de la ville",
        "source": "subsidies",
        "amount_cents": 1_500_000,
    }
    line = BudgetLine(**{**values, **fields})
    db.session.add(line)
    db.session.flush()
    return line
