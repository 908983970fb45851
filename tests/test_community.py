"""The community page: the latest of each kind and this year's counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from coworking.community import services
from coworking.database import utcnow
from coworking.dates import today
from coworking.extensions import db
from tests.factories import (
    make_document,
    make_mention,
    make_outcome,
    make_partner,
    make_press_article,
)


def test_year_counts_are_for_the_paris_calendar_year(app, app_ctx):
    make_partner(since=date(2020, 1, 1))  # still a partner
    make_partner(since=date(2020, 1, 1), until=date(2023, 12, 31))  # left before
    make_partner(since=date(2025, 1, 1))  # not yet
    make_press_article(published_on=date(2024, 3, 1))
    make_press_article(published_on=date(2023, 12, 31))
    make_mention(posted_at=datetime(2023, 12, 31, 23, 30, tzinfo=UTC))  # 2024 in Paris
    make_mention(posted_at=datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 2025 in Paris
    make_outcome(happened_on=date(2024, 5, 1), testimonial="Oui", consent_publish_at=utcnow())
    make_outcome(happened_on=date(2024, 5, 2), testimonial="Non")
    db.session.commit()
    counts = services.year_counts(2024)
    assert (counts.partners, counts.press, counts.mentions) == (1, 1, 1)
    assert (counts.outcomes, counts.testimonials) == (2, 1)


def test_community_page_shows_latest_of_each_kind(app, client, auth):
    with app.app_context():
        make_partner(name="Mairie d'Angers", kind="collectivite")
        make_press_article(title="Article du Courrier de l'Ouest")
        make_mention(text="Super #twapero hier soir", hashtags="twapero")
        make_outcome(
            title="Entreprise créée au coworking",
            kind="entreprise",
            testimonial="Sans le coworking, pas de société.",
            consent_publish_at=utcnow(),
        )
        make_outcome(title="Sans accord", testimonial="Citation privée")
        make_document(title="Statuts de l'association", kind="statutes")
        db.session.commit()
    auth.login_as("viewer")
    response = client.get("/community")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for text in (
        "Mairie d&#39;Angers",
        "Article du Courrier de l&#39;Ouest",
        "Super #twapero hier soir",
        "Entreprise créée au coworking",
        "Sans le coworking, pas de société.",
        "Statuts de l&#39;association",
        f"En {today().year}",
    ):
        assert text in body, text
    assert "Citation privée" not in body  # no consent, not shown among testimonials
    assert "Noter une retombée" not in body  # viewers see no buttons that change things


def test_community_is_in_the_navigation(app, client, auth):
    auth.login_as("viewer")
    body = client.get("/").get_data(as_text=True)
    assert 'href="/community"' in body
