"""Forms: every field checked in one round, handles and links validated, create forms saved once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from coworking.auth.models import ApiToken, User
from coworking.community.models import Outcome, PressArticle
from coworking.events.models import Attendance, Event, EventKind, EventSeries
from coworking.extensions import db
from coworking.forms import OnceForm, service_call
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.partners.models import Partner
from coworking.space.models import BoardMember, BudgetLine, CheckIn, GeneralAssembly
from coworking.submissions import FormSubmission, new_token
from tests import factories

TOKEN_RE = re.compile(r'name="submission"[^>]*value="([^"]+)"')
ALREADY = "Déjà enregistré"

EVENT = {
    "title": "Atelier Git",
    "kind": "atelier",
    "start_date": "2030-03-07",
    "start_time": "18:30",
    "end_time": "20:00",
    "is_public": "y",
    "is_free": "y",
}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _token(client, path: str) -> str:
    match = TOKEN_RE.search(client.get(path).get_data(as_text=True).replace("&#39;", "'"))
    assert match, f"no one-time token on {path}"
    return match.group(1)


# --- one round of errors ----------------------------------------------------------------------


def test_event_with_a_bad_link_and_an_end_before_its_start_shows_both_errors(app, client, auth):
    auth.login_as("manager")
    form = EVENT | {"url": "pas un lien", "end_time": "17:00", "is_free": "", "price": ""}
    response = auth.post("/events/new", form, token_from="/events/new")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert "seules les adresses web en http:// ou https:// sont acceptées" in body
    assert "La fin de l'événement est avant son début." in body
    assert "Indiquez le prix d'un événement payant." in body
    assert _count(app, Event) == 0


def test_event_end_date_before_start_and_missing_start_time_in_one_round(app, client, auth):
    auth.login_as("manager")
    form = EVENT | {"start_time": "", "end_date": "2030-03-01", "title": ""}
    body = (
        auth.post("/events/new", form, token_from="/events/new")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "La date de fin est avant la date de début." in body
    assert "Donnez un titre à l'événement." in body
    form = EVENT | {"start_time": ""}
    body = (
        auth.post("/events/new", form, token_from="/events/new")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Indiquez l'heure de début" in body
    assert _count(app, Event) == 0


def test_member_handles_postcode_and_linkedin_are_refused_together(app, client, auth):
    auth.login_as("manager")
    form = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "joined_on": "2026-01-05",
        "postcode": "ABCDE",
        "twitter": "@pas un pseudo !!",
        "mastodon": "pas@",
        "linkedin": "n importe quoi",
        "phone": "appelle-moi",
    }
    response = auth.post("/members/new", form, token_from="/members/new")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    for message in (
        "Code postal « ABCDE » invalide",
        "Compte Twitter/X « @pas un pseudo !! » invalide",
        "Compte Mastodon « pas@ » invalide",
        "Profil LinkedIn « n importe quoi » invalide",
        "Numéro de téléphone « appelle-moi » invalide",
    ):
        assert message in body.replace("'", "'"), message
    assert _count(app, Member) == 0


def test_member_handles_are_tidied_and_saved(app, client, auth):
    auth.login_as("manager")
    form = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "joined_on": "2026-01-05",
        "postcode": "49000",
        "twitter": "https://x.com/jean_dupont",
        "mastodon": "@jean@piaille.fr",
        "linkedin": "linkedin.com/in/jean-dupont",
    }
    response = auth.post("/members/new", form, token_from="/members/new")
    assert response.status_code == 302, response.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        member = db.session.scalar(select(Member))
        assert (member.twitter, member.mastodon, member.linkedin, member.postcode) == (
            "jean_dupont",
            "jean@piaille.fr",
            "https://www.linkedin.com/in/jean-dupont",
            "49000",
        )


@pytest.mark.parametrize(
    ("postcode", "valid"),
    [
        ("49000", True),
        ("4000", True),
        ("SW1A 1AA", True),
        ("1012 AB", True),
        ("ABCDE", False),
        ("49", False),
        ("1234567", False),
    ],
)
def test_postcodes(postcode, valid):
    from coworking.members.csv_values import InvalidValue, parse_postcode

    if valid:
        assert parse_postcode(postcode) == postcode
    else:
        with pytest.raises(InvalidValue):
            parse_postcode(postcode)


def test_member_email_clash_is_shown_with_the_other_errors(app, client, auth):
    with app.app_context():
        factories.make_member(email="pris@example.org")
        db.session.commit()
    auth.login_as("manager")
    form = {"joined_on": "2026-01-05", "email": "Pris@example.org", "postcode": "ABCDE"}
    body = (
        auth.post("/members/new", form, token_from="/members/new")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Un membre a déjà cette adresse e-mail." in body
    assert "Donnez au moins un nom ou un prénom." in body
    assert "Code postal « ABCDE » invalide" in body


def test_partner_and_press_links_and_dates_are_checked_in_the_form(app, client, auth):
    auth.login_as("manager")
    form = {
        "name": "Bar",
        "kind": "lieu",
        "website": "www exemple",
        "since": "2025-01-01",
        "until": "2024-01-01",
    }
    body = auth.post("/community/partners/new", form, token_from="/community/partners/new")
    text = body.get_data(as_text=True).replace("&#39;", "'")
    assert "seules les adresses web en http:// ou https:// sont acceptées" in text
    assert "La date de fin précède la date de début." in text
    form = {"title": "", "outlet": "Ouest-France", "published_on": "2025-01-01", "url": "ftp://x"}
    text = auth.post("/community/press/new", form, token_from="/community/press/new")
    text = text.get_data(as_text=True).replace("&#39;", "'")
    assert "Donnez le titre de l'article." in text
    assert "seules les adresses web en http:// ou https:// sont acceptées" in text
    assert _count(app, Partner) == _count(app, PressArticle) == 0


def test_space_profile_checks_its_link_postcode_siret_and_date_in_one_round(app, client, auth):
    auth.login_as("admin")
    form = {
        "name": "Maine Labs",
        "website": "pas un site",
        "postcode": "ABCDE",
        "siret": "123",
        "founded_on": "2999-01-01",
        "email": "pas une adresse",
    }
    body = (
        auth.post("/admin/space", form, token_from="/admin/space")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    for message in (
        "seules les adresses web",
        "Code postal « ABCDE » invalide",
        "SIRET",
        "La date de création ne peut pas être dans le futur.",
        "Adresse e-mail invalide.",
    ):
        assert message in body, message


# --- create forms saved once --------------------------------------------------------------------


def test_press_article_sent_twice_is_saved_once(app, client, auth):
    """Back, then submit again: the issue's duplicated press article."""
    auth.login_as("manager")
    token = _token(client, "/community/press/new")
    form = {
        "title": "Le coworking fête ses dix ans",
        "outlet": "Ouest-France",
        "published_on": "2025-05-02",
        "submission": token,
    }
    first = auth.post("/community/press/new", form, token_from="/community/press/new")
    assert first.status_code == 302
    again = auth.post("/community/press/new", form, token_from="/community/press/new")
    assert again.status_code == 400
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")
    assert _count(app, PressArticle) == 1


def test_the_same_press_article_typed_again_is_already_saved(app, client, auth):
    auth.login_as("manager")
    form = {"title": "Dix ans", "outlet": "Le Courrier", "published_on": "2025-05-02"}
    assert auth.post("/community/press/new", form, token_from="/").status_code == 302
    form |= {"title": "DIX ANS", "outlet": "le courrier"}
    again = auth.post("/community/press/new", form, token_from="/")
    assert again.status_code == 400
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")
    link = {"title": "Autre titre", "outlet": "Autre", "published_on": "2025-06-01"}
    link["url"] = "https://example.org/article"
    assert auth.post("/community/press/new", link, token_from="/").status_code == 302
    again = auth.post("/community/press/new", link | {"title": "Titre changé"}, token_from="/")
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")
    assert _count(app, PressArticle) == 2


def _setup_event(app) -> tuple[int, int, int]:
    with app.app_context():
        event = factories.make_event()
        member = factories.make_member()
        plan = factories.make_plan()
        db.session.commit()
        return event.id, member.id, plan.id


CREATE_FORMS = [
    # (the page with the form, where it posts, the form's fields, the model it adds)
    ("/members/new", "/members/new", {"last_name": "Neuf", "joined_on": "2026-01-05"}, Member),
    ("/events/new", "/events/new", EVENT, Event),
    (
        "/events/series/new",
        "/events/series/new",
        EVENT | {"rule": "weekly", "until": "2030-03-21", "nth": "1"},
        EventSeries,
    ),
    ("/admin/kinds", "/admin/kinds", {"label_fr": "Pique-nique"}, EventKind),
    (
        "/community/partners/new",
        "/community/partners/new",
        {"name": "Le Bar", "kind": "lieu"},
        Partner,
    ),
    (
        "/community/outcomes/new",
        "/community/outcomes/new",
        {"kind": "emploi", "title": "Un emploi", "happened_on": "2025-01-01"},
        Outcome,
    ),
    ("/admin/plans", "/admin/plans", {"name": "Carte 5", "kind": "monthly", "price": "5"}, None),
    (
        "/admin/space",
        "/admin/space/board",
        {"name": "Anne", "role": "Présidente"},
        BoardMember,
    ),
    ("/admin/space", "/admin/space/assemblies", {"held_on": "2025-06-01"}, GeneralAssembly),
    (
        "/admin/space",
        "/admin/space/budget",
        {
            "year": "2025",
            "direction": "expense",
            "category": "Loyer",
            "source": "",
            "amount": "1200",
        },
        BudgetLine,
    ),
    ("/checkins", "/checkins", {"visitor_name": "Paul", "duration": "full"}, CheckIn),
    ("/admin/tokens", "/admin/tokens", {"name": "Kiosque", "role": "manager"}, ApiToken),
    (
        "/admin/users",
        "/admin/users",
        {
            "email": "nouvelle@example.org",
            "password": "un mot de passe assez long",
            "confirm": "un mot de passe assez long",
            "role": "manager",
        },
        User,
    ),
]


@pytest.mark.parametrize(("page", "action", "form", "model"), CREATE_FORMS)
def test_every_create_form_sent_twice_saves_once(app, client, auth, page, action, form, model):
    auth.login_as("admin")
    model = model or MembershipPlan
    before = _count(app, model)
    token = _token(client, page)
    data = form | {"submission": token}
    first = auth.post(action, data, token_from=page)
    assert first.status_code in (200, 302), first.get_data(as_text=True).replace("&#39;", "'")[
        :2000
    ]
    assert _count(app, model) > before
    saved = _count(app, model)
    again = auth.post(action, data, token_from=page, follow_redirects=True)
    assert _count(app, model) == saved
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")


def test_membership_and_walk_in_sent_twice_save_once(app, client, auth):
    event_id, member_id, plan_id = _setup_event(app)
    auth.login_as("manager")
    page = f"/members/{member_id}"
    data = {"plan_id": str(plan_id), "starts_on": "2026-01-01", "submission": _token(client, page)}
    auth.post(f"/members/{member_id}/memberships", data, token_from=page)
    again = auth.post(
        f"/members/{member_id}/memberships", data, token_from=page, follow_redirects=True
    )
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")
    assert _count(app, Membership) == 1
    page = f"/events/{event_id}"
    data = {"guest_name": "Invitée", "mode": "attended", "submission": _token(client, page)}
    auth.post(f"/events/{event_id}/attendance/guest", data, token_from=page)
    again = auth.post(f"/events/{event_id}/attendance/guest", data, token_from=page)
    assert ALREADY in again.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        names = db.session.scalars(
            select(Attendance.guest_name).where(Attendance.event_id == event_id)
        )
        assert list(names) == ["Invitée"]


def test_a_form_sent_twice_at_once_is_saved_once(app):
    """Two requests racing past the form's check: the token's key refuses the second."""
    token = new_token()
    with app.test_request_context(method="POST", data={"submission": token}):
        app.config["WTF_CSRF_ENABLED"] = False
        db.session.add(FormSubmission(token=token))
        db.session.commit()
        form = OnceForm()
        with service_call(form) as call:
            factories.make_plan(name="Course")
        assert not call.ok
        assert ALREADY in form.submission.errors[0]
        assert db.session.scalar(select(func.count()).select_from(MembershipPlan)) == 0


def test_a_request_without_the_token_is_not_checked(app, client, auth):
    auth.login_as("manager")
    form = {"last_name": "Neuf", "joined_on": "2026-01-05"}
    for _ in range(2):
        assert auth.post("/members/new", form, token_from="/").status_code == 302
    assert _count(app, Member) == 2


# --- a series on evenings that already have an event ------------------------------------------


def test_a_series_on_evenings_already_taken_asks_before_creating(app, client, auth):
    with app.app_context():
        factories.make_event(title="Twapéro de mars", day=date(2030, 3, 7), kind="twapero")
        db.session.commit()
    auth.login_as("manager")
    form = EVENT | {
        "title": "Twapéro",
        "kind": "twapero",
        "start_date": "2030-02-07",
        "rule": "monthly_nth_weekday",
        "nth": "1",
        "until": "2030-05-31",
    }
    response = auth.post("/events/series/new", form, token_from="/events/series/new")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409
    assert "Une soirée de cette série a déjà un événement" in body
    assert "Twapéro de mars" in body and "Créer quand même la série" in body
    assert _count(app, EventSeries) == 0
    response = auth.post(
        "/events/series/new", form | {"despite_clashes": "y"}, token_from="/events/series/new"
    )
    assert response.status_code == 302
    assert _count(app, Event) == 1 + 4
