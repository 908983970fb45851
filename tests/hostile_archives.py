"""Hostile and oversized mention archives, for the tests, the benchmark and live checks.

Each function returns the bytes of a file (or writes one to a path) that a manager
could upload to /community/mentions/import or give to ``flask import-mentions``:
big Twitter/X archives shaped like the probe's (about 280 bytes a post, so
200,000 posts make 56.5 MB), JSON nested deeper than Python can recurse, and
posts whose dates or counts sit at the edges of what Python and the databases hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

TWITTER_PREFIX = b"window.YTD.tweets.part0 = "
ACTOR = "https://piaille.fr/users/mainelabs"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FIRST_TWEET_ID = 1_070_000_000_000_000_000
DEFAULT_TWITTER_DATE = "Thu Dec 06 20:15:00 +0000 2012"

# Dates that parse but leave Python's datetime range once moved to UTC.
YEAR_1_TWITTER = "Mon Jan 01 00:00:00 +2359 0001"
YEAR_9999_TWITTER = "Fri Dec 31 23:59:59 -2359 9999"
YEAR_1_ISO = "0001-01-01T00:00:00+01:00"
YEAR_9999_ISO = "9999-12-31T23:59:59-01:00"
THIRTY_DIGITS = "9" * 30


def tweet(
    index: int,
    *,
    created_at: str = DEFAULT_TWITTER_DATE,
    favorite_count: Any = "3",
    retweet_count: Any = "1",
    padding: int = 0,
    text: str | None = None,
) -> dict[str, Any]:
    """Return one compact tweets.js item (about 290 bytes once serialised, plus ``padding``)."""
    tweet_id = str(FIRST_TWEET_ID + index)
    return {
        "tweet": {
            "id_str": tweet_id,
            "created_at": created_at,
            "full_text": text
            if text is not None
            else f"Publication {index} : ce soir #twapero au Mans, venez nombreux ! "
            "Inscriptions sur le site de l'espace." + "." * padding,
            "favorite_count": favorite_count,
            "retweet_count": retweet_count,
            "entities": {"hashtags": [{"text": "twapero"}]},
        }
    }


def write_twitter_archive(
    out: BinaryIO, *, posts: int | None = None, size: int | None = None, **fields: Any
) -> int:
    """Write a tweets.js of ``posts`` posts, or of as many as fit in ``size`` bytes.

    Returns the number of posts written. ``fields`` go to every `tweet`.
    """
    if (posts is None) == (size is None):
        raise ValueError("give posts or size")
    out.write(TWITTER_PREFIX + b"[")
    written = len(TWITTER_PREFIX) + 2
    count = 0
    while posts is None or count < posts:
        item = (b"," if count else b"") + json.dumps(
            tweet(count, **fields), ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        if size is not None and written + len(item) > size:
            break
        out.write(item)
        written += len(item)
        count += 1
    out.write(b"]")
    return count


def tweets_js(items: list[dict[str, Any]]) -> bytes:
    """Return the tweets.js of these items (from `tweet`)."""
    return TWITTER_PREFIX + json.dumps(items, ensure_ascii=False).encode("utf-8")


def twitter_archive(posts: int = 200_000, **fields: Any) -> bytes:
    """Return a tweets.js of ``posts`` posts (200,000 make the probe's 56.5 MB file)."""
    import io

    out = io.BytesIO()
    write_twitter_archive(out, posts=posts, **fields)
    return out.getvalue()


def largest_archive_file(path: Path, *, size: int, posts: int) -> int:
    """Write to ``path`` a tweets.js of ``posts`` posts padded to nearly ``size`` bytes.

    With the limits (100 MB, 200,000 posts) it is the heaviest archive an import takes.
    Returns the file's size.
    """
    # Posts only grow with their number: the last one is the longest (plus its comma).
    longest = len(json.dumps(tweet(posts - 1), ensure_ascii=False, separators=(",", ":"))) + 1
    padding = max(0, (size - len(TWITTER_PREFIX) - 2) // posts - longest)
    with path.open("wb") as out:
        write_twitter_archive(out, posts=posts, padding=padding)
    return path.stat().st_size


def toot(
    index: int,
    *,
    published: str = "2023-03-09T18:02:11Z",
    likes: Any = 2,
    content: str | None = None,
) -> dict:
    """Return one public Create activity of a Mastodon outbox.json."""
    note_id = f"{ACTOR}/statuses/{110_000_000_000_000_000 + index}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": [PUBLIC],
        "object": {
            "id": note_id,
            "type": "Note",
            "published": published,
            "attributedTo": ACTOR,
            "to": [PUBLIC],
            "content": content if content is not None else f"<p>Publication {index} #twapero</p>",
            "likes": {"type": "Collection", "totalItems": likes},
            "shares": {"type": "Collection", "totalItems": 0},
        },
    }


def mastodon_archive(posts: int = 1, **fields: Any) -> bytes:
    """Return an outbox.json of ``posts`` public posts; ``fields`` go to every `toot`."""
    return _outbox_bytes(
        "[" + ",".join(json.dumps(toot(index, **fields)) for index in range(posts)) + "]"
    )


def _outbox_bytes(items_json: str) -> bytes:
    head = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection"}
    return (json.dumps(head)[:-1] + f', "orderedItems": {items_json}}}').encode("utf-8")


def csv_archive(
    *,
    date: str = "14/03/2024 19:30",
    likes: str = "4",
    text: str = "Retour sur le #twapero",
    rows_before: int = 0,
) -> bytes:
    """Return a French mentions CSV whose last row has this date, likes count and text.

    ``rows_before`` ordinary rows come first (a NUL byte in the first 4 KB marks a
    file as binary).
    """
    lines = ["date;plateforme;auteur;texte;j'aime"]
    lines += [
        f"14/03/2024 19:30;LinkedIn;Maine Labs;Ligne ordinaire {n};1" for n in range(rows_before)
    ]
    lines.append(f"{date};LinkedIn;Maine Labs;{text};{likes}")
    return ("\n".join(lines) + "\n").encode()


def huge_number_archive(digits: int = 5000) -> bytes:
    """Return a tweets.js whose favorite_count is a JSON number of ``digits`` digits."""
    return twitter_archive(1, favorite_count="HUGE").replace(b'"HUGE"', b"9" * digits)


def deeply_nested_json(depth: int = 100_000, *, platform: str = "twitter") -> bytes:
    """Return an archive whose first post holds a value nested ``depth`` arrays deep."""
    nested = "[" * depth + "]" * depth
    if platform == "twitter":
        item = json.dumps(tweet(0))[:-2] + f', "entities": {nested}}}}}'
        return TWITTER_PREFIX + f"[{item}]".encode()
    if platform == "mastodon":
        item = json.dumps(toot(0))[:-1] + f', "attachment": {nested}}}'
        return _outbox_bytes(f"[{item}]")
    raise ValueError(platform)


# (name, file name, content, the field or place the refusal must name)
EDGE_ARCHIVES: list[tuple[str, str, bytes, str]] = [
    ("twitter-year-1", "tweets.js", twitter_archive(1, created_at=YEAR_1_TWITTER), "created_at"),
    (
        "twitter-year-9999",
        "tweets.js",
        twitter_archive(1, created_at=YEAR_9999_TWITTER),
        "created_at",
    ),
    ("mastodon-year-1", "outbox.json", mastodon_archive(published=YEAR_1_ISO), "published"),
    ("mastodon-year-9999", "outbox.json", mastodon_archive(published=YEAR_9999_ISO), "published"),
    ("csv-year-1", "mentions.csv", csv_archive(date=YEAR_1_ISO), "date"),
    ("csv-year-9999", "mentions.csv", csv_archive(date=YEAR_9999_ISO), "date"),
    (
        "twitter-30-digit-count",
        "tweets.js",
        twitter_archive(1, favorite_count=THIRTY_DIGITS),
        "favorite_count",
    ),
    (
        "twitter-30-digit-number",
        "tweets.js",
        twitter_archive(1, retweet_count=int(THIRTY_DIGITS)),
        "retweet_count",
    ),
    ("mastodon-30-digit-count", "outbox.json", mastodon_archive(likes=int(THIRTY_DIGITS)), "likes"),
    ("csv-30-digit-count", "mentions.csv", csv_archive(likes=THIRTY_DIGITS), "likes"),
    ("twitter-nested-100000", "tweets.js", deeply_nested_json(), "élément 1"),
    ("mastodon-nested-100000", "outbox.json", deeply_nested_json(platform="mastodon"), "élément 1"),
    # Python refuses to turn more than 4,300 digits into an int (a ValueError, not JSON's).
    (
        "twitter-5000-digit-number",
        "tweets.js",
        huge_number_archive(5000),
        "élément 1",
    ),
    # PostgreSQL cannot store NUL; UTF-8 cannot encode a lone surrogate (JSON "\ud800").
    (
        "twitter-nul-in-text",
        "tweets.js",
        twitter_archive(1, text="Ce soir\x00 #twapero"),
        "full_text",
    ),
    (
        "mastodon-lone-surrogate",
        "outbox.json",
        mastodon_archive(content="<p>\ud800</p>"),
        "content",
    ),
    (
        "csv-nul-in-text",
        "mentions.csv",
        csv_archive(text="Retour\x00 sur le #twapero", rows_before=100),
        "text",
    ),
]


# --- measuring an import ------------------------------------------------------------------


def measure_cli_import(archive: Path, workdir: Path) -> dict[str, Any]:
    """Import ``archive`` with ``flask import-mentions`` in a fresh process on a new SQLite file.

    Returns the child's peak RSS in bytes, the wall time of the import in seconds, its
    exit code and output. The database is created (``db upgrade``) before the clock starts.
    """
    import os
    import subprocess
    import sys

    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "COWORKING_DATABASE_URL": f"sqlite:///{workdir / 'import.sqlite3'}",
        "COWORKING_INSTANCE_PATH": str(workdir / "instance"),
        "COWORKING_SECRET_KEY": "hostile-archives-measure",
    }
    flask = [sys.executable, "-m", "flask", "--app", "coworking"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    # RUSAGE_CHILDREN keeps the largest child seen so far: measure in a fresh helper so
    # that the `db upgrade` above (or an earlier import) does not count.
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, rss, seconds)\n"
        "sys.stderr.write(done.stdout + done.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *flask, "import-mentions", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    code, rss_kib, seconds = done.stdout.split()
    return {
        "exit_code": int(code),
        "peak_rss_bytes": int(rss_kib) * 1024,
        "seconds": float(seconds),
        "output": done.stderr.strip(),
        "archive_bytes": archive.stat().st_size,
    }


def main() -> None:
    """Write the largest archive allowed (100 MB, 200,000 posts) and measure its CLI import."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--size", type=int, default=100 * 1024 * 1024, help="archive bytes")
    parser.add_argument("--posts", type=int, default=200_000, help="posts in the archive")
    parser.add_argument(
        "--compact", action="store_true", help="as many ~290-byte posts as fit in --size"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.js"
        if args.compact:
            with path.open("wb") as out:
                posts = write_twitter_archive(out, size=args.size)
        else:
            largest_archive_file(path, size=args.size, posts=args.posts)
            posts = args.posts
        result = measure_cli_import(path, Path(tmp) / "work")
    print(
        f"{result['archive_bytes'] / 2**20:.1f} MiB, {posts} posts: "
        f"peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB, {result['seconds']:.1f} s, "
        f"exit {result['exit_code']}\n{result['output']}"
    )


if __name__ == "__main__":
    main()
