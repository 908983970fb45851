"""The sections other features add to a member's page (their visits, events, outcomes).

Those features sit above members: they register a section here when they are imported —
a template and a function giving its context — and the member page shows them in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coworking.members.models import Member

__all__ = ["MemberPageSection", "member_page_section", "sections_for"]


@dataclass(frozen=True)
class MemberPageSection:
    """A card of the member page: its template, and the values the template needs."""

    template: str
    context: Callable[[Member], dict[str, Any]]
    position: int


_sections: dict[str, MemberPageSection] = {}


def member_page_section(
    template: str, context: Callable[[Member], dict[str, Any]], *, position: int
) -> None:
    """Add a card to every member's page, placed by ``position`` (idempotent, by template)."""
    _sections[template] = MemberPageSection(template, context, position)


def sections_for(member: Member) -> list[tuple[str, dict[str, Any]]]:
    """Return each registered card's template with its values for this member."""
    ordered = sorted(_sections.values(), key=lambda section: section.position)
    return [(section.template, section.context(member)) for section in ordered]
