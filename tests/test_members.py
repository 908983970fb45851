"""Members: services (search, memberships, cards) and pages (list, member page, forms, plans)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from coworking.audit.models import AuditEntry
from coworking.dates import today
from coworking.extensions import db
from coworking.members import search, services
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.members.search import MemberFilters
from coworking.members.services import member_search_text
from tests.factories import make_check_in, make_member, make_membership, make_plan


def _filters(**args) -> MemberFilters:
    return MemberFilters.from_args(args)


def _ids(filters: MemberFilters) -> set[int]:
    return set(db.session.scalars(search.filtered_members(filters).with_only_columns(Member.id)))


# --- services ---------------------------------------------------------------------------------


def test_member_search_text_folds_accents_case_and_handles(app_ctx):
    member = Member(
        first_name="Noëlle",
        last_name="LE BŒUF",
        email="noelle@Example.org",
        twitter="@noe_lle",
        organisation="Café Numérique",
    )
    text = member_search_text(member)
    assert "noelle" in text and "le boeuf" in text and "cafe numerique" in text
    assert text == text.lower()


def test_search_is_accent_and_case_insensitive(app_ctx):
    noelle = make_member(first_name="Noëlle", last_name="Durand", organisation="Ébène SARL")
    make_member(first_name="Paul", last_name="Martin")
    assert _ids(_filters(q="noelle")) == {noelle.id}
    assert _ids(_filters(q="NOËL dur")) == {noelle.id}
    assert _ids(_filters(q="ebene")) == {noelle.id}
    assert _ids(_filters(q="100%_")) == set()


def test_filters_status_category_plan_and_joined_range(app_ctx):
    plan = make_plan(kind="annual")
    active = make_member(profession_category="web", joined_on=dt.date(2024, 3, 1))
    make_membership(active, plan)
    left = make_member(joined_on=dt.date(2020, 1, 1), left_on=dt.date(2021, 1, 1))
    idle = make_member(joined_on=dt.date(2022, 6, 1))
    assert _ids(_filters(status="active")) == {active.id}
    assert _ids(_filters(status="left")) == {left.id}
    assert _ids(_filters(status="current")) == {active.id, idle.id}
    assert _ids(_filters(category="web")) == {active.id}
    assert _ids(_filters(plan=str(plan.id))) == {active.id}
    assert _ids(_filters(joined_from="2022-01-01", joined_to="2023-01-01")) == {idle.id}


def test_reversed_joined_range_is_reported(app_ctx):
    filters = _filters(joined_from="2024-01-01", joined_to="2023-01-01", sort="bogus")
    assert "joined_to" in filters.errors
    assert filters.sort == "name"
    assert "joined_from" in _filters(joined_from="31/02/2024").errors


def test_create_member_checks_and_dates_consents(app_ctx):
    member = services.create_member(
        consents={"data": True, "photos": dt.date(2024, 5, 2), "newsletter": False},
        first_name=" Zoé ",
        last_name="Lefèvre",
        email="ZOE@example.org",
        profession_category="web",
        joined_on=dt.date(2024, 5, 1),
    )
    assert member.email == "zoe@example.org"
    assert member.first_name == "Zoé"
    assert member.consent_data_at is not None
    assert member.consent_photos_at.date() == dt.date(2024, 5, 2)
    assert member.consent_newsletter_at is None
    assert "zoe lefevre" in member.search_text
    with pytest.raises(services.MemberError) as error:
        services.create_member(first_name="Autre", email="zoe@example.org")
    assert error.value.field == "email"
    with pytest.raises(services.MemberError) as error:
        services.create_member(first_name="", last_name="")
    assert error.value.field == "last_name"
    with pytest.raises(services.MemberError) as error:
        services.create_member(
            first_name="A", joined_on=dt.date(2024, 1, 2), left_on=dt.date(2024, 1, 1)
        )
    assert error.value.field == "left_on"


def test_withdrawing_a_consent_clears_its_date_and_keeping_it_keeps_it(app_ctx):
    member = services.create_member(consents={"data": True}, first_name="A", last_name="B")
    given = member.consent_data_at
    services.update_member(member, consents={"data": True}, last_name="C")
    assert member.consent_data_at == given
    services.update_member(member, consents={"data": False})
    assert member.consent_data_at is None


def test_active_on_a_day_is_covered_by_a_membership(app_ctx):
    member = make_member()
    make_membership(member, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 1, 31))

    def active_on(day: dt.date) -> bool:
        covered = select(Member.id).where(Member.id == member.id, search.active_on_clause(day))
        return db.session.scalar(covered) is not None

    assert active_on(dt.date(2024, 1, 1))
    assert active_on(dt.date(2024, 1, 31))
    assert not active_on(dt.date(2024, 2, 1))


def test_default_ends_follow_the_plan_kind(app_ctx):
    start = dt.date(2024, 1, 31)
    assert services.default_end(make_plan(kind="day_pass"), start) == start
    assert services.default_end(make_plan(kind="monthly"), start) == dt.date(2024, 2, 28)
    assert services.default_end(make_plan(kind="annual"), start) == dt.date(2025, 1, 30)


def test_ten_day_card_counts_remaining_days_from_check_ins(app_ctx):
    member = make_member()
    card = make_plan(kind="ten_day_card")
    start = today() - dt.timedelta(days=20)
    make_membership(member, card, starts_on=start, ends_on=start + dt.timedelta(days=365))
    for offset in range(3):
        make_check_in(member, day=start + dt.timedelta(days=offset))
    make_check_in(member, day=start + dt.timedelta(days=5), duration="half")
    make_check_in(member, day=start - dt.timedelta(days=1))  # before the card: not counted
    (status,) = services.membership_statuses(member)
    assert status.days_used == 3.5
    assert status.days_left == 6.5


def test_membership_ending_within_fifteen_days_warns(app_ctx):
    member = make_member()
    make_membership(
        member, starts_on=today() - dt.timedelta(days=20), ends_on=today() + dt.timedelta(days=14)
    )
    make_membership(
        member, starts_on=today() - dt.timedelta(days=20), ends_on=today() + dt.timedelta(days=15)
    )
    flags = sorted(s.ends_soon for s in services.membership_statuses(member))
    assert flags == [False, True]


def test_mark_left_and_membership_dates(app_ctx):
    member = make_member(joined_on=dt.date(2024, 1, 10))
    with pytest.raises(services.MemberError):
        services.mark_left(member, dt.date(2024, 1, 1))
    services.mark_left(member, dt.date(2024, 6, 1))
    assert member.left_on == dt.date(2024, 6, 1)
    with pytest.raises(services.MemberError) as error:
        services.add_membership(
            member, make_plan(), starts_on=dt.date(2024, 2, 1), ends_on=dt.date(2024, 1, 1)
        )
    assert error.value.field == "ends_on"


def test_plans_are_unique_by_name_and_prices_parse_euros(app_ctx):
    services.save_plan(None, name="Mensuel", kind="monthly", price_cents=9000, active=True)
    with pytest.raises(services.MemberError):
        services.save_plan(None, name="mensuel", kind="monthly", price_cents=1, active=True)
    with pytest.raises(services.MemberError):
        services.save_plan(None, name="X", kind="weekly", price_cents=1, active=True)
    assert services.parse_euros("12,50 €") == 1250
    assert services.parse_euros("1 200") == 120000
    with pytest.raises(services.MemberError):
        services.parse_euros("douze")


# --- pages ------------------------------------------------------------------------------------


def _make(app, **fields):
    with app.app_context():
        member = make_member(**fields)
        db.session.commit()
        return member.id


def test_list_searches_filters_and_paginates(app, client, auth):
    auth.login_as("viewer")
    with app.app_context():
        for number in range(55):
            make_member(last_name=f"Zed{number:02d}", first_name="Zoé")
        make_member(first_name="Noëlle", last_name="Aubert")
        db.session.commit()
    page = client.get("/members?q=noelle").get_data(as_text=True)
    assert "Noëlle" in page and "Zed00" not in page
    first = client.get("/members?sort=name").get_data(as_text=True)
    assert "Aubert" in first and "Page 1 sur 2" in first
    second = client.get("/members?sort=name&page=2").get_data(as_text=True)
    assert "Zed54" in second and "Aubert" not in second
    bad = client.get("/members?joined_from=2024-01-02&joined_to=2024-01-01")
    assert bad.status_code == 200
    assert "La fin de la période précède son début." in bad.get_data(as_text=True)


def test_list_shows_each_members_state_and_leaves_erased_members_out(app, client, auth):
    import re

    from coworking.database import utcnow

    auth.login_as("viewer")
    with app.app_context():
        plan = make_plan(kind="monthly")
        current = make_member(last_name="Actif", first_name="Anne")
        make_membership(
            current,
            plan,
            starts_on=today() - dt.timedelta(days=3),
            ends_on=today() + dt.timedelta(days=3),
        )
        lapsed = make_member(last_name="Échu", first_name="Éric")
        make_membership(
            lapsed,
            plan,
            starts_on=today() - dt.timedelta(days=60),
            ends_on=today() - dt.timedelta(days=30),
        )
        make_member(last_name="Parti", first_name="Paul", left_on=today() - dt.timedelta(days=1))
        make_member(last_name="Effacé", first_name="", erased_at=utcnow())
        db.session.commit()
        everyone = _filters()
        assert everyone.selects_everyone() and not _filters(q="anne").selects_everyone()
        # The quick count of the unfiltered list agrees with counting its rows.
        query = search.filtered_members(everyone)
        assert search.count_matching(everyone, query) == search.count_of(query) == 3
    page = client.get("/members").get_data(as_text=True)
    assert "3 membres" in page and "Effacé" not in page
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
        for name in ("Actif Anne", "Échu Éric", "Parti Paul")
        if name in row
    }
    assert "badge--ok" in rows["Actif Anne"] and "adhésion en cours" in rows["Actif Anne"]
    assert "sans adhésion en cours" in rows["Échu Éric"]
    assert ">parti<" in rows["Parti Paul"]
    assert "1 janv. 2023" in rows["Actif Anne"]  # the join date, formatted the French way


def test_member_page_shows_memberships_visits_events_and_outcomes(app, client, auth):
    from coworking.community.models import Outcome
    from coworking.events.models import Attendance, Event

    auth.login_as("viewer")
    with app.app_context():
        member = make_member(first_name="Inès", last_name="Morel")
        make_membership(
            member,
            make_plan(kind="monthly", name="Mensuel résident"),
            starts_on=today() - dt.timedelta(days=20),
            ends_on=today() + dt.timedelta(days=5),
        )
        make_check_in(member, day=today() - dt.timedelta(days=2))
        event = Event(
            title="Twapéro de mars",
            kind="autre",
            starts_at=dt.datetime(2024, 3, 7, 18, tzinfo=dt.UTC),
            ends_at=dt.datetime(2024, 3, 7, 21, tzinfo=dt.UTC),
        )
        from coworking.events.models import EventKind

        db.session.add(EventKind(slug="autre", label_fr="Autre", label_en="Other"))
        db.session.add(event)
        db.session.flush()
        db.session.add(Attendance(event_id=event.id, member_id=member.id, status="attended"))
        outcome = Outcome(
            kind="stage", title="Stage trouvé au twapéro", happened_on=dt.date(2024, 4, 1)
        )
        outcome.members.append(member)
        db.session.add(outcome)
        db.session.commit()
        member_id = member.id
    page = client.get(f"/members/{member_id}").get_data(as_text=True)
    assert "Inès Morel" in page
    assert "Mensuel résident" in page and "se termine" in page
    assert "Twapéro de mars" in page
    assert "Stage trouvé au twapéro" in page
    assert "Passages au coworking" in page and "(1)" in page
    assert client.get("/members/999").status_code == 404


def test_create_edit_and_leave_through_the_forms(app, client, auth):
    auth.login_as("manager")
    response = auth.post(
        "/members/new",
        {
            "first_name": "Théo",
            "last_name": "Garnier",
            "email": "theo@example.org",
            "profession_category": "web",
            "joined_on": "2024-02-01",
            "consent_data": "y",
        },
        token_from="/members/new",
    )
    assert response.status_code == 302
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.email == "theo@example.org"))
        assert member.consent_data_at is not None
        member_id = member.id
    duplicate = auth.post(
        "/members/new",
        {"first_name": "X", "email": "THEO@example.org", "joined_on": "2024-02-01"},
        token_from="/members/new",
    )
    assert duplicate.status_code == 400
    assert "Un membre a déjà cette adresse e-mail." in duplicate.get_data(as_text=True)
    invalid = auth.post(
        "/members/new",
        {"first_name": "", "last_name": "", "email": "pas-un-mail", "joined_on": "2024-13-01"},
        token_from="/members/new",
    )
    body = invalid.get_data(as_text=True)
    assert invalid.status_code == 400
    assert "Adresse e-mail invalide." in body
    assert "Donnez au moins un nom ou un prénom." in body
    edit = auth.post(
        f"/members/{member_id}/edit",
        {
            "first_name": "Théo",
            "last_name": "Garnier-Roux",
            "joined_on": "2024-02-01",
            "profession_category": "web",
            "email": "theo@example.org",
        },
        token_from=f"/members/{member_id}/edit",
    )
    assert edit.status_code == 302
    leave = auth.post(f"/members/{member_id}/leave", {"left_on": "2024-09-30"})
    assert leave.status_code == 302
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.last_name == "Garnier-Roux"
        assert member.left_on == dt.date(2024, 9, 30)
        assert member.consent_data_at is None  # unticked on the edit form: withdrawn
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"member.create", "member.update", "member.leave"} <= actions


def test_viewer_cannot_create(app, client, auth):
    auth.login_as("viewer")
    assert client.get("/members/new").status_code == 403
    assert auth.post("/members/new", {"first_name": "X"}).status_code == 403


def test_plans_admin_and_adding_a_membership(app, client, auth):
    auth.login_as("admin")
    assert client.get("/admin/plans").status_code == 200
    response = auth.post(
        "/admin/plans",
        {"name": "Carte 10 jours", "kind": "ten_day_card", "price": "120", "active": "y"},
    )
    assert response.status_code == 302
    bad = auth.post("/admin/plans", {"name": "", "kind": "monthly", "price": "abc"})
    assert bad.status_code == 400
    with app.app_context():
        plan = db.session.scalar(select(MembershipPlan))
        assert plan.price_cents == 12000
        plan_id = plan.id
    update = auth.post(
        f"/admin/plans/{plan_id}", {"name": "Carte 10 j", "kind": "ten_day_card", "price": "110"}
    )
    assert update.status_code == 302
    member_id = _make(app)
    response = auth.post(
        f"/members/{member_id}/memberships",
        {"plan_id": str(plan_id), "starts_on": today().isoformat()},
    )
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(MembershipPlan, plan_id)
        assert (plan.name, plan.price_cents, plan.active) == ("Carte 10 j", 11000, False)


def test_plan_dropdown_only_lists_active_plans_and_membership_form(app, client, auth):
    auth.login_as("manager")
    with app.app_context():
        plan = make_plan(kind="monthly", name="Mensuel", price_cents=9000)
        member = make_member()
        db.session.commit()
        plan_id, member_id = plan.id, member.id
    response = auth.post(
        f"/members/{member_id}/memberships",
        {"plan_id": str(plan_id), "starts_on": "2024-01-31", "amount": "45"},
    )
    assert response.status_code == 302
    with app.app_context():
        membership = db.session.scalar(select(Membership))
        assert membership.ends_on == dt.date(2024, 2, 28)
        assert membership.amount_paid_cents == 4500
    assert "Mensuel" in client.get(f"/members/{member_id}").get_data(as_text=True)


def test_member_list_and_page_query_counts_do_not_grow(app, client, auth, count_queries):
    auth.login_as("viewer")

    def fill(count: int) -> int:
        with app.app_context():
            plan = make_plan(kind="ten_day_card")
            member = None
            for _index in range(count):
                member = make_member()
                make_membership(member, plan)
                make_check_in(member)
            for _index in range(count):
                make_membership(member, make_plan(kind="monthly"))
                make_check_in(member, day=today() - dt.timedelta(days=_index + 1))
            db.session.commit()
            return member.id

    small_member = fill(2)
    with count_queries() as small_list:
        assert client.get("/members").status_code == 200
    with count_queries() as small_page:
        assert client.get(f"/members/{small_member}").status_code == 200
    large_member = fill(30)
    with count_queries() as large_list:
        assert client.get("/members").status_code == 200
    with count_queries() as large_page:
        assert client.get(f"/members/{large_member}").status_code == 200
    assert large_list.count == small_list.count
    assert large_page.count == small_page.count
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == 32
