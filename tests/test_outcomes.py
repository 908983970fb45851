"""Outcomes: recorded from a member's link, testimonials with consent, listed by kind."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from coworking.community import services
from coworking.community.models import Outcome
from coworking.database import utcnow
from coworking.extensions import db
from tests.factories import make_event, make_member, make_outcome, make_partner


def test_new_outcome_preselects_the_member(app, client, auth):
    with app.app_context():
        lea = make_member(first_name="Léa", last_name="Martin")
        make_member(first_name="Paul", last_name="Durand")
        db.session.commit()
        lea_id = lea.id
    auth.login_as("manager")
    page = client.get(f"/community/outcomes/new?member_id={lea_id}").get_data(as_text=True)
    # Checkboxes, not a multiple select (a plain click no longer drops the others).
    assert re.search(
        rf'<input checked id="member_ids-0" name="member_ids" type="checkbox" value="{lea_id}">',
        page,
    )
    assert "<select multiple" not in page and "Paul Durand" not in page
    # The picker's search finds the others, to tick.
    found = client.get(f"/community/outcomes/new?member_id={lea_id}&member_find=dur")
    body = found.get_data(as_text=True)
    assert f'id="member-found-{lea_id + 1}"' in body and "Paul Durand" in body
    # An unknown or non-numeric id simply pre-selects nobody.
    assert client.get("/community/outcomes/new?member_id=999").status_code == 200
    assert client.get("/community/outcomes/new?member_id=abc").status_code == 200


def test_record_outcome_with_testimonial_and_consent(app, client, auth):
    with app.app_context():
        lea = make_member(first_name="Léa", last_name="Martin")
        event = make_event(title="Twapéro de mars")
        bar = make_partner(name="Bar Ginette", kind="lieu")
        db.session.commit()
        lea_id, event_id, bar_id = lea.id, event.id, bar.id
    auth.login_as("manager")
    response = auth.post(
        "/community/outcomes/new",
        {
            "kind": "stage",
            "title": "Stage trouvé au twapéro",
            "description": "Son tuteur la croisait à chaque twapéro.",
            "happened_on": "2024-04-02",
            "member_ids": [str(lea_id)],
            "event_id": str(event_id),
            "partner_id": str(bar_id),
            "testimonial": "J'ai trouvé mon stage en buvant un café.",
            "testimonial_author": "Léa, étudiante",
            "consent": "y",
            "consent_on": "2024-04-10",
            "next": "/members/1",
        },
        token_from="/community/outcomes/new",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/1"
    with app.app_context():
        outcome = db.session.scalar(select(Outcome))
        assert [m.id for m in outcome.members] == [lea_id]
        assert (outcome.event_id, outcome.partner_id) == (event_id, bar_id)
        assert outcome.consent_publish_at is not None
        assert services.published_testimonials() == [outcome]
    page = client.get("/community/outcomes").get_data(as_text=True)
    assert "Stage trouvé au twapéro" in page and "Léa Martin" in page
    assert "J&#39;ai trouvé mon stage" in page and "Publication acceptée le 10 avril 2024" in page
    assert "Twapéro de mars" in page and "Bar Ginette" in page


def test_consent_needs_a_testimonial_and_a_past_date(app, client, auth):
    auth.login_as("manager")
    base = {"kind": "emploi", "title": "CDI", "happened_on": "2024-04-02"}
    response = auth.post(
        "/community/outcomes/new",
        base | {"consent": "y", "consent_on": "2024-04-10"},
        token_from="/community/outcomes/new",
    )
    assert response.status_code == 400
    assert "saisissez le témoignage" in response.get_data(as_text=True)
    response = auth.post(
        "/community/outcomes/new",
        base | {"testimonial": "Super", "consent": "y", "consent_on": "2199-01-01"},
        token_from="/community/outcomes/new",
    )
    assert response.status_code == 400
    assert "ne peut pas être future" in response.get_data(as_text=True)
    response = auth.post(
        "/community/outcomes/new",
        base | {"kind": "inconnu"},
        token_from="/community/outcomes/new",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Outcome)) is None


def test_testimonial_without_consent_is_kept_but_not_publishable(app, app_ctx):
    outcome = services.save_outcome(
        None,
        {
            "kind": "collaboration",
            "title": "Site web à quatre mains",
            "happened_on": date(2024, 2, 1),
            "testimonial": "On s'est rencontrés ici.",
        },
    )
    db.session.commit()
    assert outcome.testimonial and outcome.consent_publish_at is None
    assert services.published_testimonials() == []


def test_edit_outcome_and_viewer_refused(app, client, auth):
    with app.app_context():
        member = make_member()
        outcome = make_outcome(title="Avant", members=[member])
        db.session.commit()
        outcome_id, member_id = outcome.id, member.id
    auth.login_as("viewer")
    assert client.get(f"/community/outcomes/{outcome_id}/edit").status_code == 403
    assert client.get("/community/outcomes/new").status_code == 403
    assert auth.post(f"/community/outcomes/{outcome_id}/delete").status_code == 403
    auth.logout()
    auth.login_as("manager")
    form = client.get(f"/community/outcomes/{outcome_id}/edit").get_data(as_text=True)
    assert (
        f'<input checked id="member_ids-0" name="member_ids" type="checkbox" value="{member_id}">'
        in form
    )
    response = auth.post(
        f"/community/outcomes/{outcome_id}/edit",
        {"kind": "emploi", "title": "Après", "happened_on": "2024-06-01"},
        token_from=f"/community/outcomes/{outcome_id}/edit",
    )
    assert response.status_code == 302
    with app.app_context():
        outcome = db.session.get(Outcome, outcome_id)
        assert outcome.title == "Après" and outcome.kind == "emploi" and outcome.members == []


def test_outcomes_listed_by_kind_with_constant_queries(app, client, auth, count_queries):
    auth.login_as("viewer")

    def add(n):
        with app.app_context():
            partner = make_partner()
            for i in range(n):
                event = make_event()
                make_outcome(
                    kind=("stage", "emploi", "entreprise")[i % 3],
                    members=[make_member(), make_member()],
                    event_id=event.id,
                    partner_id=partner.id,
                    testimonial="Merci !",
                    consent_publish_at=utcnow(),
                )
            db.session.commit()

    add(3)
    with count_queries() as small:
        page = client.get("/community/outcomes").get_data(as_text=True)
    assert page.index("Stage") < page.index("Emploi") < page.index("Entreprise créée")
    with count_queries() as small_index:
        client.get("/community")
    add(30)
    with count_queries() as large:
        client.get("/community/outcomes")
    with count_queries() as large_index:
        client.get("/community")
    assert large.count == small.count
    assert large_index.count == small_index.count
    only = client.get("/community/outcomes?kind=emploi").get_data(as_text=True)
    assert "<h2>Emploi" in only and "<h2>Entreprise créée" not in only and "<h2>Stage" not in only


def test_member_picker_search_without_javascript_keeps_the_form(app, client, auth):
    with app.app_context():
        lea = make_member(first_name="Léa", last_name="Martin")
        paul = make_member(first_name="Paul", last_name="Durand")
        db.session.commit()
        lea_id, paul_id = lea.id, paul.id
    auth.login_as("manager")
    form = {
        "kind": "stage",
        "title": "Stage trouvé",
        "happened_on": "2024-04-02",
        "member_ids": [str(lea_id)],
        "member_find": "durand",
        "find_members": "1",
    }
    response = auth.post("/community/outcomes/new", form, token_from="/community/outcomes/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Stage trouvé"' in body  # what was typed stays
    assert f'id="member-found-{paul_id}"' in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Outcome)) == 0
    del form["find_members"]
    form["member_ids"] = [str(lea_id), str(paul_id)]
    response = auth.post("/community/outcomes/new", form, token_from="/community/outcomes/new")
    assert response.status_code == 302
    with app.app_context():
        outcome = db.session.scalar(db.select(Outcome))
        assert sorted(member.id for member in outcome.members) == sorted([lea_id, paul_id])


def test_event_co_organisers_are_checkboxes(app, client, auth):
    with app.app_context():
        for name in ("Bar Ginette", "École du Web"):
            make_partner(name=name)
        db.session.commit()
    auth.login_as("manager")
    page = client.get("/events/new").get_data(as_text=True)
    assert '<fieldset class="choices" data-choice-filter=' in page
    assert 'name="partners" type="checkbox"' in page and "<select multiple" not in page
