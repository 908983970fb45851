"""Mentions: archive import (CLI and page), idempotence, filters, monthly counts, suggestions, CSV."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from coworking.community import mention_import
from coworking.community import mentions as mention_services
from coworking.community.mentions import MentionFilters
from coworking.community.models import Mention
from coworking.extensions import db
from tests.factories import make_event, make_mention
from tests.social_archives import boost, outbox_json, toot, tweet, tweets_js

TWEETS = [
    tweet(
        1070000000000000001,
        "Ce soir #twapéro au bar, venez nombreux ! #Angers",
        created_at="Thu Dec 06 20:15:00 +0000 2012",
        hashtags=["twapéro", "Angers"],
        likes="12",
        retweets="3",
    ),
    tweet(
        1070000000000000002,
        "Nouvelle formation web la semaine prochaine",
        created_at="Fri Dec 07 09:00:00 +0000 2012",
        likes="1",
    ),
    tweet(
        1070000000000000003,
        "Merci à tous pour le #twapero",
        created_at="Sat Dec 08 10:00:00 +0000 2012",
        hashtags=["twapero"],
    ),
]

TOOT_HTML = (
    '<p>Ce soir <a href="https://piaille.fr/tags/twapero" class="mention hashtag" rel="tag">'
    "#<span>twapero</span></a> chez Ginette &amp; Cie&#160;: &quot;apéro&quot; &lt;3<br />"
    'Inscriptions : <a href="https://mainelabs.fr/agenda">'
    '<span class="invisible">https://</span><span class="">mainelabs.fr/agenda</span></a></p>'
    "<p>À bientôt !</p>"
)

OUTBOX = [
    toot("110000000000000001", TOOT_HTML, published="2023-03-09T18:02:11Z", tags=["twapero"]),
    boost("110000000000000002", published="2023-03-09T19:00:00Z"),
    toot("110000000000000003", "<p>Bonne année à tous</p>", published="2023-01-01T10:00:00Z"),
]


def _mentions(app):
    with app.app_context():
        return db.session.scalars(select(Mention).order_by(Mention.posted_at)).all()


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Mention.id)))


def test_cli_imports_a_twitter_archive(app, runner, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_bytes(tweets_js(TWEETS))
    result = runner.invoke(args=["import-mentions", str(path), "--account", "mainelabs"])
    assert result.exit_code == 0, result.output
    assert "3 publications importées" in result.output
    mentions = _mentions(app)
    assert [m.external_id for m in mentions] == [
        "1070000000000000001",
        "1070000000000000002",
        "1070000000000000003",
    ]
    first = mentions[0]
    assert first.platform == "twitter"
    assert first.author == "@mainelabs"
    assert first.posted_at == datetime(2012, 12, 6, 20, 15, tzinfo=UTC)
    assert first.hashtags == "twapero angers"  # normalized: no '#', no accent, lowercase
    assert (first.likes, first.reposts) == (12, 3)
    assert first.url.endswith("/1070000000000000001")


def test_cli_imports_a_mastodon_archive_as_plain_text(app, runner, tmp_path):
    path = tmp_path / "outbox.json"
    path.write_bytes(outbox_json(OUTBOX))
    result = runner.invoke(args=["import-mentions", str(path)])
    assert result.exit_code == 0, result.output
    mentions = _mentions(app)
    assert len(mentions) == 2  # the boost (Announce) is not a post of ours
    toot_mention = mentions[1]
    assert toot_mention.platform == "mastodon"
    assert toot_mention.text == (
        'Ce soir #twapero chez Ginette & Cie\xa0: "apéro" <3\n'
        "Inscriptions : https://mainelabs.fr/agenda\n\nÀ bientôt !"
    )
    assert toot_mention.url == "https://piaille.fr/@mainelabs/110000000000000001"
    assert toot_mention.author.startswith("@mainelabs")


def test_hashtag_filter_is_repeatable_and_ignores_case_accents_and_hash(app, runner, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_bytes(tweets_js(TWEETS))
    result = runner.invoke(
        args=["import-mentions", str(path), "--hashtag", "#TWAPÉRO", "--hashtag", "barcamp"]
    )
    assert result.exit_code == 0, result.output
    assert {m.external_id for m in _mentions(app)} == {
        "1070000000000000001",
        "1070000000000000003",
    }
    assert "1 publications écartées" in result.output


def test_import_is_idempotent_and_refreshes_counts(app, runner, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_bytes(tweets_js(TWEETS))
    assert runner.invoke(args=["import-mentions", str(path)]).exit_code == 0
    changed = [dict(item) for item in TWEETS]
    changed[0] = tweet(
        1070000000000000001,
        "Ce soir #twapéro au bar, venez nombreux ! #Angers",
        created_at="Thu Dec 06 20:15:00 +0000 2012",
        hashtags=["twapéro", "Angers"],
        likes="40",
    )
    path.write_bytes(tweets_js(changed))
    result = runner.invoke(args=["import-mentions", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 nouvelles, 3 déjà connues" in result.output
    assert _count(app) == 3
    assert _mentions(app)[0].likes == 40


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "vide"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
        (tweets_js(TWEETS)[:-40], "tronqué"),
        (b'{"type": "Person", "name": "x"}', "Mastodon"),
    ],
    ids=["empty", "zip", "truncated", "foreign-json"],
)
def test_broken_files_are_refused_whole(app, runner, tmp_path, content, reason):
    path = tmp_path / "archive.js"
    path.write_bytes(content)
    result = runner.invoke(args=["import-mentions", str(path)])
    assert result.exit_code != 0
    assert "archive.js" in result.output and "Rien n'a été importé" in result.output
    assert _count(app) == 0


def test_truncated_archive_writes_nothing_even_after_good_posts(app, runner, tmp_path):
    items = [
        tweet(i, f"post {i} #twapero", created_at="Thu Dec 06 20:15:00 +0000 2012")
        for i in range(1, 50)
    ]
    path = tmp_path / "tweets.js"
    path.write_bytes(tweets_js(items)[:-200])
    result = runner.invoke(args=["import-mentions", str(path)])
    assert result.exit_code != 0
    assert _count(app) == 0


def test_missing_file_is_named(app, runner, tmp_path):
    result = runner.invoke(args=["import-mentions", str(tmp_path / "nope.js")])
    assert result.exit_code != 0
    assert "nope.js" in result.output


def test_big_archive_is_written_in_bulk(app, app_ctx, count_queries):
    items = [
        tweet(10_000 + i, f"post {i} #twapero", created_at="Thu Dec 06 20:15:00 +0000 2012")
        for i in range(3000)
    ]
    data = tweets_js(items)
    with count_queries() as first:
        result = mention_import.import_archive(io.BytesIO(data), filename="tweets.js")
        db.session.commit()
    assert result.created == 3000
    with count_queries() as second:
        result = mention_import.import_archive(io.BytesIO(data), filename="tweets.js")
        db.session.commit()
    assert (result.created, result.updated) == (0, 3000)
    # No query per post: a few lookups a batch (ids and their hashes), then events,
    # inserts/updates (bulk) and audit.
    batches = -(-3000 // mention_import.WRITE_BATCH)
    lookups = batches * -(-2 * mention_import.WRITE_BATCH // mention_import.IN_CHUNK)
    assert len([s for s in first.statements if "FROM mention" in s]) <= lookups
    assert len([s for s in second.statements if "FROM mention" in s]) <= lookups
    assert first.count < lookups + 5 * batches and second.count < lookups + 5 * batches


def test_suggestion_matches_hashtags_within_two_days_and_is_confirmed(app, client, auth):
    with app.app_context():
        twapero = make_event(
            title="Twapéro de décembre",
            hashtags="twapero angers",
            starts_at=datetime(2012, 12, 6, 18, 30, tzinfo=UTC),
        )
        make_event(
            title="Twapéro de janvier",
            hashtags="twapero",
            starts_at=datetime(2013, 1, 10, 18, 30, tzinfo=UTC),
        )
        make_event(
            title="Atelier du même soir",
            hashtags="atelier",
            starts_at=datetime(2012, 12, 6, 18, 0, tzinfo=UTC),
        )
        db.session.commit()
        event_id = twapero.id
    auth.login_as("manager")
    archive = tweets_js(
        TWEETS
        + [
            tweet(
                1070000000000000009,
                "Le #twapero de la semaine dernière, quel succès",
                created_at="Thu Dec 13 10:00:00 +0000 2012",
                hashtags=["twapero"],
            )
        ]
    )
    response = auth.post(
        "/community/mentions/import",
        {"archive": (io.BytesIO(archive), "tweets.js"), "account": "@mainelabs"},
        token_from="/community/mentions/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        by_id = {m.external_id: m for m in db.session.scalars(select(Mention))}
        assert by_id["1070000000000000001"].suggested_event_id == event_id
        assert by_id["1070000000000000003"].suggested_event_id == event_id  # two days later
        assert by_id["1070000000000000002"].suggested_event_id is None  # no hashtag
        assert by_id["1070000000000000009"].suggested_event_id is None  # a week later
        assert all(m.event_id is None for m in by_id.values())
        mention_id = by_id["1070000000000000001"].id
    page = client.get("/community/mentions").get_data(as_text=True)
    assert "Suggestion : Twapéro de décembre" in page
    assert auth.post(f"/community/mentions/{mention_id}/confirm").status_code == 302
    with app.app_context():
        mention = db.session.get(Mention, mention_id)
        assert mention.event_id == event_id and mention.suggested_event_id is None
    # Importing again keeps the confirmed link and does not suggest over it.
    response = auth.post(
        "/community/mentions/import",
        {"archive": (io.BytesIO(archive), "tweets.js")},
        token_from="/community/mentions/import",
        content_type="multipart/form-data",
    )
    with app.app_context():
        mention = db.session.get(Mention, mention_id)
        assert mention.event_id == event_id and mention.suggested_event_id is None


def test_upload_page_refuses_a_zip_and_writes_nothing(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/mentions/import",
        {"archive": (io.BytesIO(b"PK\x03\x04rest"), "twitter-archive.zip")},
        token_from="/community/mentions/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Rien n&#39;a été importé" in body or "Rien n'a été importé" in body
    assert "ZIP" in body
    assert _count(app) == 0
    response = auth.post("/community/mentions/import", {}, token_from="/community/mentions/import")
    assert response.status_code == 400
    assert "Choisissez un fichier." in response.get_data(as_text=True)


def test_refusal_is_shown_in_english_to_an_english_user(app, client, auth):
    auth.login_as("manager")
    auth.post("/language", {"lang": "en", "next": "/"})
    bad = tweet(
        1070000000000000005, "Bof", created_at="Thu Dec 06 21:00:00 +0000 2012", likes="beaucoup"
    )
    archive = tweets_js([TWEETS[0], bad])

    response = auth.post(
        "/community/mentions/import",
        {"archive": (io.BytesIO(archive), "tweets.js")},
        token_from="/community/mentions/import",
        content_type="multipart/form-data",
    )

    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert (
        "Nothing was imported. item 2, field “favorite_count”: Invalid number “beaucoup”." in body
    )
    assert "Rien n'a été importé" not in body and "élément" not in body
    assert _count(app) == 0


def test_viewer_cannot_import_or_confirm(app, client, auth):
    with app.app_context():
        mention_id = make_mention().id
        db.session.commit()
    auth.login_as("viewer")
    assert client.get("/community/mentions/import").status_code == 403
    assert auth.post(f"/community/mentions/{mention_id}/confirm").status_code == 403
    assert client.get("/community/mentions").status_code == 200


def test_filters_and_monthly_counts_use_paris_months(app, app_ctx):
    make_mention(
        platform="twitter",
        hashtags="twapero angers",
        likes=5,
        posted_at=datetime(2024, 3, 31, 22, 30, tzinfo=UTC),
    )  # 1 April in Paris
    make_mention(
        platform="mastodon", hashtags="twapero", posted_at=datetime(2024, 3, 31, 21, 30, tzinfo=UTC)
    )  # 31 March 23:30
    make_mention(
        platform="mastodon",
        hashtags="barcamp",
        posted_at=datetime(2024, 12, 31, 23, 30, tzinfo=UTC),
    )  # 2025-01 in Paris
    make_mention(
        platform="twitter",
        hashtags="twapero-angers",
        posted_at=datetime(2024, 6, 15, 12, 0, tzinfo=UTC),
    )
    db.session.commit()
    months = mention_services.monthly_counts(MentionFilters())
    assert [(m, c) for m, c, _l, _r in months] == [
        ("2024-03", 1),
        ("2024-04", 1),
        ("2024-06", 1),
        ("2025-01", 1),
    ]
    assert mention_services.monthly_counts(MentionFilters(platform="twitter"))[0][2] == 5
    assert mention_services.count_mentions(MentionFilters(hashtag="#Twapéro")) == 2
    assert mention_services.count_mentions(MentionFilters(hashtag="angers")) == 1
    from datetime import date

    april = MentionFilters(start=date(2024, 4, 1), end=date(2024, 4, 30))
    assert mention_services.count_mentions(april) == 1
    assert mention_services.count_mentions(MentionFilters(end=date(2024, 3, 31))) == 1


def test_page_filters_and_csv_export(app, client, auth):
    with app.app_context():
        make_mention(
            platform="twitter",
            author="@anne",
            text='=HYPERLINK("x") #twapero',
            hashtags="twapero",
            url="https://x.com/anne/status/1",
            likes=3,
            posted_at=datetime(2024, 3, 14, 20, 0, tzinfo=UTC),
        )
        make_mention(
            platform="mastodon",
            text="Autre chose",
            hashtags="",
            posted_at=datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        )
        db.session.commit()
    auth.login_as("viewer")
    page = client.get("/community/mentions?platform=twitter").get_data(as_text=True)
    assert "@anne" in page and "Autre chose" not in page
    assert "mars 2024" in page
    response = client.get("/community/mentions.csv?hashtag=twapero")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].split(";")[:8] == [
        "plateforme",
        "publié le",
        "auteur",
        "texte",
        "hashtags",
        "URL",
        "j'aime",
        "partages",
    ]
    assert "2024-03-14 21:00" in lines[1]  # Paris time
    assert "'=HYPERLINK" in lines[1]  # formula neutralised
    assert "Autre chose" not in text


def test_mentions_page_query_count_is_constant(app, client, auth, count_queries):
    auth.login_as("viewer")
    with app.app_context():
        event = make_event(hashtags="twapero")
        for _ in range(3):
            make_mention(event_id=event.id, suggested_event_id=event.id)
        db.session.commit()
    with count_queries() as small:
        client.get("/community/mentions")
    with app.app_context():
        for i in range(60):
            other = make_event(hashtags="twapero")
            make_mention(event_id=other.id if i % 2 else None, suggested_event_id=other.id)
        db.session.commit()
    with count_queries() as large:
        client.get("/community/mentions")
    assert large.count == small.count


def test_reimport_after_erasure_neither_duplicates_nor_restores_the_author(app_ctx):
    from coworking.community.archives import ImportedMention
    from coworking.members import personal_data, services

    member = services.create_member(
        first_name="Zoé", last_name="Zarbi", twitter="@ZoeZarbi", mastodon="@zoezarbi@m.social"
    )
    posted = datetime(2025, 1, 1, tzinfo=UTC)
    records = [
        ImportedMention(
            "twitter", "111", "ZoeZarbi", posted, "#twapero", ("twapero",),
            "https://twitter.com/ZoeZarbi/status/111", 1, 0,
        ),
        ImportedMention(
            "mastodon", "https://m.social/@zoezarbi/222", "zoezarbi@m.social", posted, "#twapero",
            ("twapero",), "https://m.social/@zoezarbi/222", 0, 0,
        ),
    ]  # fmt: skip
    mention_import.upsert_mentions(records, mention_import.ImportResult())
    personal_data.erase_member(member)
    db.session.flush()
    hashed = mention_import.erased_external_id("https://m.social/@zoezarbi/222")
    assert set(db.session.scalars(select(Mention.external_id))) == {"111", hashed}
    result = mention_import.ImportResult()
    mention_import.upsert_mentions(records, result)
    db.session.flush()
    assert result.created == 0
    assert db.session.scalar(select(func.count()).select_from(Mention)) == 2
    rows = db.session.execute(select(Mention.author, Mention.url, Mention.hashtags)).all()
    assert rows == [("", None, "twapero"), ("", None, "twapero")]
