"""The dossier as an application (issue 14): the applicant's texts, evidence, points, bridge,
commitment, photos, whole months, the preview, the plan, a fresh installation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from coworking.extensions import db
from coworking.label import commitment as commitment_services
from coworking.label import dossier_build, narratives
from coworking.label.action_plan import action_plan
from coworking.label.criteria import ensure_default_criteria
from coworking.label.markdown_text import MAX_TEXT_CHARS, render_markdown
from coworking.label.models import Criterion, Narrative, NarrativeRevision
from coworking.label.narrative_drafts import draft_text
from coworking.label.readiness import evaluate
from coworking.periods import Period
from coworking.stats.indicators import compute_indicators
from tests.conftest import csrf_token
from tests.factories import (
    make_document,
    make_member,
    make_membership,
    make_outcome,
    make_partner,
    sample_pdf,
    sample_png,
)
from tests.scenarios_dossier import build_year
from tests.test_dossier import pdftotext

YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))
HOSTILE = (
    "<script>alert(1)</script>\n\n"
    '<img src="file:///etc/passwd">\n\n'
    "[x](javascript:alert(1)) [ok](https://example.org/a)\n\n"
    "![](http://127.0.0.1/)\n\n"
    "![chat](file:///etc/passwd)\n"
)


# -- Markdown ---------------------------------------------------------------------------------


def test_hostile_markdown_is_text_never_a_tag_a_live_link_or_an_image():
    html = str(render_markdown(HOSTILE))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript' not in html and "javascript:alert(1)" in html  # shown as text
    assert '<a href="https://example.org/a">ok</a>' in html
    assert "127.0.0.1" not in html  # an image is its alt text only, the URL is dropped
    assert "[chat]" in html


def test_markdown_headings_sit_under_the_section_heading():
    assert "<h4>Titre</h4>" in str(render_markdown("# Titre"))


# -- texts, revisions, the shell ------------------------------------------------------------------


def test_texts_keep_their_revisions_with_who_and_when(app_ctx):
    narratives.save_narrative("project", "fr", "Premier jet", "a@example.org")
    narratives.save_narrative("project", "fr", "Premier jet", "b@example.org")  # unchanged
    narratives.save_narrative("project", "fr", "Second jet", "b@example.org")
    db.session.commit()
    narrative = db.session.scalar(select(Narrative).where(Narrative.key == "project"))
    assert narrative.body == "Second jet" and narrative.updated_by == "b@example.org"
    revisions = db.session.scalars(select(NarrativeRevision).order_by(NarrativeRevision.id)).all()
    assert [(r.body, r.changed_by) for r in revisions] == [
        ("Premier jet", "a@example.org"),
        ("Second jet", "b@example.org"),
    ]


def test_a_text_over_the_limit_is_refused_naming_the_field_and_nothing_is_saved(app_ctx):
    with pytest.raises(narratives.NarrativeError) as caught:
        narratives.save_narrative("project", "fr", "x" * (MAX_TEXT_CHARS + 1), None)
    assert caught.value.field == "body"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Narrative)) == 0


def test_narrative_commands_list_and_set(app, runner, tmp_path):
    result = runner.invoke(args=["narrative", "list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [s.key for s in narratives.NARRATIVE_SECTIONS]
    good = tmp_path / "projet.md"
    good.write_text("Le **projet** de Maine Labs.", encoding="utf-8")
    result = runner.invoke(args=["narrative", "set", "project", "--file", str(good)])
    assert result.exit_code == 0, result.output
    latin = tmp_path / "latin.md"
    latin.write_bytes("Projet été".encode("latin-1"))
    result = runner.invoke(args=["narrative", "set", "project", "--file", str(latin)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    long = tmp_path / "long.md"
    long.write_text("é" * (MAX_TEXT_CHARS + 1), encoding="utf-8")
    result = runner.invoke(args=["narrative", "set", "project", "--file", str(long)])
    assert result.exit_code != 0 and "--file" in result.output
    result = runner.invoke(args=["narrative", "set", "nope", "--file", str(good)])
    assert result.exit_code != 0 and "Section inconnue" in result.output
    with app.app_context():
        assert db.session.scalar(select(Narrative.body)) == "Le **projet** de Maine Labs."


def test_the_draft_is_built_from_the_period_figures_and_is_deterministic(app_ctx):
    build_year(events=12)
    db.session.commit()
    text = draft_text("project", YEAR, "fr")
    held = compute_indicators(YEAR, ["events_held"])["events_held"]
    assert text.startswith(f"Du 1er janvier 2024 au 31 décembre 2024, Maine Labs a organisé {held}")
    assert draft_text("project", YEAR, "fr") == text


# -- declarations, evidence, proposals, points -------------------------------------------------


def test_declarations_show_their_values_and_the_data_is_proposed(app_ctx):
    build_year()
    ensure_default_criteria()
    db.session.commit()
    results = {r.code: r for r in evaluate(YEAR).results}
    assert results["OUV-4"].value_text == "5 jours par semaine, pass journée : oui"
    assert results["GOV-1"].value_text == "Association loi 1901, statuts à joindre"
    assert "statuts" in results["GOV-1"].proposal
    assert "20\u00a0000\u00a0€" in results["PART-2"].value_text  # the budget's subsidies
    assert "lettre de soutien" in results["PART-2"].proposal
    assert results["ECO-1"].value_text == "budget 2024"
    readiness = evaluate(YEAR)
    assert readiness.points == sum(r.weight for r in readiness.results if r.met)
    assert readiness.score == round(readiness.points / readiness.total_points, 4)


def test_readiness_command_says_how_to_load_criteria_when_there_is_none(app, runner):
    result = runner.invoke(args=["readiness", "--from", "2024-01-01", "--to", "2024-12-31"])
    assert result.exit_code != 0
    assert "load-criteria" in result.output
    assert runner.invoke(args=["load-criteria"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Criterion)) == 20


# -- members bridge, partners ------------------------------------------------------------------


def test_the_members_bridge_adds_up_with_a_returning_member(app_ctx):
    back = make_member()
    make_membership(back, starts_on=date(2022, 1, 1), ends_on=date(2022, 12, 31))
    make_membership(back, starts_on=date(2024, 3, 1), ends_on=date(2025, 2, 28))
    old = make_member()
    make_membership(old, starts_on=date(2023, 6, 1), ends_on=date(2024, 5, 31))
    new = make_member(joined_on=date(2020, 1, 1))  # signed up long ago, first membership in 2024
    make_membership(new, starts_on=date(2024, 6, 1), ends_on=date(2025, 5, 31))
    db.session.commit()
    v = compute_indicators(YEAR)
    assert (v["members_at_start"], v["members_new"], v["members_returning"]) == (1, 1, 1)
    assert (v["members_left"], v["members_at_end"]) == (1, 2)
    assert (
        v["members_at_start"] + v["members_new"] + v["members_returning"] - v["members_left"]
        == v["members_at_end"]
    )
    assert v["members_active"] == 3


# -- the whole dossier, printed ---------------------------------------------------------------


@pytest.fixture
def application(app_ctx):
    """A year of data with texts, statutes on GOV-1, photos, a signature and a commitment."""
    data = build_year(events=12)
    ensure_default_criteria()
    statutes = make_document(sample_pdf("STATUTS DE MAINE LABS"), title="Statuts", kind="statutes")
    gov = db.session.scalar(select(Criterion).where(Criterion.code == "GOV-1"))
    gov.documents.append(statutes)
    narratives.save_narrative("project", "fr", "Notre **projet** : UN-LIEU-OUVERT.", "a@x.org")
    narratives.save_narrative("values", "fr", "- Partage\n- Ouverture\n- Transmission", "a@x.org")
    narratives.save_narrative("action_plan", "fr", HOSTILE, "a@x.org")
    commitment_services.save_commitment(
        text="",
        signatory_name="Claire Présidente",
        signatory_role="Présidente",
        place="Angers",
        signed_on=date(2025, 1, 15),
        by="a@x.org",
    )
    commitment_services.set_signature(
        sample_png(300, 100), "signature.png", by="a@x.org", max_bytes=10_000_000
    )
    for number in range(3):
        commitment_services.add_photo(
            sample_png(800, 600),
            f"photo{number}.png",
            f"Photo-légende-{number}",
            by="a@x.org",
            max_bytes=10_000_000,
        )
    member = data["members"][0]
    make_outcome(
        title="Collaboration née au coworking",
        happened_on=date(2024, 5, 2),
        testimonial="Un témoignage sans auteur saisi.",
        consent_publish_at=db.func.now(),
        members=[member],
    )
    db.session.commit()
    return data


def test_the_dossier_prints_the_application_and_it_adds_up(application, tmp_path, client, auth):
    build = dossier_build.build_dossier(YEAR)
    lines = pdftotext(build.pdf, tmp_path)
    text = " ".join(lines.split())
    assert "UN-LIEU-OUVERT" in text and "Notre projet" in text
    # The hostile text is text: its script and image never become live content.
    assert "javascript:alert(1)" in text and "passwd" not in build.pdf.decode("latin-1")
    for heading in ("Programme", "Ouverture", "Partage", "Gouvernance", "Territoire"):
        assert re.search(rf"^{heading}\s+\d+ / \d+ points$", lines, re.M), heading
    readiness = evaluate(YEAR)
    total = f"{readiness.points:g} / {readiness.total_points:g} points"
    assert f"Total : {total}" in text
    assert "5 jours par semaine, pass journée : oui" in text
    assert "Association loi 1901, statuts joints" in text
    assert re.search(r"Annexe 1 — Statuts, p\. \d+", text)
    assert re.search(r"Liste des événements, p\. \d+", text)
    # Members bridge: at the start + new + returning − left = at the end.
    v = compute_indicators(YEAR)
    assert (
        v["members_at_start"] + v["members_new"] + v["members_returning"] - v["members_left"]
        == v["members_at_end"]
    )
    assert "Membres au début + nouveaux + retours − départs = membres à la fin" in text
    # The commitment, its signatory, the photos' captions.
    assert "Claire Présidente" in text and "Réseau des Cantines" in text
    for number in range(3):
        assert f"Photo-légende-{number}" in text
    # The testimonial is signed as /community signs it.
    db.session.commit()
    auth.login_as("admin")
    community = client.get("/community/outcomes").get_data(as_text=True)
    name = application["members"][0].full_name
    assert name in community
    assert f"{name} — Collaboration née au coworking" in text
    assert build.snapshot["texts"]["project"] == "Notre **projet** : UN-LIEU-OUVERT."
    assert build.snapshot["commitment"]["signatory"] == "Claire Présidente"


def test_a_year_of_whole_months_draws_twelve_bars(app_ctx):
    build_year(events=12)
    db.session.commit()
    from coworking.label.dossier_figures import figures_for_dossier

    chart = figures_for_dossier(Period.last_12_months(date(2024, 12, 15)), "fr").draw_charts()[
        "events"
    ]
    assert len(chart.table.rows) == 12


def test_a_cut_month_is_labelled_by_its_days(app_ctx):
    from coworking.stats.chart_data import month_labels

    period = Period(date(2025, 11, 30), date(2026, 11, 29))
    labels = month_labels(period.months(), period)
    assert labels[0] == "30 nov. 2025" and labels[-1] == "1–29 nov. 2026"


def test_a_signature_that_is_not_an_image_is_refused_naming_the_field(app_ctx):
    with pytest.raises(commitment_services.CommitmentError) as caught:
        commitment_services.set_signature(
            sample_pdf(), "signature.pdf", by=None, max_bytes=10_000_000
        )
    assert caught.value.field == "signature"


def test_a_photo_over_the_pixel_cap_is_refused_naming_the_field(app_ctx, monkeypatch):
    from coworking.documents import file_checks

    monkeypatch.setattr(file_checks, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(commitment_services.CommitmentError) as caught:
        commitment_services.add_photo(
            sample_png(100, 100), "grande.png", "Trop grande", by=None, max_bytes=10_000_000
        )
    assert caught.value.field == "photo"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 0


# -- pages ---------------------------------------------------------------------------------------


def test_the_preview_shows_the_dossier_from_the_same_templates(application, client, auth):
    db.session.commit()
    auth.login_as("viewer")
    page = client.get("/label/dossiers/preview?from=2024-01-01&to=2024-12-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "UN-LIEU-OUVERT" in html and "Grille des critères" in html
    assert "<script>alert" not in html
    assert client.get("/label/dossiers/preview?from=2024-13-01&to=2024-12-31").status_code == 400


def test_the_writing_page_saves_drafts_and_refuses_long_texts(app, client, auth):
    # Requests run outside any outer app context: flask_wtf keeps the CSRF token in `g`.
    auth.login_as("admin")
    assert client.get("/label/writing?draft=project").status_code == 200
    token = csrf_token(client, "/label/writing")
    response = client.post(
        "/label/writing/project?lang=fr",
        data={"body": "x" * (MAX_TEXT_CHARS + 1), "csrf_token": token},
    )
    assert response.status_code == 400
    assert "au plus" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Narrative)) == 0
    response = client.post(
        "/label/writing/project?lang=fr", data={"body": "Un texte.", "csrf_token": token}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Narrative.body)) == "Un texte."


def test_evidence_is_attached_from_the_criterion_row(app, client, auth):
    with app.app_context():
        ensure_default_criteria()
        statutes_id = make_document(sample_pdf(), title="Statuts", kind="statutes").id
        gov_id = db.session.scalar(select(Criterion.id).where(Criterion.code == "GOV-1"))
        db.session.commit()
    auth.login_as("admin")
    response = auth.post(
        f"/label/criteria/{gov_id}/evidence", {"document_id": statutes_id}, token_from="/label"
    )
    assert response.status_code == 303
    with app.app_context():
        assert [d.title for d in db.session.get(Criterion, gov_id).documents] == ["Statuts"]
        assert evaluate(YEAR).results[11].code == "GOV-1"


def test_the_action_plan_gives_the_gap_the_pace_and_a_date(app_ctx):
    build_year(start=date(2023, 1, 1), events=6)
    build_year(start=date(2024, 1, 1), events=12)
    db.session.commit()
    readiness = evaluate(YEAR)
    steps = {step.code: step for step in action_plan(readiness)}
    prog = steps["PROG-1"]
    assert prog.pace and prog.pace > 0
    assert prog.reach_on is None or prog.reach_on > YEAR.end
    assert "par mois" in prog.pace_text


def test_a_partner_is_credited_from_the_start_of_its_partnership(app_ctx):
    from coworking.label.dossier_data import gather_data
    from tests.factories import make_event

    late = make_partner(name="Partenaire tardif", since=date(2024, 10, 1))
    make_event(day=date(2024, 3, 5), partners=[late])
    make_event(day=date(2024, 11, 5), partners=[late])
    db.session.commit()
    data = gather_data(YEAR, "fr")
    row = next(r for r in data.partners if r["partner"].id == late.id)
    assert row["coorganised"] == 1
    assert data.partner_note == {"rows": 1, "total": 2, "several": 0, "before": 1}
