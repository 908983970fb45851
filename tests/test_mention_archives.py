import io
import json
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from coworking.community import archive_stream
from coworking.community.archives import (
    ArchiveImportError,
    ImportedMention,
    ParseStats,
    html_to_text,
    normalize_hashtag,
    parse_mentions,
    read_mentions,
)

# --- Twitter/X archive (data/tweets.js) -----------------------------------------------


def make_tweet(
    tweet_id,
    text,
    *,
    created_at="Thu Dec 06 20:15:00 +0000 2012",
    hashtags=(),
    likes="0",
    retweets="0",
    urls=(),
):
    """Return one tweets.js item shaped like a real account archive entry."""
    return {
        "tweet": {
            "edit_info": {
                "initial": {
                    "editTweetIds": [str(tweet_id)],
                    "editableUntil": "2012-12-06T21:15:00.000Z",
                    "editsRemaining": "5",
                    "isEditEligible": False,
                }
            },
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {
                "hashtags": [{"text": tag, "indices": ["0", "8"]} for tag in hashtags],
                "symbols": [],
                "user_mentions": [],
                "urls": [
                    {
                        "url": short,
                        "expanded_url": long,
                        "display_url": long.split("//", 1)[1][:24],
                        "indices": ["40", "63"],
                    }
                    for short, long in urls
                ],
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


def tweets_js(items, prefix="window.YTD.tweets.part0 = "):
    """Return the bytes of a tweets.js file, pretty-printed like Twitter does."""
    return (
        prefix + json.dumps(items, indent=2, separators=(",", " : "), ensure_ascii=False)
    ).encode("utf-8")


SAMPLE_TWEETS = [
    make_tweet(
        "1276829467294044160",
        "Ce soir #Twapéro au Joker's Pub, venez nombreux ! &amp; ramenez vos "
        "amis https://t.co/AbCdEf1234",
        created_at="Thu Jun 25 17:30:05 +0000 2020",
        hashtags=["Twapéro"],
        likes="12",
        retweets="3",
        urls=[("https://t.co/AbCdEf1234", "https://mainelabs.fr/twapero")],
    ),
    make_tweet(
        "1276900000000000000",
        "RT @AngersTech: Le #twapero de juin c'est ce soir !",
        created_at="Thu Jun 25 19:00:00 +0000 2020",
        hashtags=["twapero"],
    ),
    make_tweet(
        "1277000000000000000",
        "Merci à tous pour cette belle soirée #angers #BarCamp",
        created_at="Fri Jun 26 08:00:00 +0200 2020",
        hashtags=["angers", "BarCamp"],
        likes="7",
    ),
]


def test_tweets_js_gives_normalized_mentions():
    stats = ParseStats()

    mentions = read_mentions(
        io.BytesIO(tweets_js(SAMPLE_TWEETS)),
        filename="tweets.js",
        account_handle="MaineLabs",
        stats=stats,
    )

    assert mentions == [
        ImportedMention(
            platform="twitter",
            external_id="1276829467294044160",
            author="@MaineLabs",
            posted_at=datetime(2020, 6, 25, 17, 30, 5, tzinfo=UTC),
            text="Ce soir #Twapéro au Joker's Pub, venez nombreux ! & ramenez vos "
            "amis https://mainelabs.fr/twapero",
            hashtags=("twapéro",),
            url="https://x.com/i/web/status/1276829467294044160",
            likes=12,
            reposts=3,
        ),
        ImportedMention(
            platform="twitter",
            external_id="1277000000000000000",
            author="@MaineLabs",
            posted_at=datetime(2020, 6, 26, 6, 0, tzinfo=UTC),
            text="Merci à tous pour cette belle soirée #angers #BarCamp",
            hashtags=("angers", "barcamp"),
            url="https://x.com/i/web/status/1277000000000000000",
            likes=7,
            reposts=0,
        ),
    ]
    assert stats.format == "twitter"
    assert (stats.posts, stats.kept, stats.skipped_reposts) == (3, 2, 1)


def test_tweets_js_records_are_frozen_and_dates_utc():
    mention = read_mentions(io.BytesIO(tweets_js(SAMPLE_TWEETS)))[0]

    assert mention.author == ""
    assert mention.posted_at.utcoffset().total_seconds() == 0
    with pytest.raises(AttributeError):
        mention.likes = 99


def test_tweets_js_older_archive_naming_with_bom_is_accepted():
    data = b"\xef\xbb\xbf" + tweets_js(SAMPLE_TWEETS[:1], prefix="window.YTD.tweet.part1 =")

    mentions = read_mentions(io.BytesIO(data))

    assert [m.external_id for m in mentions] == ["1276829467294044160"]


def test_tweets_js_empty_archive_gives_nothing():
    assert read_mentions(io.BytesIO(b"window.YTD.tweets.part0 = [ ]")) == []


def test_other_twitter_archive_file_is_refused():
    data = b'window.YTD.like.part0 = [ {"like": {"tweetId": "1", "fullText": "x"}} ]'

    with pytest.raises(ArchiveImportError) as caught:
        read_mentions(io.BytesIO(data), filename="like.js")

    assert "like" in caught.value.reason
    assert "tweets.js" in caught.value.reason


def test_tweet_with_unreadable_date_refuses_whole_file():
    items = [*SAMPLE_TWEETS, make_tweet("9", "hello", created_at="yesterday evening")]

    with pytest.raises(ArchiveImportError) as caught:
        read_mentions(io.BytesIO(tweets_js(items)))

    assert caught.value.location == "élément 4"
    assert caught.value.archive_field == "created_at"
    assert str(caught.value).startswith("élément 4, champ « created_at » : Date illisible")


def test_tweet_with_non_numeric_count_refuses_whole_file():
    items = [make_tweet("1", "hi", likes="beaucoup")]

    with pytest.raises(ArchiveImportError) as caught:
        read_mentions(io.BytesIO(tweets_js(items)))

    assert (caught.value.location, caught.value.archive_field) == (
        "élément 1",
        "favorite_count",
    )


@pytest.mark.parametrize(
    ("likes", "expected"),
    [("2147483647", 2147483647), ("0000000000000000000012", 12), ("1 204", 1204)],
)
def test_counts_up_to_a_32_bit_integer_are_read(likes, expected):
    (mention,) = read_mentions(io.BytesIO(tweets_js([make_tweet("1", "hi", likes=likes)])))

    assert mention.likes == expected


@pytest.mark.parametrize("likes", ["2147483648", "9" * 30, "9" * 5000])
def test_counts_over_a_32_bit_integer_are_refused(likes):
    error = refusal(tweets_js([make_tweet("1", "hi", likes=likes)]))

    assert (error.location, error.archive_field) == ("élément 1", "favorite_count")
    assert error.reason.startswith("Nombre trop grand")


@pytest.mark.parametrize(
    ("created_at", "accepted"),
    [
        ("Mon Jan 01 00:00:00 +0000 1900", True),
        ("Sun Dec 31 23:59:59 -2359 2200", True),
        ("Sun Dec 31 23:59:59 +0000 1899", False),
        ("Mon Jan 01 00:00:00 +0000 2201", False),
    ],
)
def test_dates_are_kept_within_years_1900_to_2200(created_at, accepted):
    data = tweets_js([make_tweet("1", "hi", created_at=created_at)])

    if accepted:
        assert read_mentions(io.BytesIO(data))[0].posted_at.tzinfo is UTC
    else:
        error = refusal(data)
        assert error.archive_field == "created_at"
        assert "entre 1900 et 2200" in error.reason


def test_a_file_over_max_bytes_is_refused_as_soon_as_it_is_read():
    data = tweets_js([make_tweet(str(n), f"tweet {n}") for n in range(1, 3000)])
    stream = io.BytesIO(data)

    with pytest.raises(ArchiveImportError) as caught:
        read_mentions(stream, max_bytes=100_000)

    assert "dépasse 0,1 Mo" in caught.value.reason
    assert stream.tell() <= archive_stream.HEAD_BYTES + archive_stream.CHUNK_BYTES < len(data)
    assert len(read_mentions(io.BytesIO(data), max_bytes=len(data))) == 2999


# --- Mastodon archive (outbox.json) ---------------------------------------------------

ACTOR = "https://piaille.fr/users/mainelabs"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def make_create(status_id, content, *, tags=(), published="2023-03-09T18:02:11Z", to=None, cc=None):
    """Return one Create activity shaped like a Mastodon account export."""
    to = [PUBLIC] if to is None else to
    cc = [f"{ACTOR}/followers"] if cc is None else cc
    note_id = f"{ACTOR}/statuses/{status_id}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": to,
        "cc": cc,
        "object": {
            "id": note_id,
            "type": "Note",
            "summary": None,
            "inReplyTo": None,
            "published": published,
            "url": f"https://piaille.fr/@mainelabs/{status_id}",
            "attributedTo": ACTOR,
            "to": to,
            "cc": cc,
            "sensitive": False,
            "atomUri": note_id,
            "inReplyToAtomUri": None,
            "conversation": (
                f"tag:piaille.fr,2023-03-09:objectId={status_id}:objectType=Conversation"
            ),
            "content": content,
            "contentMap": {"fr": content},
            "attachment": [],
            "tag": [
                {
                    "type": "Hashtag",
                    "href": f"https://piaille.fr/tags/{name}",
                    "name": f"#{name}",
                }
                for name in tags
            ],
            "replies": {
                "id": f"{note_id}/replies",
                "type": "Collection",
                "first": {
                    "type": "CollectionPage",
                    "next": f"{note_id}/replies?page=true",
                },
            },
        },
        "signature": {"type": "RsaSignature2017", "creator": f"{ACTOR}#main-key"},
    }


TWAPERO_HTML = (
    "<p>Ce soir "
    '<a href="https://piaille.fr/tags/twapero" class="mention hashtag" rel="tag">'
    "#<span>twapero</span></a> chez Ginette &amp; Cie : "
    "&quot;ap&eacute;ro&quot; &lt;3<br />"
    "Inscriptions&#160;: "
    '<a href="https://mainelabs.fr/agenda/twapero-mars" target="_blank" '
    'rel="nofollow noopener noreferrer"><span class="invisible">https://</span>'
    '<span class="ellipsis">mainelabs.fr/agenda/twape</span>'
    '<span class="invisible">ro-mars</span></a></p>'
    '<p>Merci <span class="h-card" translate="no">'
    '<a href="https://mastodon.social/@anne" '
    'class="u-url mention">@<span>anne</span></a></span> ! '
    '<a href="https://piaille.fr/tags/Angers" class="mention hashtag" rel="tag">'
    "#<span>Angers</span></a></p>"
)


def outbox_json(items, *, order=("@context", "id", "type", "totalItems", "orderedItems")):
    """Return the bytes of an outbox.json, keys in the given order."""
    document = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            {
                "ostatus": "http://ostatus.org#",
                "atomUri": "ostatus:atomUri",
                "Hashtag": "as:Hashtag",
            },
        ],
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
    ordered = {key: document[key] for key in order}
    return json.dumps(ordered, indent=2, ensure_ascii=False).encode("utf-8")


SAMPLE_OUTBOX = [
    make_create("110000000000000001", TWAPERO_HTML, tags=["twapero", "Angers"]),
    {
        "id": f"{ACTOR}/statuses/110000000000000002/activity",
        "type": "Announce",
        "actor": ACTOR,
        "published": "2023-03-10T09:00:00Z",
        "to": [PUBLIC],
        "cc": ["https://mastodon.social/users/anne", f"{ACTOR}/followers"],
        "object": "https://mastodon.social/users/anne/statuses/109999",
    },
    make_create(
        "110000000000000003",
        "<p>Réservé aux abonnés #twapero</p>",
        to=[f"{ACTOR}/followers"],
        cc=[],
    ),
    make_create(
        "110000000000000004",
        "<p>Message privé pour @anne #twapero</p>",
        to=["https://mastodon.social/users/anne"],
        cc=[],
    ),
    make_create(
        "110000000000000005",
        "<p>Non listé, sans hashtag</p>",
        published="2023-03-12T10:15:00.000+01:00",
        to=[f"{ACTOR}/followers"],
        cc=[PUBLIC],
    ),
]


def test_outbox_gives_public_notes_and_skips_boosts_and_private_posts():
    stats = ParseStats()

    mentions = read_mentions(io.BytesIO(outbox_json(SAMPLE_OUTBOX)), stats=stats)

    first, unlisted = mentions
    assert first == ImportedMention(
        platform="mastodon",
        external_id=f"{ACTOR}/statuses/110000000000000001",
        author="@mainelabs@piaille.fr",
        posted_at=datetime(2023, 3, 9, 18, 2, 11, tzinfo=UTC),
        text='Ce soir #twapero chez Ginette & Cie : "apéro" <3\n'
        "Inscriptions\u00a0: https://mainelabs.fr/agenda/twapero-mars\n\n"
        "Merci @anne ! #Angers",
        hashtags=("twapero", "angers"),
        url="https://piaille.fr/@mainelabs/110000000000000001",
        likes=0,
        reposts=0,
    )
    assert unlisted.posted_at == datetime(2023, 3, 12, 9, 15, tzinfo=UTC)
    assert unlisted.hashtags == ()
    assert stats.format == "mastodon"
    assert (stats.posts, stats.kept) == (5, 2)
    assert (stats.skipped_reposts, stats.skipped_private) == (1, 2)


def test_outbox_key_order_does_not_matter():
    data = outbox_json(
        SAMPLE_OUTBOX, order=("orderedItems", "totalItems", "type", "id", "@context")
    )

    assert len(read_mentions(io.BytesIO(data))) == 2


def test_outbox_counts_embedded_likes_and_shares():
    activity = make_create("7", "<p>Hello</p>")
    activity["object"]["likes"] = {"id": "x", "type": "Collection", "totalItems": 4}
    activity["object"]["shares"] = {"id": "y", "type": "Collection", "totalItems": 2}

    (mention,) = read_mentions(io.BytesIO(outbox_json([activity])))

    assert (mention.likes, mention.reposts) == (4, 2)


def test_outbox_drops_non_web_urls():
    activity = make_create("8", "<p>Hello</p>")
    activity["object"]["url"] = "javascript:alert(1)"
    activity["object"]["id"] = "urn:uuid:1234"

    (mention,) = read_mentions(io.BytesIO(outbox_json([activity])))

    assert mention.url is None
    assert mention.external_id == "urn:uuid:1234"


def test_json_object_that_is_not_an_outbox_is_refused():
    for data in (
        b'{"name": "Maine Labs", "members": 40}',
        b'{"type": "Person", "orderedItems": []}',
        b'{"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection"}',
        b'{"type": "OrderedCollection", "orderedItems": [42]}',
    ):
        with pytest.raises(ArchiveImportError) as caught:
            read_mentions(io.BytesIO(data), filename="outbox.json")
        assert (
            "ni une archive Twitter/X" in caught.value.reason or "activité" in caught.value.reason
        )


# --- html_to_text and hashtags --------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
        ("ligne 1<br>ligne 2<br/>ligne 3", "ligne 1\nligne 2\nligne 3"),
        (
            "<p>Caf&eacute; &amp; cr&egrave;me &#8211; 5&nbsp;&euro;</p>",
            "Café & crème – 5\u00a0€",
        ),
        (
            '<a href="https://x.org/tags/angers" class="hashtag" rel="tag">angers</a>',
            "#angers",
        ),
        ('<a href="https://e.org/page">la page</a>', "la page"),
        ("<p>a  \n  b</p>", "a b"),
        ("<p>Bonjour</p><script>alert(1)</script>", "Bonjour"),
        ("", ""),
        ("texte sans balise", "texte sans balise"),
    ],
)
def test_html_to_text(markup, expected):
    assert html_to_text(markup) == expected


@pytest.mark.parametrize(
    ("tag", "key"),
    [
        ("#Twapéro", "twapero"),
        ("twapero", "twapero"),
        ("  #ANGERS ", "angers"),
        ("#ÉtéNumérique", "etenumerique"),
        ("", ""),
        ("#", ""),
    ],
)
def test_normalize_hashtag(tag, key):
    assert normalize_hashtag(tag) == key


def test_hashtag_filter_is_case_and_accent_insensitive():
    data = tweets_js(SAMPLE_TWEETS)

    kept = read_mentions(io.BytesIO(data), hashtags=["#TWAPÉRO"])
    assert [m.external_id for m in kept] == ["1276829467294044160"]

    both = read_mentions(io.BytesIO(data), hashtags=["twapero", "Angers"])
    assert len(both) == 2

    stats = ParseStats()
    assert read_mentions(io.BytesIO(data), hashtags=["#hackathon"], stats=stats) == []
    assert (stats.posts, stats.filtered_out, stats.kept) == (3, 2, 0)


def test_hashtag_filter_also_sees_hashtags_written_in_the_text():
    # No entities: the hashtag is only in the text (as in some third-party exports).
    item = make_tweet("5", "On se retrouve au #Twapéro jeudi ?")

    (mention,) = read_mentions(io.BytesIO(tweets_js([item])), hashtags=["twapero"])

    assert mention.hashtags == ("twapéro",)


def test_hashtag_filter_on_mastodon_uses_tags():
    kept = read_mentions(io.BytesIO(outbox_json(SAMPLE_OUTBOX)), hashtags=["#angers"])

    assert [m.external_id.rsplit("/", 1)[1] for m in kept] == ["110000000000000001"]


def test_hashtags_in_urls_and_numbers_are_not_hashtags():
    item = make_tweet("6", "Voir https://mainelabs.fr/page#programme et le n°#1, C# aussi")

    (mention,) = read_mentions(io.BytesIO(tweets_js([item])))

    assert mention.hashtags == ()


# --- refusal of broken or foreign files -----------------------------------------------


def refusal(data, **kwargs):
    """Return the ArchiveImportError raised for the given bytes."""
    with pytest.raises(ArchiveImportError) as caught:
        read_mentions(io.BytesIO(data), **kwargs)
    return caught.value


def test_truncated_tweets_js_is_refused_whole():
    data = tweets_js(SAMPLE_TWEETS)
    cut = data[: data.index(b"Merci \xc3\xa0 tous")]  # inside the third tweet

    error = refusal(cut)

    assert "tronqué" in error.reason
    assert error.location == "élément 3"


def test_truncated_tweets_js_after_first_records_yields_then_raises():
    data = tweets_js(SAMPLE_TWEETS)
    stream = parse_mentions(io.BytesIO(data[: len(data) - 40]))

    # The generator may hand out records before it meets the break:
    # callers must collect everything (read_mentions) before writing.
    assert next(stream).external_id == "1276829467294044160"
    with pytest.raises(ArchiveImportError):
        list(stream)


def test_tweets_js_missing_closing_bracket_is_truncated():
    data = tweets_js(SAMPLE_TWEETS).rstrip()[:-1]

    error = refusal(data)

    assert "tronqué" in error.reason


def test_truncated_outbox_is_refused():
    data = outbox_json(SAMPLE_OUTBOX)

    for cut in (len(data) // 2, len(data) - 3):
        assert "tronqué" in refusal(data[:cut]).reason


def test_malformed_json_in_the_middle_is_located():
    items = [make_tweet(str(n), f"tweet {n}") for n in range(1, 6)]
    data = tweets_js(items).decode()
    broken = data.replace('"full_text" : "tweet 4"', '"full_text" : tweet 4"')

    error = refusal(broken.encode())

    assert error.reason == "Le fichier JSON est mal formé."
    assert error.location == "élément 4"


def test_data_after_the_json_is_refused():
    assert "inattendues" in refusal(tweets_js(SAMPLE_TWEETS) + b"\nalert(1)").reason
    # a trailing semicolon, as some exports write, is fine
    assert len(read_mentions(io.BytesIO(tweets_js(SAMPLE_TWEETS) + b";\n"))) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Le fichier est vide."),
        (b"  \n\r\n\t ", "Le fichier est vide."),
        (b"\xef\xbb\xbf", "Le fichier est vide."),
        (b"PK\x03\x04\x14\x00\x08\x08\x08\x00" + b"\x00" * 40, "archive ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image PNG"),
        (b"%PDF-1.7\n", "document PDF"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"\xff\xfew\x00i\x00n\x00", "UTF-16"),
    ],
)
def test_foreign_or_empty_files_are_refused(data, expected):
    assert expected in refusal(data, filename="tweets.js").reason


def test_json_array_that_is_not_tweets_is_refused():
    error = refusal(b"[1, 2, 3]")

    assert error.location == "élément 1"
    assert "pas un tweet" in error.reason


def test_non_utf8_json_is_refused():
    data = tweets_js([make_tweet("1", "Café")]).replace("Café".encode(), "Café".encode("cp1252"))

    assert "UTF-8" in refusal(data).reason


def test_text_that_is_neither_json_nor_csv_is_refused():
    error = refusal(b"Bonjour,\nceci est une lettre.\n")

    assert error.location == "ligne 1"
    assert "Colonnes obligatoires absentes" in error.reason


def test_named_json_file_with_text_content_is_refused_with_clear_message():
    error = refusal(b"Bonjour", filename="outbox.json")

    assert "outbox.json" in error.reason


# --- CSV ------------------------------------------------------------------------------

FRENCH_CSV = (
    "Date;Plateforme;Auteur;Texte;Lien;J'aime;Partages\r\n"
    "14/03/2024 19:30;LinkedIn;Anne Martin;Super soirée au #Twapéro d'Angers !;"
    "https://www.linkedin.com/posts/anne-martin_twapero-activity-1;25;4\r\n"
    "2024-04-11 20:00;Facebook;Angers Tech;"
    '"Deux lignes :\r\nmerci à tous ; à bientôt #angers";'
    "javascript:alert(1);;\r\n"
    "\r\n"
    "11/04/2024 à 21h15;Instagram;@photo.angers;Photos du #twapero;;1 204;\r\n"
)


def test_french_csv_with_semicolons_in_cp1252():
    stats = ParseStats()

    mentions = read_mentions(io.BytesIO(FRENCH_CSV.encode("cp1252")), stats=stats)

    first, second, third = mentions
    assert first.platform == "linkedin"
    assert first.author == "Anne Martin"
    assert first.posted_at == datetime(2024, 3, 14, 18, 30, tzinfo=UTC)  # Paris winter time
    assert first.text == "Super soirée au #Twapéro d'Angers !"
    assert first.hashtags == ("twapéro",)
    assert first.url == "https://www.linkedin.com/posts/anne-martin_twapero-activity-1"
    assert (first.likes, first.reposts) == (25, 4)
    assert first.external_id.startswith("csv-")
    assert second.platform == "facebook"
    assert second.text == "Deux lignes :\r\nmerci à tous ; à bientôt #angers"
    assert second.posted_at == datetime(2024, 4, 11, 18, 0, tzinfo=UTC)  # summer time
    assert second.url is None
    assert third.platform == "instagram"
    assert third.posted_at == datetime(2024, 4, 11, 19, 15, tzinfo=UTC)
    assert third.likes == 1204
    assert stats.format == "csv"
    assert stats.posts == 3


def test_csv_in_utf8_with_bom_gives_same_records_and_stable_ids():
    from_cp1252 = read_mentions(io.BytesIO(FRENCH_CSV.encode("cp1252")))
    from_utf8 = read_mentions(io.BytesIO(FRENCH_CSV.encode("utf-8-sig")))

    assert from_utf8 == from_cp1252
    assert len({m.external_id for m in from_utf8}) == 3


def test_english_csv_with_commas_ids_and_hashtags_column():
    data = (
        b"date,platform,author,text,url,likes,reposts,hashtags,id\n"
        b"2024-05-02T18:00:00+02:00,X,@mainelabs,See you tonight!,"
        b'https://x.com/mainelabs/status/1786,3,1,"#Twapero, #Angers",1786\n'
        b"2024-05-03,Threads,someone,Nice,https://www.threads.net/@someone/post/1,,,,\n"
    )

    first, second = read_mentions(io.BytesIO(data))

    assert first.platform == "twitter"
    assert first.external_id == "1786"
    assert first.hashtags == ("twapero", "angers")
    assert first.posted_at == datetime(2024, 5, 2, 16, 0, tzinfo=UTC)
    assert second.platform == "other"
    assert second.posted_at == datetime(2024, 5, 2, 22, 0, tzinfo=UTC)
    assert (second.likes, second.reposts) == (0, 0)


def test_csv_hashtag_filter():
    kept = read_mentions(io.BytesIO(FRENCH_CSV.encode("cp1252")), hashtags=["#twapero"])

    assert [m.platform for m in kept] == ["linkedin", "instagram"]


def test_csv_without_required_columns_is_refused():
    error = refusal(b"date;titre;lien\n2024-01-01;Article;https://example.org\n")

    assert error.location == "ligne 1"
    assert "plateforme, auteur, texte" in error.reason


def test_csv_with_unreadable_date_is_refused_with_its_line():
    data = (
        b"date;plateforme;auteur;texte\n"
        b"2024-01-05;Mastodon;@a@b.fr;ok\n"
        b'2024-01-06;Mastodon;@a@b.fr;"sur\ndeux lignes"\n'
        b"le 3 mars;Mastodon;@a@b.fr;oups\n"
    )

    error = refusal(data)

    assert error.location == "ligne 5"
    assert error.archive_field == "date"
    assert "le 3 mars" in error.reason


def test_csv_with_bad_count_or_shifted_columns_is_refused():
    bad_count = b"date;plateforme;auteur;texte;likes\n2024-01-05;X;a;b;beaucoup\n"
    shifted = b"date;plateforme;auteur;texte\n2024-01-05;X;a;b; c;d\n"

    assert (refusal(bad_count).location, refusal(bad_count).archive_field) == (
        "ligne 2",
        "likes",
    )
    assert "plus de colonnes" in refusal(shifted).reason


def test_csv_with_excel_separator_hint_line():
    data = b"sep=;\ndate;plateforme;auteur;texte\n2024-01-05;Mastodon;a;b\n"

    (mention,) = read_mentions(io.BytesIO(data))

    assert mention.platform == "mastodon"


def test_csv_platform_guessed_from_url_when_empty():
    data = b"date,platform,author,text,url\n2024-01-05,,a,b,https://www.instagram.com/p/xyz/\n"

    (mention,) = read_mentions(io.BytesIO(data))

    assert mention.platform == "instagram"


# --- size and streaming ---------------------------------------------------------------


def test_large_tweets_js_is_parsed():
    count = 30_000
    items = [
        make_tweet(
            1_500_000_000_000_000_000 + n,
            f"Publication n°{n} {'#twapero ' if n % 3 == 0 else ''}à Angers &amp; co",
            hashtags=["twapero"] if n % 3 == 0 else [],
            likes=str(n % 50),
            retweets=str(n % 7),
        )
        for n in range(count)
    ]
    items[10]["tweet"]["full_text"] = "RT @someone: not ours"
    data = tweets_js(items)
    del items
    stats = ParseStats()

    kept = 0
    likes = 0
    for mention in parse_mentions(io.BytesIO(data), hashtags=["twapero"], stats=stats):
        kept += 1
        likes += mention.likes

    assert stats.posts == count
    assert stats.skipped_reposts == 1
    assert kept == stats.kept == count // 3
    assert likes == sum(n % 50 for n in range(0, count, 3))


def test_archive_is_streamed_not_read_whole():
    items = [make_tweet(n, f"tweet {n}") for n in range(1, 5_000)]
    stream = io.BytesIO(tweets_js(items))
    size = len(stream.getvalue())

    mentions = parse_mentions(stream)
    next(mentions)

    assert stream.tell() < size  # the first record came before the end was read
    assert sum(1 for _ in mentions) == len(items) - 1


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_tiny_read_chunks_give_the_same_result(monkeypatch, chunk):
    """Chunk borders may fall inside strings, numbers and multi-byte characters."""
    monkeypatch.setattr(archive_stream, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(archive_stream, "HEAD_BYTES", chunk)

    tweets = read_mentions(io.BytesIO(tweets_js(SAMPLE_TWEETS)))
    notes = read_mentions(io.BytesIO(outbox_json(SAMPLE_OUTBOX)))
    rows = read_mentions(io.BytesIO(FRENCH_CSV.encode("utf-8")))

    monkeypatch.undo()
    assert tweets == read_mentions(io.BytesIO(tweets_js(SAMPLE_TWEETS)))
    assert notes == read_mentions(io.BytesIO(outbox_json(SAMPLE_OUTBOX)))
    assert rows == read_mentions(io.BytesIO(FRENCH_CSV.encode("utf-8")))
    assert len(tweets) == 2 and len(notes) == 2 and len(rows) == 3


# --- refusals in the language they are read in -------------------------------------------------


def test_a_refusal_raised_in_french_reads_in_english_where_english_is_shown(app):
    """Reason, location, field, sizes and column names are rendered when read, not when raised."""
    missing = refusal(b"date;titre;lien\n2024-01-01;Article;https://example.org\n")
    too_big = refusal(
        tweets_js([make_tweet(str(n), f"tweet {n}") for n in range(1, 3000)]), max_bytes=100_000
    )
    bad_date = refusal(
        b"date;plateforme;auteur;texte\n2024-01-05;Mastodon;@a@b.fr;ok\nle 3 mars;X;a;b\n"
    )
    assert str(bad_date).startswith("ligne 3, champ « date » : Date illisible « le 3 mars »")

    with app.test_request_context("/"), force_locale("en"):
        assert missing.location == "line 1"
        assert str(missing) == (
            "line 1: Required columns missing: platform, author, text "
            "(headers found: date, titre, lien)."
        )
        assert too_big.reason == (
            "The file is larger than 0.1 MB, the largest archive that can be imported."
        )
        assert str(bad_date).startswith("line 3, field “date”: Unreadable date “le 3 mars”")
    assert "dépasse 0,1 Mo" in too_big.reason
