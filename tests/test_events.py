"""Events: kinds, creation and editing, series, duplication, the list, the month view."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from coworking.events import kinds as event_kinds
from coworking.events import services
from coworking.events.models import Event, EventKind, EventSeries
from coworking.extensions import db
from coworking.kinds import EVENT_KIND_LABELS as KIND_LABELS
from tests.factories import make_event, make_partner, paris


def _data(**fields) -> services.EventData:
    values = {
        "title": "Twapéro",
        "kind": "twapero",
        "start_date": date(2030, 3, 7),
        "start_time": time(19),
        "end_time": time(22),
    }
    return services.EventData(**(values | fields))


# --- kinds ---------------------------------------------------------------------------------


def test_default_kinds_are_inserted_once(app_ctx):
    assert event_kinds.ensure_default_kinds() == 8
    assert event_kinds.ensure_default_kinds() == 0
    slugs = set(db.session.scalars(db.select(EventKind.slug)))
    assert slugs == set(KIND_LABELS)


def test_admin_kind_is_added_with_a_slug_and_used_by_imports(app_ctx):
    kind = event_kinds.add_kind("Repair café", "Repair café")
    assert kind.slug == "repair-cafe" and not kind.builtin
    assert event_kinds.admin_kinds() == {"repair-cafe": "Repair café"}
    with pytest.raises(services.EventError):
        event_kinds.add_kind("REPAIR CAFÉ")
    with pytest.raises(services.EventError):
        event_kinds.delete_kind(db.session.get(EventKind, "twapero"))
    event_kinds.delete_kind(kind)


def test_kinds_admin_page(app, client, auth):
    auth.login_as("admin")
    page = client.get("/admin/kinds")
    assert page.status_code == 200 and "Assemblée générale" in page.get_data(as_text=True)
    response = auth.post("/admin/kinds", {"label_fr": "Repair café"}, token_from="/admin/kinds")
    assert response.status_code == 302
    response = auth.post("/admin/kinds", {"label_fr": ""}, token_from="/admin/kinds")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(EventKind, "repair-cafe") is not None


# --- creating ----------------------------------------------------------------------------------


def test_times_are_paris_stored_utc_across_dst(app_ctx):
    event_kinds.ensure_default_kinds()
    winter = services.create_event(_data(start_date=date(2030, 3, 7)))
    summer = services.create_event(_data(start_date=date(2030, 4, 4)))
    assert winter.starts_at == datetime(2030, 3, 7, 18, tzinfo=UTC)
    assert summer.starts_at == datetime(2030, 4, 4, 17, tzinfo=UTC)
    assert services.local_span(summer) == (date(2030, 4, 4), time(19), date(2030, 4, 4), time(22))


def test_all_day_event_spans_whole_paris_days(app_ctx):
    event_kinds.ensure_default_kinds()
    event = services.create_event(
        _data(
            all_day=True,
            start_date=date(2030, 6, 1),
            start_time=None,
            end_time=None,
            end_date=date(2030, 6, 2),
        )
    )
    assert event.starts_at == paris(2030, 6, 1, 0)
    assert event.ends_at == paris(2030, 6, 3, 0)
    assert services.local_span(event) == (date(2030, 6, 1), None, date(2030, 6, 2), None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_time": time(18)}, "end_time"),
        ({"title": "x" * 2000}, "title"),
        ({"title": "  "}, "title"),
        ({"kind": "nope"}, "kind"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"is_free": False, "price_cents": None}, "price"),
        ({"start_time": None}, "start_time"),
    ],
)
def test_bad_input_is_refused_with_the_field(app_ctx, fields, field):
    event_kinds.ensure_default_kinds()
    with pytest.raises(services.EventError) as error:
        services.create_event(_data(**fields))
    assert error.value.field == field


def test_hashtags_are_normalized_and_partners_linked(app_ctx):
    event_kinds.ensure_default_kinds()
    bar = make_partner(name="Le Bar du Coin", kind="lieu", hosts_events=True)
    school = make_partner(name="École", kind="ecole")
    event = services.create_event(
        _data(
            hashtags="#Twapéro, #ANGERS #twapero", venue_partner_id=bar.id, partner_ids=[school.id]
        )
    )
    assert event.hashtags == "twapero angers"
    assert event.partners == [school] and event.venue_partner is bar
    assert [p.name for p in services.venue_partners()] == ["Le Bar du Coin"]


def test_monthly_series_on_the_first_thursday(app_ctx):
    event_kinds.ensure_default_kinds()
    series = services.create_series(
        _data(start_date=date(2030, 1, 17)), services.MONTHLY_NTH_WEEKDAY, date(2030, 6, 30), nth=1
    )
    events = db.session.scalars(
        db.select(Event).where(Event.series_id == series.id).order_by(Event.starts_at)
    ).all()
    days = [services.local_span(e)[0] for e in events]
    assert days == [
        date(2030, 1, 3),
        date(2030, 2, 7),
        date(2030, 3, 7),
        date(2030, 4, 4),
        date(2030, 5, 2),
        date(2030, 6, 6),
    ]
    assert all(services.local_span(e)[1] == time(19) for e in events)  # 19:00 winter and summer
    assert db.session.get(EventSeries, series.id).nth == 1


def test_weekly_series_and_limits(app_ctx):
    event_kinds.ensure_default_kinds()
    assert len(services.series_dates(services.WEEKLY, date(2030, 1, 1), date(2030, 1, 29))) == 5
    assert services.series_dates(
        services.MONTHLY_NTH_WEEKDAY, date(2030, 1, 31), date(2030, 3, 31), nth=-1
    ) == [date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 28)]
    with pytest.raises(services.EventError):
        services.series_dates(services.WEEKLY, date(2030, 1, 1), date(2040, 1, 1))
    with pytest.raises(services.EventError):
        services.series_dates(services.WEEKLY, date(2030, 1, 8), date(2030, 1, 1))


def test_duplicate_is_the_same_weekday_next_month(app_ctx):
    event = make_event(starts_at=paris(2030, 3, 7, 19), ends_at=paris(2030, 3, 7, 22))
    data = services.duplicate_data(event)
    assert data.start_date == date(2030, 4, 4) and data.start_time == time(19)
    assert services.same_day_next_month(date(2030, 1, 31)) == date(2030, 2, 28)  # 5th Thu → last


# --- pages -----------------------------------------------------------------------------------


FORM = {
    "title": "Atelier <script>alert(1)</script>",
    "kind": "atelier",
    "start_date": "2030-03-07",
    "start_time": "18:30",
    "end_time": "20:00",
    "is_public": "y",
    "is_free": "y",
    "hashtags": "#Atelier",
    "description": "Ligne 1\n<b>Ligne 2</b>",
}


def test_create_edit_duplicate_cancel_through_the_pages(app, client, auth):
    auth.login_as("manager")
    assert client.get("/events/new").status_code == 200
    response = auth.post("/events/new", FORM, token_from="/events/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    event_id = int(response.headers["Location"].rsplit("/", 1)[1])
    body = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body and "Ligne 1\nLine" not in body
    assert '<p class="text-block">Ligne 1\n&lt;b&gt;Ligne 2&lt;/b&gt;</p>' in body
    edit = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    assert 'value="18:30"' in edit
    response = auth.post(
        f"/events/{event_id}/edit", FORM | {"title": "Atelier Git"}, token_from="/events/new"
    )
    assert response.status_code == 302
    duplicate = client.get(f"/events/new?duplicate={event_id}").get_data(as_text=True)
    assert 'value="2030-04-04"' in duplicate and "Atelier Git" in duplicate
    response = auth.post(f"/events/{event_id}/cancel", token_from="/events/new")
    assert response.status_code == 302
    assert "Annulé" in client.get("/events?from=2030-03-01").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_time": "17:00"}, "avant son début"),
        ({"title": "x" * 2000}, "200 caractères au plus"),
        ({"start_date": "2030-02-30"}, "date valide"),
        ({"capacity": "-3"}, "Capacité invalide"),
    ],
)
def test_bad_event_form_is_a_400_with_a_french_error(app, client, auth, change, message):
    auth.login_as("manager")
    response = auth.post("/events/new", FORM | change, token_from="/events/new")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_series_page_creates_the_events(app, client, auth):
    auth.login_as("manager")
    assert client.get("/events/series/new").status_code == 200
    form = FORM | {
        "title": "Twapéro",
        "kind": "twapero",
        "start_date": "2030-01-01",
        "rule": "monthly_nth_weekday",
        "nth": "1",
        "until": "2030-12-31",
    }
    response = auth.post("/events/series/new", form, token_from="/events/new")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 12


def test_list_filters(app, client, auth):
    with app.app_context():
        bar = make_partner(name="Le Bar", kind="lieu")
        make_event(
            title="Twapéro mars",
            starts_at=paris(2030, 3, 6, 19),
            kind="twapero",
            venue_partner_id=bar.id,
        )
        make_event(title="AG privée", starts_at=paris(2030, 3, 20, 18), kind="ag", is_public=False)
        make_event(title="Conf avril", starts_at=paris(2030, 4, 10, 18), kind="conference")
        db.session.commit()
        bar_id = bar.id
    auth.login_as("viewer")

    def titles(query: str) -> list[str]:
        body = client.get("/events" + query).get_data(as_text=True)
        return [t for t in ("Twapéro mars", "AG privée", "Conf avril") if t in body]

    assert titles("?from=2030-03-01&to=2030-03-31") == ["Twapéro mars", "AG privée"]
    assert titles("?from=2030-01-01&kind=conference") == ["Conf avril"]
    assert titles("?from=2030-01-01&public=0") == ["AG privée"]
    assert titles(f"?from=2030-01-01&venue={bar_id}") == ["Twapéro mars"]
    assert titles("?from=2030-01-01&venue=space") == ["AG privée", "Conf avril"]
    response = client.get("/events?from=2030-04-01&to=2030-03-01")
    assert response.status_code == 400 and "inversée" in response.get_data(as_text=True)
    assert client.get("/events?from=nonsense").status_code == 400
    month = client.get("/events/calendar?month=2030-03").get_data(as_text=True)
    assert "Twapéro mars" in month and "Conf avril" not in month
    assert client.get("/events/calendar?month=bad").status_code == 200


def test_event_list_query_count_is_constant(app, client, auth, count_queries):
    with app.app_context():
        bar = make_partner(name="Le Bar", kind="lieu")
        school = make_partner(name="École", kind="ecole")
        make_event(
            title="Un", starts_at=paris(2030, 3, 6, 19), venue_partner_id=bar.id, partners=[school]
        )
        db.session.commit()
    auth.login_as("viewer")
    client.get("/events?from=2030-01-01")
    with count_queries() as small:
        assert client.get("/events?from=2030-01-01").status_code == 200
    with count_queries() as small_month:
        assert client.get("/events/calendar?month=2030-03").status_code == 200
    with app.app_context():
        for day in range(1, 28):
            make_event(
                title=f"Ev {day}",
                starts_at=paris(2030, 3, day, 19),
                venue_partner_id=make_partner(kind="lieu").id,
                partners=[school],
            )
        db.session.commit()
    with count_queries() as large:
        assert client.get("/events?from=2030-01-01").status_code == 200
    with count_queries() as large_month:
        assert client.get("/events/calendar?month=2030-03").status_code == 200
    assert large.count == small.count, large.statements
    assert large_month.count == small_month.count


def test_export_of_the_filtered_list_is_for_managers(app, client, auth):
    with app.app_context():
        make_event(title="AG privée", starts_at=paris(2030, 3, 20, 18), kind="ag", is_public=False)
        db.session.commit()
    auth.login_as("viewer")
    assert client.get("/events/export.ics").status_code == 403
    auth.logout()
    auth.login_as("manager")
    response = client.get("/events/export.ics?from=2030-01-01")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"AG priv" in response.data and b"CLASS:PRIVATE" in response.data
    one = client.get("/events/1/event.ics")
    assert one.status_code == 200 and b"BEGIN:VEVENT" in one.data
