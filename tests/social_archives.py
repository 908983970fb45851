"""Social-media account archives in their real shape, as an account's owner downloads them.

Twitter/X gives ``data/tweets.js``, Mastodon ``outbox.json``; each function returns one item
or the whole file's bytes. The hostile and oversized ones are in ``tests/hostile_archives.py``.
"""

from __future__ import annotations

import json


def tweet(tweet_id: int, text: str, *, created_at: str, hashtags=(), likes="0", retweets="0"):
    """Return one item of a Twitter/X account archive's data/tweets.js."""
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
    """Return a data/tweets.js file holding ``items``."""
    return ("window.YTD.tweets.part0 = " + json.dumps(items, indent=2)).encode("utf-8")


ACTOR = "https://piaille.fr/users/mainelabs"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def toot(status_id: str, content: str, *, published: str, tags=()):
    """Return one Create activity of a Mastodon account archive's outbox.json."""
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
    """Return an Announce activity: a boost of someone else's post, not a post of ours."""
    return {
        "id": f"{ACTOR}/statuses/{status_id}/activity",
        "type": "Announce",
        "actor": ACTOR,
        "published": published,
        "to": [PUBLIC],
        "object": "https://mastodon.social/users/anne/statuses/1",
    }


def outbox_json(items) -> bytes:
    """Return an outbox.json file holding ``items``."""
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
