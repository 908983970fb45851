"""Partners: form, link checks, filters, the partner page with events and documents."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from coworking.extensions import db
from coworking.partners.models import Partner
from tests.factories import make_document, make_event, make_partner


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_manager_creates_a_partner_with_several_roles(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/partners/new",
        {
            "name": "Le Bar du Coin",
            "kind": "lieu",
            "roles": ["hosts_events", "supports"],
            "since": "2012-09-01",
            "website": "https://bar-du-coin.example/",
            "contact_email": "Patron@Bar.example",
            "notes": "Accueille le twapéro\nchaque 2e jeudi",
        },
        token_from="/community/partners/new",
    )
    assert response.status_code == 302
    with app.app_context():
        partner = db.session.scalar(select(Partner))
        assert partner.name == "Le Bar du Coin"
        assert partner.hosts_events and partner.supports
        assert not partner.funds and not partner.founding_member
        assert partner.since == date(2012, 9, 1)
        assert partner.contact_email == "patron@bar.example"
        partner_id = partner.id
    page = client.get(f"/community/partners/{partner_id}").get_data(as_text=True)
    assert "Accueille des événements" in page and "Soutient" in page
    assert "Accueille le twapéro\nchaque 2e jeudi" in page


def test_javascript_link_is_refused_in_french_and_nothing_is_written(app, client, auth):
    auth.login_as("manager")
    for url in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example"):
        response = auth.post(
            "/community/partners/new",
            {"name": "Piège", "kind": "entreprise", "website": url},
            token_from="/community/partners/new",
        )
        assert response.status_code == 400, url
        body = response.get_data(as_text=True)
        assert "seules les adresses web en http:// ou https:// sont acceptées" in body
        assert 'href="javascript' not in body.lower()
    assert _count(app, Partner) == 0


def test_end_before_start_is_refused(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/partners/new",
        {"name": "X", "kind": "media", "since": "2020-01-01", "until": "2019-01-01"},
        token_from="/community/partners/new",
    )
    assert response.status_code == 400
    assert "La date de fin précède la date de début." in response.get_data(as_text=True)


def test_viewer_cannot_create_edit_or_delete(app, client, auth):
    with app.app_context():
        partner_id = make_partner(name="Intact").id
        db.session.commit()
    auth.login_as("viewer")
    assert client.get("/community/partners/new").status_code == 403
    assert auth.post(f"/community/partners/{partner_id}/delete").status_code == 403
    assert (
        auth.post(f"/community/partners/{partner_id}/edit", {"name": "Changé", "kind": "media"})
    ).status_code == 403
    assert client.get(f"/community/partners/{partner_id}").status_code == 200
    with app.app_context():
        assert db.session.get(Partner, partner_id).name == "Intact"


def test_list_filters_by_kind_role_status_and_name(app, client, auth):
    with app.app_context():
        make_partner(name="Mairie d'Angers", kind="collectivite", funds=True)
        make_partner(name="Bar Ginette", kind="lieu", hosts_events=True)
        make_partner(name="Ancienne école", kind="ecole", until=date(2015, 6, 30))
        db.session.commit()
    auth.login_as("viewer")

    def names(**query):
        body = client.get("/community/partners", query_string=query).get_data(as_text=True)
        return {n for n in ("Mairie", "Ginette", "Ancienne") if n in body}

    assert names() == {"Mairie", "Ginette", "Ancienne"}
    assert names(kind="lieu") == {"Ginette"}
    assert names(role="funds") == {"Mairie"}
    assert names(status="former") == {"Ancienne"}
    assert names(status="current") == {"Mairie", "Ginette"}
    assert names(q="GINE") == {"Ginette"}
    assert names(q="%") == set()


def test_partner_page_lists_hosted_and_co_organised_events_and_documents(app, client, auth):
    with app.app_context():
        bar = make_partner(name="Bar Ginette", kind="lieu")
        other = make_partner(name="Autre")
        make_event(
            title="Twapéro de mars",
            venue_partner_id=bar.id,
            starts_at=datetime(2024, 3, 14, 18, 30, tzinfo=UTC),
        )
        co = make_event(title="Barcamp", starts_at=datetime(2024, 5, 4, 8, tzinfo=UTC))
        co.partners.append(bar)
        unrelated = make_event(title="Atelier sans lien")
        unrelated.partners.append(other)
        make_document(title="Lettre de soutien du bar", kind="support_letter", partner_id=bar.id)
        db.session.commit()
        bar_id = bar.id
    auth.login_as("viewer")
    body = client.get(f"/community/partners/{bar_id}").get_data(as_text=True)
    assert "Twapéro de mars" in body and "lieu d'accueil" in body
    assert "Barcamp" in body and "co-organisateur" in body
    assert "Atelier sans lien" not in body
    assert "Lettre de soutien du bar" in body
    listing = client.get("/community/partners").get_data(as_text=True)
    assert '<td class="num">2</td>' in listing  # two events for the bar, counted in SQL


def test_edit_keeps_roles_and_delete_keeps_events(app, client, auth):
    with app.app_context():
        bar = make_partner(name="Bar", kind="lieu", hosts_events=True)
        event = make_event(title="Twapéro", venue_partner_id=bar.id)
        db.session.commit()
        bar_id, event_id = bar.id, event.id
    auth.login_as("manager")
    form = client.get(f"/community/partners/{bar_id}/edit").get_data(as_text=True)
    assert 'value="hosts_events" checked' in form or 'checked id="roles-0"' in form
    response = auth.post(
        f"/community/partners/{bar_id}/edit",
        {"name": "Bar renommé", "kind": "lieu", "roles": ["funds"]},
        token_from=f"/community/partners/{bar_id}/edit",
    )
    assert response.status_code == 302
    with app.app_context():
        partner = db.session.get(Partner, bar_id)
        assert partner.name == "Bar renommé" and partner.funds and not partner.hosts_events
    assert auth.post(f"/community/partners/{bar_id}/delete").status_code == 302
    from coworking.events.models import Event

    with app.app_context():
        assert db.session.get(Partner, bar_id) is None
        assert db.session.get(Event, event_id).venue_partner_id is None


def test_query_counts_do_not_grow_with_partners(app, client, auth, count_queries):
    auth.login_as("viewer")

    def add(n):
        with app.app_context():
            for _ in range(n):
                partner = make_partner(hosts_events=True)
                make_event(venue_partner_id=partner.id)
                make_document(partner_id=partner.id)
            db.session.commit()
            return partner.id

    partner_id = add(2)
    with count_queries() as small:
        assert client.get("/community/partners").status_code == 200
    with count_queries() as small_page:
        assert client.get(f"/community/partners/{partner_id}").status_code == 200
    add(30)
    with count_queries() as large:
        assert client.get("/community/partners").status_code == 200
    with count_queries() as large_page:
        assert client.get(f"/community/partners/{partner_id}").status_code == 200
    assert large.count == small.count
    assert large_page.count == small_page.count
