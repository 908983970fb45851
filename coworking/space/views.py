"""The dashboard shell."""

from __future__ import annotations

from flask import Blueprint, render_template

from coworking.auth.roles import Role
from coworking.security import requires

bp = Blueprint("space", __name__)


@bp.get("/")
@requires(Role.VIEWER)
def dashboard():
    return render_dashboard()


# --- dashboard (feature/stats) ---------------------------------------------------------------

# The key figures of the dashboard, in their order.
KEY_FIGURES = (
    "members_active",
    "members_new",
    "checkins_visitor_days",
    "visitors_unique",
    "events_held",
    "events_public_share",
    "attendance_total",
    "attendees_unique",
    "partners_active",
    "press_articles",
    "mentions",
    "outcomes",
)
ENDING_SOON_DAYS = 15
ENDING_SOON_SHOWN = 10
NEXT_EVENTS_SHOWN = 5


def render_dashboard():
    """Render the dashboard: figures of a period against the previous one, charts, what comes next."""
    from datetime import timedelta

    from flask_babel import gettext as _
    from sqlalchemy import and_, exists, func, select
    from sqlalchemy.orm import aliased, joinedload

    from coworking.database import utcnow
    from coworking.events.models import Event
    from coworking.extensions import db
    from coworking.members.models import Member, Membership
    from coworking.stats.chart_data import dashboard_charts
    from coworking.stats.indicators import INDICATORS, compute_indicators, format_value
    from coworking.stats.periods import Period, PeriodError, paris_today
    from coworking.stats.series import monthly_series, profession_mix
    from coworking.stats.views import period_from_args

    period_error = None
    try:
        period = period_from_args()
    except PeriodError as error:
        period, period_error = Period.this_year(), error.message
    previous = period.previous()
    now_values = compute_indicators(period, KEY_FIGURES)
    before_values = compute_indicators(previous, KEY_FIGURES)
    figures = [
        _figure(key, now_values[key], before_values[key], INDICATORS[key], format_value)
        for key in KEY_FIGURES
    ]
    charts = dashboard_charts(monthly_series(period), profession_mix(period))

    next_events = db.session.scalars(
        select(Event)
        .where(Event.starts_at >= utcnow(), Event.cancelled.is_(False))
        .order_by(Event.starts_at, Event.id)
        .limit(NEXT_EVENTS_SHOWN)
    ).all()

    today = paris_today()
    later = aliased(Membership)
    renewed = exists().where(
        later.member_id == Membership.member_id, later.ends_on > Membership.ends_on
    )
    ending_where = and_(
        Membership.ends_on.between(today, today + timedelta(days=ENDING_SOON_DAYS)),
        Member.erased_at.is_(None),
        ~renewed,
    )
    ending = db.session.scalars(
        select(Membership)
        .join(Member, Member.id == Membership.member_id)
        .where(ending_where)
        .options(joinedload(Membership.member), joinedload(Membership.plan))
        .order_by(Membership.ends_on, Member.last_name, Member.first_name)
        .limit(ENDING_SOON_SHOWN)
    ).all()
    ending_total = db.session.scalar(
        select(func.count(Membership.id))
        .join(Member, Member.id == Membership.member_id)
        .where(ending_where)
    )
    return render_template(
        "space/dashboard.html",
        period=period,
        previous=previous,
        period_error=period_error,
        presets=[
            ("year", _("Cette année"), Period.this_year()),
            ("12m", _("12 derniers mois"), Period.last_12_months()),
            ("last_year", _("L'an dernier"), Period.last_year()),
        ],
        figures=figures,
        charts=charts,
        next_events=next_events,
        ending=ending,
        ending_total=ending_total,
        ending_days=ENDING_SOON_DAYS,
    ), (400 if period_error else 200)


def _figure(key, value, before, definition, format_value) -> dict[str, object]:
    """Describe one key figure and its change against the previous period."""
    from flask_babel import gettext as _

    from coworking.stats.charts import french_number, french_percent

    figure = {
        "key": key,
        "label": definition.label(),
        "definition": definition.definition(),
        "value": format_value(key, value),
        "delta": "",
        "trend": "flat",
    }
    if value is None or before is None:
        return figure
    difference = value - before
    figure["trend"] = "up" if difference > 0 else "down" if difference < 0 else "flat"
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    if definition.unit == "percent":
        points = french_number(round(abs(difference) * 100, 1))
        figure["delta"] = _("%(sign)s%(n)s points", sign=sign, n=points)
    elif before:
        relative = french_percent(abs(difference) / before)
        figure["delta"] = _(
            "%(sign)s%(n)s (%(sign)s%(pct)s)",
            sign=sign,
            n=french_number(abs(difference)),
            pct=relative,
        )
    else:
        figure["delta"] = _("%(sign)s%(n)s", sign=sign, n=french_number(abs(difference)))
    return figure
