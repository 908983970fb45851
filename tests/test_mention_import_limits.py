"""Mention imports against hostile archives: size, memory, write lock, edge values."""

from __future__ import annotations

import io
import sqlite3
import tracemalloc

import pytest
from sqlalchemy import event, func, select, text

from coworking.audit.models import AuditEntry
from coworking.community import archive_stream, mention_import
from coworking.community import mention_views as community_views
from coworking.community.models import Mention
from coworking.extensions import db
from tests.hostile_archives import EDGE_ARCHIVES, tweet, tweets_js, twitter_archive

IMPORT_PAGE = "/community/mentions/import"
EDGE_IDS = [name for name, *_rest in EDGE_ARCHIVES]


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Mention.id)))


def _upload(auth, data: bytes, filename: str = "tweets.js"):
    return auth.post(
        IMPORT_PAGE,
        {"archive": (io.BytesIO(data), filename)},
        token_from=IMPORT_PAGE,
        content_type="multipart/form-data",
    )


def _page(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


# --- size -----------------------------------------------------------------------------------


# The test client leaves a request body over 500 kB unclosed: the pages get smaller files.


def test_page_refuses_an_archive_over_its_limit_naming_it(app, auth):
    app.config["COWORKING_MAX_ARCHIVE_BYTES"] = 200 * 1024
    data = twitter_archive(1000)  # 290 kB: within the request margin, over the archive limit
    auth.login_as("manager")

    response = _upload(auth, data)

    assert response.status_code == 400
    body = _page(response)
    assert "Rien n'a été importé" in body
    assert "Le fichier dépasse 0,2 Mo, la taille maximale d'une archive" in body
    assert _count(app) == 0


def test_page_refuses_a_request_far_over_the_archive_limit(app, auth, monkeypatch):
    monkeypatch.setattr(community_views, "ARCHIVE_FORM_MARGIN", 10_000, raising=False)
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    app.config["COWORKING_MAX_ARCHIVE_BYTES"] = 200_000
    auth.login_as("manager")

    response = _upload(auth, twitter_archive(1000))  # 290 kB: over the limit and margin

    assert response.status_code == 413  # cut by Werkzeug while reading the request
    assert _count(app) == 0


def test_page_takes_an_archive_bigger_than_other_requests(app, auth, client):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    app.config["COWORKING_MAX_ARCHIVE_BYTES"] = 1024 * 1024
    data = twitter_archive(1000)  # 290 kB
    auth.login_as("manager")

    response = _upload(auth, data)

    assert response.status_code == 302, _page(response)[:2000]
    assert _count(app) == 1000
    # Only the import page is raised: any other form still stops at MAX_CONTENT_LENGTH.
    response = auth.post(
        "/community/documents",
        {"file": (io.BytesIO(data), "big.pdf"), "title": "Gros"},
        token_from="/community/documents",
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_page_shows_the_archive_limit(app, auth, client):
    app.config["COWORKING_MAX_ARCHIVE_BYTES"] = 100 * 1024 * 1024
    auth.login_as("manager")

    assert "100 Mo au plus" in client.get(IMPORT_PAGE).get_data(as_text=True)


def test_cli_refuses_an_archive_over_the_limit_naming_it(app, runner, tmp_path):
    app.config["COWORKING_MAX_ARCHIVE_BYTES"] = 1024 * 1024
    path = tmp_path / "tweets.js"
    path.write_bytes(twitter_archive(5000))

    result = runner.invoke(args=["import-mentions", str(path)])

    assert result.exit_code != 0
    assert "Le fichier dépasse 1 Mo, la taille maximale d'une archive" in result.output
    assert "Rien n'a été importé" in result.output
    assert _count(app) == 0


def test_too_many_posts_are_refused_before_any_write(app, auth, monkeypatch):
    monkeypatch.setattr(mention_import, "MAX_POSTS", 50, raising=False)
    auth.login_as("manager")

    response = _upload(auth, twitter_archive(51))

    assert response.status_code == 400
    assert "plus de 50 publications à importer, la limite d'un import" in _page(response)
    assert _count(app) == 0
    assert _upload(auth, twitter_archive(50)).status_code == 302
    assert _count(app) == 50


# --- memory and the write lock ----------------------------------------------------------------


def test_import_memory_does_not_grow_with_the_posts(app_ctx):
    """The probe's 200,000 posts took 1.1 GB: every post was held in a list, then a dict."""
    data = twitter_archive(10_000)  # 2.9 MB
    already_tracing = tracemalloc.is_tracing()
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = mention_import.import_archive(io.BytesIO(data), filename="tweets.js")
        db.session.commit()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not already_tracing:
            tracemalloc.stop()
    assert result.created == 10_000
    # A batch of posts and a read chunk; holding all the posts took 30 MB here.
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def _other_writer_can_write(app) -> bool:
    connection = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    try:
        connection.execute("PRAGMA busy_timeout = 0")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def test_page_reads_without_the_lock_and_writes_in_short_transactions(app, auth, monkeypatch):
    monkeypatch.setattr(mention_import, "WRITE_BATCH", 100, raising=False)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    lock_free_while_reading: list[bool] = []
    read = archive_stream.ByteSource.read

    def probing_read(self):
        if sqlite:
            lock_free_while_reading.append(_other_writer_can_write(app))
        return read(self)

    monkeypatch.setattr(archive_stream.ByteSource, "read", probing_read)
    inserted_per_transaction = [0]

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO MENTION"):
            inserted_per_transaction[-1] += len(parameters) if executemany else 1

    def on_commit(conn):
        inserted_per_transaction.append(0)

    with app.app_context():
        engine = db.engine
    auth.login_as("manager")
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        response = _upload(auth, twitter_archive(1000))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)

    assert response.status_code == 302
    assert _count(app) == 1000
    # Kiosks write between two batches: no transaction holds more than one batch.
    assert max(inserted_per_transaction) == 100
    assert sum(inserted_per_transaction) == 1000
    if sqlite:
        assert lock_free_while_reading and all(lock_free_while_reading)


def test_a_bad_post_after_several_batches_writes_nothing(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(mention_import, "WRITE_BATCH", 10, raising=False)
    items = [tweet(n) for n in range(59)] + [tweet(59, favorite_count="beaucoup")]
    path = tmp_path / "tweets.js"
    path.write_bytes(tweets_js(items))

    result = runner.invoke(args=["import-mentions", str(path)])

    assert result.exit_code != 0
    assert "élément 60, champ « favorite_count »" in result.output
    assert _count(app) == 0


def test_batches_keep_the_last_copy_and_audit_once(app_ctx, monkeypatch):
    monkeypatch.setattr(mention_import, "WRITE_BATCH", 2)
    data = tweets_js([tweet(0), tweet(1), tweet(2), tweet(0, favorite_count="40")])

    with mention_import.check_archive(io.BytesIO(data)) as archive:
        steps = sum(1 for _step in mention_import.write_archive(archive))
    db.session.flush()

    assert steps == 2
    likes = db.session.scalars(select(Mention.likes).order_by(Mention.external_id)).all()
    assert likes == [40, 3, 3]
    imports = select(func.count(AuditEntry.id)).where(AuditEntry.action == "mention.import")
    assert db.session.scalar(imports) == 1


# --- values Python or the database cannot hold ------------------------------------------------


@pytest.mark.parametrize(("name", "filename", "data", "where"), EDGE_ARCHIVES, ids=EDGE_IDS)
def test_page_refuses_edge_values_naming_the_field(app, auth, name, filename, data, where):
    auth.login_as("manager")

    response = _upload(auth, data, filename)

    assert response.status_code == 400
    body = _page(response)
    assert "Rien n'a été importé" in body
    assert where in body
    assert _count(app) == 0


@pytest.mark.parametrize(("name", "filename", "data", "where"), EDGE_ARCHIVES, ids=EDGE_IDS)
def test_cli_refuses_edge_values_naming_the_field(
    app, runner, tmp_path, name, filename, data, where
):
    path = tmp_path / filename
    path.write_bytes(data)

    result = runner.invoke(args=["import-mentions", str(path)])

    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert where in result.output and "Rien n'a été importé" in result.output
    assert _count(app) == 0


def test_postgresql_learns_the_table_size_while_a_big_import_grows_it(app_ctx, monkeypatch):
    """Stale statistics made PostgreSQL scan the whole table for each batch's lookup."""
    monkeypatch.setattr(mention_import, "WRITE_BATCH", 500)
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("ANALYZE mention"))  # as a fresh installation: no rows
        db.session.commit()

    with mention_import.check_archive(io.BytesIO(twitter_archive(3000))) as archive:
        for _step in mention_import.write_archive(archive):
            db.session.commit()

    assert db.session.scalar(select(func.count(Mention.id))) == 3000
    if postgresql:
        estimate = db.session.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = 'mention'")
        )
        assert estimate >= 2000  # analysed after batches 1, 2 and 4 of 6
