"""The dashboard: period presets, key figures with change, charts as parsed SVG, what comes next."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from coworking.database import utcnow
from coworking.dates import today as paris_today
from coworking.extensions import db
from coworking.periods import Period
from coworking.stats.chart_data import dashboard_charts
from coworking.stats.series import monthly_series, profession_mix
from tests import factories as f
from tests.test_indicators import Q1, build_quarter

SVG_RE = re.compile(r"<svg .*?</svg>", re.S)
SVG = "{http://www.w3.org/2000/svg}"


def add_community(size: int) -> None:
    """Add members, events and check-ins in proportion to size (for query counts)."""
    for n in range(size):
        member = f.make_member(profession_category=("web", "communicant", "etudiant")[n % 3])
        f.make_membership(member, starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
        event = f.make_event(starts_at=f.paris(2024, 1 + n % 12, 1 + n % 28), kind="atelier")
        f.make_attendance(event, member)
        f.make_check_in(member, day=date(2024, 1 + n % 12, 1 + n % 28))
        f.make_mention(posted_at=f.paris(2024, 1 + n % 12, 2), hashtags="twapero")
    db.session.commit()


def test_charts_are_well_formed_svg_with_titles(app_ctx):
    build_quarter()
    charts = dashboard_charts(monthly_series(Q1), profession_mix(Q1))
    titles = []
    for chart in charts:
        root = ET.fromstring(chart.svg)  # noqa: S314 (our own output)
        assert root.tag == f"{SVG}svg"
        titles.append(root.find(f"{SVG}title").text)
        assert chart.table.rows
    assert titles == [
        "Événements par mois et par type",
        "Journées de coworking par mois",
        "Nouveaux membres et membres actifs",
        "Membres actifs par catégorie professionnelle",
        "Mentions sur les réseaux sociaux par mois",
    ]
    events = charts[0]
    assert events.table.rows[1][0] == "févr. 2024"
    assert events.table.rows[1][-1] == "8"  # stacked total of February


def test_dashboard_shows_figures_charts_next_events_and_ending_memberships(client, auth, app):
    today = paris_today()
    with app.app_context():
        build_quarter()
        f.make_event(
            starts_at=utcnow() + timedelta(days=3), kind="twapero", title="Twapéro de la semaine"
        )
        f.make_event(
            starts_at=utcnow() + timedelta(days=4), kind="atelier", title="Annulé", cancelled=True
        )
        soon = f.make_member(first_name="Léa", last_name="Bientôt")
        f.make_membership(
            soon, starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=10)
        )
        renewed = f.make_member(first_name="Marc", last_name="Renouvelé")
        f.make_membership(
            renewed, starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=5)
        )
        f.make_membership(
            renewed, starts_on=today + timedelta(days=6), ends_on=today + timedelta(days=370)
        )
        far = f.make_member(first_name="Zoé", last_name="Tard")
        f.make_membership(far, starts_on=today, ends_on=today + timedelta(days=40))
        db.session.commit()
    auth.login_as("viewer")
    response = client.get("/?from=2024-01-01&to=2024-03-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Du 1 janvier 2024 au 31 mars 2024" in page
    assert "1 octobre 2023" in page  # previous period
    assert "Événements organisés" in page
    assert "Données du graphique" in page
    svgs = SVG_RE.findall(page)
    assert len(svgs) == 5
    for svg in svgs:
        ET.fromstring(svg)  # noqa: S314
    assert "Twapéro de la semaine" in page and "Annulé" not in page
    assert "Bientôt" in page and "Renouvelé" not in page and "Tard" not in page
    assert "style=" not in page and "<script>" not in page


def test_dashboard_presets_and_bad_range(client, auth):
    auth.login_as("viewer")
    assert client.get("/").status_code == 200
    for preset in ("year", "12m", "last_year"):
        assert client.get(f"/?preset={preset}").status_code == 200
    last_year = Period.last_year()
    page = client.get("/?preset=last_year").get_data(as_text=True)
    assert f"{last_year.days} jours" in page
    bad = client.get("/?from=2024-05-01&to=2024-01-01")
    assert bad.status_code == 400
    assert "précède" in bad.get_data(as_text=True)
    assert client.get("/?from=hier&to=2024-01-01").status_code == 400


def test_dashboard_change_against_previous_period(client, auth, app):
    with app.app_context():
        for day in (1, 2, 3, 4):
            f.make_event(starts_at=f.paris(2024, 1, day), kind="atelier")
        for day in (1, 2):
            f.make_event(starts_at=f.paris(2023, 12, day), kind="atelier")
        db.session.commit()
    auth.login_as("viewer")
    page = client.get("/?from=2024-01-01&to=2024-01-31").get_data(as_text=True)
    assert "+2 (+100\u00a0%)" in page


def test_dashboard_query_count_does_not_grow_with_data(client, auth, app, count_queries):
    auth.login_as("viewer")
    with app.app_context():
        add_community(3)
    with count_queries() as small:
        assert client.get("/?preset=last_year&from=2024-01-01&to=2024-12-31").status_code == 200
    with app.app_context():
        add_community(40)
    with count_queries() as large:
        assert client.get("/?from=2024-01-01&to=2024-12-31").status_code == 200
    assert large.count == small.count
