"""The demo's social media posts: about each past event, and the background chatter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from coworking.hashtags import hashtags_in_text, normalize_hashtag
from coworking.seed import data
from coworking.seed.builder import DemoBuilder, Person


def event_mentions(
    demo: DemoBuilder, event: dict[str, Any], day: date, kind: str, tag: str, people: int
) -> None:
    """Add the posts about a past event, around its day."""
    rng = demo.rng
    scale = 0.3 + 0.7 * demo.size
    mean = {
        "twapero": 0.5 * people,
        "barcamp": 0.9 * people,
        "conference": 4,
        "atelier": 1.2,
        "formation": 0.5,
        "afterwork": 3,
        "autre": 2,
        "ag": 1.5,
    }[kind] * scale
    pool = demo.active_pool(day).people
    kind_label = {"conference": "conférence", "atelier": "atelier", "formation": "formation"}
    for _ in range(demo.count(mean)):
        moment = event["starts_at"] + timedelta(minutes=rng.randrange(-2880, 600))
        platform = pick_platform(demo, moment)
        if kind == "twapero":
            text_value = rng.choice(data.TWAPERO_POSTS).format(bar=data.BAR_NAME)
        elif kind == "barcamp":
            text_value = rng.choice(data.BARCAMP_POSTS).format(tag=tag or "angers")
        else:
            text_value = rng.choice(data.EVENT_POSTS).format(
                kind=kind_label.get(kind, "rendez-vous"),
                title=event["title"],
                tag=tag or "angers",
            )
        event_id = event["id"] if rng.random() < 0.85 else None
        mention(demo, moment, text_value, author_for(demo, platform, pool), platform, event_id)


def build_background_mentions(demo: DemoBuilder) -> None:
    """Add the weekly posts about the space that name no event."""
    rng = demo.rng
    scale = 0.3 + 0.7 * demo.size
    week = demo.start
    while week <= demo.today:
        pool = None
        for _ in range(demo.count(2.5 * scale * demo.growth(week))):
            moment = demo.at(week, 8 + rng.randrange(12), rng.randrange(60)) + timedelta(
                days=rng.randrange(7)
            )
            if moment.date() > demo.today:
                continue
            if pool is None:
                pool = demo.active_pool(week).people
            platform = pick_platform(demo, moment)
            mention(
                demo,
                moment,
                rng.choice(data.BACKGROUND_POSTS),
                author_for(demo, platform, pool),
                platform,
                None,
            )
        week += timedelta(days=7)


def mention(
    demo: DemoBuilder,
    moment: datetime,
    text_value: str,
    author: str,
    platform: str,
    event_id: int | None,
) -> None:
    """Add one post, with a plausible id, URL and reactions."""
    rng = demo.rng
    demo.mention_numbers[platform] += 1
    number = demo.mention_numbers[platform]
    if platform == "twitter":
        external = str(400_000_000_000_000_000 + number * 7_919)
        url = f"https://twitter.com/{author}/status/{external}"
    elif platform == "mastodon":
        external = str(109_000_000_000_000_000 + number * 104_729)
        user, _at, instance = author.partition("@")
        url = f"https://{instance or 'mastodon.example'}/@{user}/{external}"
    else:
        external = f"urn:li:activity:{7_000_000_000_000_000_000 + number * 1_299_709}"
        url = f"https://www.linkedin.com/feed/update/{external}/"
    tags = []
    for tag in hashtags_in_text(text_value):
        key = normalize_hashtag(tag)
        if key and key not in tags:
            tags.append(key)
    likes = int(rng.paretovariate(1.6)) - 1 + rng.randrange(4)
    demo.add(
        "mention",
        {
            "id": demo.ids.next("mention"),
            "platform": platform,
            "external_id": external,
            "author": author,
            "posted_at": moment,
            "text": text_value,
            "hashtags": " ".join(tags),
            "url": url,
            "likes": min(likes, 500),
            "reposts": min(likes // 3 + rng.randrange(2), 200),
            "event_id": event_id,
            "suggested_event_id": None,
            "created_at": moment + timedelta(days=1),
        },
    )


def pick_platform(demo: DemoBuilder, moment: datetime) -> str:
    """Pick the network of a post: Twitter until 2022, then Mastodon and LinkedIn."""
    if moment < datetime(2022, 11, 1, tzinfo=UTC):
        weights = {"twitter": 94, "linkedin": 5, "mastodon": 1}
    elif moment < datetime(2024, 1, 1, tzinfo=UTC):
        weights = {"twitter": 50, "mastodon": 40, "linkedin": 10}
    else:
        weights = {"twitter": 8, "mastodon": 70, "linkedin": 22}
    return demo.weighted(weights)


def author_for(demo: DemoBuilder, platform: str, pool: Sequence[Person]) -> str:
    """Pick a member with an account on this network, else the space itself."""
    for _ in range(4):
        person = demo.rng.choice(pool) if pool else None
        if person is None:
            break
        if platform == "twitter" and person.twitter:
            return person.twitter
        if platform == "mastodon" and person.mastodon:
            return person.mastodon
        if platform == "linkedin":
            return f"{person.first} {person.last}"
    return {"twitter": "MaineLabs", "mastodon": "mainelabs@mastodon.example"}.get(
        platform, "Maine Labs"
    )
