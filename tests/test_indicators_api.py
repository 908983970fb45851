"""The indicators through the API and the command line: the same numbers as the functions."""

from __future__ import annotations

import json

from coworking.extensions import db
from coworking.stats.definitions import INDICATORS
from tests.test_indicators import EXPECTED, build_quarter


def test_api_gives_the_period_and_every_indicator(client, auth, app):
    with app.app_context():
        build_quarter()
    auth.login_as("viewer")
    response = client.get("/api/v1/indicators?from=2024-01-01&to=2024-03-31")
    assert response.status_code == 200
    payload = response.get_json()
    assert payload["period"] == {"from": "2024-01-01", "to": "2024-03-31", "days": 91}
    assert payload["indicators"] == EXPECTED


def test_api_refuses_bad_or_reversed_ranges_in_json(client, auth):
    auth.login_as("viewer")
    reversed_range = client.get("/api/v1/indicators?from=2024-03-31&to=2024-01-01")
    assert reversed_range.status_code == 400
    assert reversed_range.is_json and reversed_range.get_json()["field"] == "to"
    bad = client.get("/api/v1/indicators?from=2024-02-30&to=2024-03-01")
    assert bad.status_code == 400 and "2024-02-30" in bad.get_json()["error"]
    half = client.get("/api/v1/indicators?from=2024-01-01")
    assert half.status_code == 400 and half.get_json()["field"] == "to"
    assert client.get("/api/v1/indicators").status_code == 200  # this year by default


def test_api_needs_a_login_or_a_token(client, app):
    response = client.get("/api/v1/indicators")
    assert response.status_code == 401 and response.is_json
    with app.app_context():
        from coworking.auth import services

        _token, clear = services.create_api_token("tableau de bord", "viewer")
        db.session.commit()
    ok = client.get("/api/v1/indicators", headers={"Authorization": f"Bearer {clear}"})
    assert ok.status_code == 200 and set(ok.get_json()["indicators"]) == set(INDICATORS)


def test_cli_json_and_french_table(runner, app):
    with app.app_context():
        build_quarter()
    result = runner.invoke(
        args=["indicators", "--from", "2024-01-01", "--to", "2024-03-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["indicators"] == EXPECTED
    table = runner.invoke(args=["indicators", "--from", "2024-01-01", "--to", "2024-03-31"])
    assert table.exit_code == 0
    assert "Événements organisés" in table.output and "91\u00a0%" in table.output
    bad = runner.invoke(args=["indicators", "--from", "2024-03-31", "--to", "2024-01-01"])
    assert bad.exit_code != 0 and "précède" in bad.output
