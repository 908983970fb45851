"""Mention imports against hostile archives: size, memory, write lock, edge values."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from coworking.community.models import Mention
from coworking.extensions import db
from tests.hostile_archives import EDGE_ARCHIVES

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
