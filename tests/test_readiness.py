"""Label criteria and readiness: comparators, gaps, declarations, evidence, score, page and CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from coworking.extensions import db
from coworking.label.criteria import DEFAULT_CRITERIA, create_criterion, ensure_default_criteria
from coworking.label.models import Criterion
from coworking.label.readiness import compare, evaluate, gap_text
from coworking.periods import Period
from coworking.stats.definitions import INDICATORS
from tests import factories as f

YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


def only(*codes: str) -> None:
    """Keep only these criteria active."""
    for criterion in db.session.scalars(select(Criterion)):
        criterion.active = criterion.code in codes
    db.session.flush()


def result_of(readiness, code):
    return next(item for item in readiness.results if item.code == code)


def test_default_catalogue_matches_label_md():
    assert len(DEFAULT_CRITERIA) == 20
    codes = [c.code for c in DEFAULT_CRITERIA]
    assert len(set(codes)) == 20
    for criterion in DEFAULT_CRITERIA:
        if criterion.kind == "metric":
            assert criterion.indicator_key in INDICATORS, criterion.code
            assert criterion.target is not None
    targets = {c.code: c.target for c in DEFAULT_CRITERIA}
    assert targets["PROG-1"] == 200 and targets["OUV-1"] == 0.7 and targets["VIS-2"] == 500
    declarations = {c.code for c in DEFAULT_CRITERIA if c.kind == "declaration"}
    assert declarations == {"OUV-4", "GOV-1", "PART-2", "ECO-1"}


def test_ensure_default_criteria_is_idempotent_and_keeps_edits(app_ctx):
    assert ensure_default_criteria() == 20
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == "PROG-1"))
    criterion.target = 150
    db.session.delete(db.session.scalar(select(Criterion).where(Criterion.code == "VIS-1")))
    db.session.flush()
    assert ensure_default_criteria() == 1
    assert ensure_default_criteria() == 0
    assert db.session.scalar(select(func.count(Criterion.id))) == 20
    assert criterion.target == 150


@pytest.mark.parametrize(
    ("value", "comparator", "target", "met"),
    [
        (200, "ge", 200, True),
        (199, "ge", 200, False),
        (200, "gt", 200, False),
        (201, "gt", 200, True),
        (3, "le", 3, True),
        (4, "le", 3, False),
        (3, "lt", 3, False),
        (2, "lt", 3, True),
        (1, "eq", 1, True),
        (2, "eq", 1, False),
        (0.7, "ge", 0.7, True),
        (None, "ge", 1, False),
    ],
)
def test_compare(value, comparator, target, met):
    assert compare(value, comparator, target) is met


def test_gap_texts(app_ctx):
    assert gap_text("events_held", 162, "ge", 200) == "il manque 38 événements"
    assert gap_text("events_held", 199, "ge", 200) == "il manque 1 événement"
    assert gap_text("events_held", 200, "gt", 200) == "il manque 1 événement"
    assert gap_text("events_held", 200, "ge", 200) == ""
    assert gap_text("events_public_share", 0.58, "ge", 0.7) == "il manque 12 points"
    assert gap_text("press_articles", 5, "le", 3) == "2 articles de trop"
    assert gap_text("press_articles", 3, "lt", 3) == "1 article de trop"
    assert gap_text("general_assemblies", 2, "eq", 1) == "écart de 1"
    assert gap_text("events_public_share", None, "ge", 0.7) == "aucune donnée sur la période"


def test_each_comparator_kind_in_readiness(app_ctx):
    for day in range(1, 4):
        f.make_event(starts_at=f.paris(2024, 5, day), kind="atelier")
    create_criterion("T-GE", title="≥", pillar="Test", kind="metric", indicator_key="events_held", comparator="ge", target=3, weight=1)  # fmt: skip
    create_criterion("T-GT", title=">", pillar="Test", kind="metric", indicator_key="events_held", comparator="gt", target=3, weight=1)  # fmt: skip
    create_criterion("T-LE", title="≤", pillar="Test", kind="metric", indicator_key="events_held", comparator="le", target=2, weight=1)  # fmt: skip
    create_criterion("T-LT", title="<", pillar="Test", kind="metric", indicator_key="events_held", comparator="lt", target=4, weight=1)  # fmt: skip
    create_criterion("T-EQ", title="=", pillar="Test", kind="metric", indicator_key="events_held", comparator="eq", target=3, weight=2)  # fmt: skip
    readiness = evaluate(YEAR)
    met = {item.code: item.met for item in readiness.results}
    assert met == {"T-GE": True, "T-GT": False, "T-LE": False, "T-LT": True, "T-EQ": True}
    assert result_of(readiness, "T-LE").gap_text == "1 événement de trop"
    assert readiness.score == pytest.approx(4 / 6, abs=1e-4)
    assert [item.code for item in readiness.next_steps] == ["T-GT", "T-LE"]


def test_metric_values_come_from_the_indicators(app_ctx):
    ensure_default_criteria()
    for day in range(1, 11):
        f.make_event(starts_at=f.paris(2024, 3, day), kind="formation", is_public=day <= 6)
    readiness = evaluate(YEAR)
    prog1 = result_of(readiness, "PROG-1")
    assert (prog1.value, prog1.met, prog1.gap_text) == (10, False, "il manque 190 événements")
    ouv1 = result_of(readiness, "OUV-1")
    assert ouv1.value == 0.6 and ouv1.gap_text == "il manque 10 points"
    assert ouv1.target_text == "≥ 70\u00a0%"
    assert result_of(readiness, "PROG-3").value == 10
    assert readiness.indicators["events_held"] == 10


def test_declarations_checked_from_the_data_and_their_evidence(app_ctx):
    ensure_default_criteria()
    only("OUV-4", "GOV-1", "PART-2", "ECO-1")
    readiness = evaluate(YEAR)
    assert readiness.score == 0
    assert {item.gap_text for item in readiness.results} == {"déclaration à compléter"}

    f.make_space_profile(
        legal_form="Association loi 1901",
        day_pass_offered=True,
        opening_hours={str(day): "9h–19h" for day in range(5)},
    )
    f.make_budget_line(year=2024, direction="income")
    f.make_budget_line(year=2024, direction="expense")
    city = f.make_partner(kind="collectivite")
    company = f.make_partner(kind="entreprise")
    f.make_document(kind="support_letter", partner_id=company.id, title="Lettre d'une entreprise")
    readiness = evaluate(YEAR)
    ouv4, gov1, part2, eco1 = (
        result_of(readiness, c) for c in ("OUV-4", "GOV-1", "PART-2", "ECO-1")
    )
    assert (ouv4.met, ouv4.value) == (True, 5)
    assert (eco1.met, eco1.value) == (True, 2024)
    assert gov1.met is False and gov1.gap_text == "justificatif à joindre"
    assert part2.met is False and part2.evidence == []

    f.make_document(kind="statutes", title="Statuts 2011")
    f.make_document(
        kind="support_letter", partner_id=city.id, title="Lettre d'Angers Loire Métropole"
    )
    readiness = evaluate(YEAR)
    assert all(item.met for item in readiness.results)
    assert readiness.score == 1
    assert [d.title for d in result_of(readiness, "PART-2").evidence] == [
        "Lettre d'Angers Loire Métropole"
    ]


def test_a_declaration_met_by_statement_still_needs_its_evidence(app_ctx):
    ensure_default_criteria()
    only("GOV-1")
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == "GOV-1"))
    criterion.declared_met = True
    criterion.statement = "Association loi 1901 déclarée en préfecture en 2011."
    assert evaluate(YEAR).score == 0
    criterion.documents = [f.make_document(kind="other", title="Statuts (scan)")]
    db.session.flush()
    readiness = evaluate(YEAR)
    assert readiness.score == 1
    assert result_of(readiness, "GOV-1").statement.startswith("Association")


def test_open_days_below_target_or_no_day_pass_fail_ouv4(app_ctx):
    ensure_default_criteria()
    only("OUV-4")
    f.make_space_profile(day_pass_offered=False, opening_hours={str(d): "9h–18h" for d in range(6)})
    assert evaluate(YEAR).results[0].met is False


def test_readiness_query_count_is_constant(app_ctx, count_queries):
    ensure_default_criteria()
    db.session.commit()
    with count_queries() as empty:
        evaluate(YEAR)
    for day in range(1, 20):
        f.make_event(starts_at=f.paris(2024, 2, day), kind="atelier")
        f.make_document(kind="statutes")
    db.session.commit()
    with count_queries() as full:
        evaluate(YEAR)
    assert full.count == empty.count <= 7


def test_readiness_page(client, auth, app):
    with app.app_context():
        ensure_default_criteria()
        f.make_event(starts_at=f.paris(2024, 3, 1), kind="atelier")
        db.session.commit()
    auth.login_as("viewer")
    response = client.get("/label?from=2024-01-01&to=2024-12-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "PROG-1" in page and "il manque 199 événements" in page
    assert "Que faire ensuite" in page
    bad = client.get("/label?from=2024-12-31&to=2024-01-01")
    assert bad.status_code == 400
    assert "précède" in bad.get_data(as_text=True)


def test_readiness_cli_json_and_table(runner, app):
    with app.app_context():
        ensure_default_criteria()
        db.session.commit()
    result = runner.invoke(
        args=["readiness", "--from", "2024-01-01", "--to", "2024-12-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert 0 <= payload["score"] <= 1
    first = payload["criteria"][0]
    assert set(first) >= {"code", "title", "kind", "target", "value", "met", "evidence"}
    assert first["code"] == "PROG-1" and first["value"] == 0 and first["met"] is False
    table = runner.invoke(args=["readiness", "--from", "2024-01-01", "--to", "2024-12-31"])
    assert table.exit_code == 0 and "PROG-1" in table.output and "score" in table.output
    bad = runner.invoke(args=["readiness", "--from", "2024-13-01", "--to", "2024-12-31"])
    assert bad.exit_code != 0 and "--from" in bad.output


def test_admin_edits_a_criterion(client, auth, app):
    with app.app_context():
        ensure_default_criteria()
        db.session.commit()
        criterion_id = db.session.scalar(select(Criterion.id).where(Criterion.code == "OUV-1"))
    auth.login_as("admin")
    page = client.get(f"/admin/criteria/{criterion_id}")
    assert page.status_code == 200
    assert 'value="70"' in page.get_data(as_text=True)  # a share is edited as a percentage
    data = {
        "title": "Événements ouverts",
        "pillar": "Ouverture",
        "kind": "metric",
        "indicator_key": "events_public_share",
        "comparator": "ge",
        "target": "60",
        "weight": "3",
        "active": "y",
    }
    response = auth.post(f"/admin/criteria/{criterion_id}", data, token_from="/admin/criteria")
    assert response.status_code == 302
    with app.app_context():
        criterion = db.session.get(Criterion, criterion_id)
        assert (criterion.title, criterion.target, criterion.weight) == (
            "Événements ouverts",
            0.6,
            3,
        )
    bad = auth.post(
        f"/admin/criteria/{criterion_id}",
        {**data, "indicator_key": "", "kind": "metric"},
        token_from="/admin/criteria",
    )
    assert bad.status_code == 400
    assert "Choisissez l&#39;indicateur" in bad.get_data(as_text=True)
    created = auth.post("/admin/criteria", {**data, "code": "prog-9"}, token_from="/admin/criteria")
    assert created.status_code == 302
    duplicate = auth.post(
        "/admin/criteria", {**data, "code": "PROG-9"}, token_from="/admin/criteria"
    )
    assert duplicate.status_code == 400
    assert "PROG-9" in duplicate.get_data(as_text=True)
    defaults = auth.post("/admin/criteria/defaults", token_from="/admin/criteria")
    assert defaults.status_code == 302


def test_managers_cannot_edit_criteria(client, auth):
    auth.login_as("manager")
    assert client.get("/admin/criteria").status_code == 403
