"""What the community holds about members: outcomes and mentions (registered with members' GDPR)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, select, update

from coworking.audit import services as audit
from coworking.community.mention_import import erased_external_id
from coworking.community.models import Mention, Outcome, outcome_member
from coworking.extensions import db
from coworking.members.models import Member
from coworking.members.personal_data import (
    NameMatcher,
    holds_personal_data,
    iso,
    member_handles,
)

# Stored data (not a UI string): the title of an outcome whose title named an erased member.
ERASED_OUTCOME_TITLE = "Réalisation (personne effacée)"


def _outcomes_of(member: Member) -> Select[Any]:
    return (
        select(Outcome)
        .join(outcome_member, outcome_member.c.outcome_id == Outcome.id)
        .where(outcome_member.c.member_id == member.id)
    )


def mentions_by(member: Member) -> Select[Any]:
    """Return the mentions whose author is one of the member's handles."""
    handles = member_handles(member)
    folded = func.lower(func.trim(Mention.author, "@ "))
    return select(Mention).where(folded.in_(handles) if handles else false())


def export_outcomes(member: Member) -> list[dict[str, Any]]:
    """Return the outcomes the member is part of, for their GDPR export."""
    return [
        {
            "kind": o.kind,
            "title": o.title,
            "description": o.description,
            "happened_on": iso(o.happened_on),
            "testimonial": o.testimonial,
        }
        for o in db.session.scalars(_outcomes_of(member).order_by(Outcome.happened_on))
    ]


def export_mentions(member: Member) -> list[dict[str, Any]]:
    """Return the posts the member wrote under their handles, for their GDPR export."""
    return [
        {
            "platform": m.platform,
            "author": m.author,
            "posted_at": iso(m.posted_at),
            "text": m.text,
            "url": m.url,
        }
        for m in db.session.scalars(mentions_by(member).order_by(Mention.posted_at))
    ]


def erase_outcome_traces(member: Member, matcher: NameMatcher) -> None:
    """Drop the erased member's testimonials and their names from outcomes' titles and texts."""
    outcomes = db.session.scalars(_outcomes_of(member)).all()
    for outcome in outcomes:
        outcome.testimonial = None
        outcome.testimonial_author = None
        outcome.consent_publish_at = None
        if matcher.names_in(outcome.title):
            outcome.title = ERASED_OUTCOME_TITLE
        if matcher.names_in(outcome.description):
            outcome.description = ""
    audit.forget_objects("outcome", [outcome.id for outcome in outcomes])


def erase_mention_authors(member: Member, matcher: NameMatcher) -> None:
    """Keep the erased member's posts counted (date, platform, hashtags) without author or text.

    An external id naming them is replaced by its hash, so a re-import finds the post again
    without restoring them.
    """
    handles = member_handles(member)
    for mention_id, external_id in db.session.execute(
        mentions_by(member).with_only_columns(Mention.id, Mention.external_id)
    ).all():
        values: dict[str, Any] = {"author": "", "url": None, "text": "", "author_erased": True}
        if any(handle in external_id.lower() for handle in handles):
            values["external_id"] = erased_external_id(external_id)
        db.session.execute(update(Mention).where(Mention.id == mention_id).values(**values))


holds_personal_data("outcomes", export=export_outcomes, erase=erase_outcome_traces)
holds_personal_data("mentions", export=export_mentions, erase=erase_mention_authors)
