"""Factories for the community feature (and the few members and events it links to)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

from coworking.community.models import Mention, Outcome, PressArticle
from coworking.database import utcnow
from coworking.documents.models import Document
from coworking.events.models import Event, EventKind
from coworking.extensions import db
from coworking.members.models import Member
from coworking.partners.models import Partner
from tests.factories import next_number

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "teal") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def make_member(**fields) -> Member:
    n = next_number()
    member = Member(
        first_name=fields.pop("first_name", f"Prénom{n}"),
        last_name=fields.pop("last_name", f"Nom{n}"),
        email=fields.pop("email", f"membre{n}@example.org"),
        **fields,
    )
    db.session.add(member)
    db.session.flush()
    return member


def _event_kind() -> str:
    if db.session.get(EventKind, "twapero") is None:
        db.session.add(EventKind(slug="twapero", label_fr="Twapéro", label_en="Twapero"))
        db.session.flush()
    return "twapero"


def make_event(**fields) -> Event:
    starts_at = fields.pop("starts_at", datetime(2024, 3, 14, 18, 30, tzinfo=UTC))
    event = Event(
        title=fields.pop("title", f"Twapéro {next_number()}"),
        kind=fields.pop("kind", _event_kind()),
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", starts_at + timedelta(hours=3)),
        hashtags=fields.pop("hashtags", ""),
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def make_partner(**fields) -> Partner:
    partner = Partner(
        name=fields.pop("name", f"Partenaire {next_number()}"),
        kind=fields.pop("kind", "entreprise"),
        **fields,
    )
    db.session.add(partner)
    db.session.flush()
    return partner


def make_document(data: bytes = PDF_BYTES, **fields) -> Document:
    import hashlib

    content_type = fields.pop("content_type", "application/pdf")
    document = Document(
        title=fields.pop("title", f"Document {next_number()}"),
        kind=fields.pop("kind", "other"),
        filename=fields.pop("filename", "document.pdf"),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        **fields,
    )
    db.session.add(document)
    db.session.flush()
    return document


def make_press_article(**fields) -> PressArticle:
    article = PressArticle(
        title=fields.pop("title", f"Article {next_number()}"),
        outlet=fields.pop("outlet", "Ouest-France"),
        published_on=fields.pop("published_on", date(2024, 5, 2)),
        **fields,
    )
    db.session.add(article)
    db.session.flush()
    return article


def make_mention(**fields) -> Mention:
    n = next_number()
    mention = Mention(
        platform=fields.pop("platform", "mastodon"),
        external_id=fields.pop("external_id", f"id-{n}"),
        author=fields.pop("author", "@mainelabs"),
        posted_at=fields.pop("posted_at", datetime(2024, 3, 14, 20, 0, tzinfo=UTC)),
        text=fields.pop("text", f"Publication {n}"),
        hashtags=fields.pop("hashtags", "twapero"),
        **fields,
    )
    db.session.add(mention)
    db.session.flush()
    return mention


def make_outcome(**fields) -> Outcome:
    members = fields.pop("members", [])
    outcome = Outcome(
        kind=fields.pop("kind", "stage"),
        title=fields.pop("title", f"Réalisation {next_number()}"),
        happened_on=fields.pop("happened_on", date(2024, 6, 1)),
        **fields,
    )
    outcome.members = members
    db.session.add(outcome)
    db.session.flush()
    return outcome


def consent_now() -> datetime:
    return utcnow()


# --- archives in their real shape ---------------------------------------------------------


def tweet(tweet_id: int, text: str, *, created_at: str, hashtags=(), likes="0", retweets="0"):
    """One item of a Twitter/X account archive's data/tweets.js."""
    return {
        "tweet": {
            "edit_info": {"initial": {"editTweetIds": [str(tweet_id)], "isEditEligible": False}},
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {
                "hashtags": [{"text": tag, "indices": ["0", "8"]} for tag in hashtags],
                "symbols": [],
                "user_mentions": [],
                "urls": [],
            },
            "display_text_range": ["0", str(len(text))],
            "favorite_count": likes,
            "id_str": str(tweet_id),
            "truncated": False,
            "retweet_count": retweets,
            "id": str(tweet_id),
            "created_at": created_at,
            "favorited": False,
            "full_text": text,
            "lang": "fr",
        }
    }


def tweets_js(items) -> bytes:
    return ("window.YTD.tweets.part0 = " + json.dumps(items, indent=2)).encode("utf-8")


ACTOR = "https://piaille.fr/users/mainelabs"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def toot(status_id: str, content: str, *, published: str, tags=()):
    """One Create activity of a Mastodon account archive's outbox.json."""
    note_id = f"{ACTOR}/statuses/{status_id}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": [PUBLIC],
        "cc": [f"{ACTOR}/followers"],
        "object": {
            "id": note_id,
            "type": "Note",
            "published": published,
            "url": f"https://piaille.fr/@mainelabs/{status_id}",
            "attributedTo": ACTOR,
            "to": [PUBLIC],
            "cc": [f"{ACTOR}/followers"],
            "content": content,
            "tag": [
                {"type": "Hashtag", "href": f"https://piaille.fr/tags/{t}", "name": f"#{t}"}
                for t in tags
            ],
            "attachment": [],
        },
    }


def boost(status_id: str, *, published: str):
    return {
        "id": f"{ACTOR}/statuses/{status_id}/activity",
        "type": "Announce",
        "actor": ACTOR,
        "published": published,
        "to": [PUBLIC],
        "object": "https://mastodon.social/users/anne/statuses/1",
    }


def outbox_json(items) -> bytes:
    return json.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "outbox.json",
            "type": "OrderedCollection",
            "totalItems": len(items),
            "orderedItems": items,
        },
        ensure_ascii=False,
    ).encode("utf-8")
