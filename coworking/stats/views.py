"""The indicators API: GET /api/v1/indicators?from=&to= (logged-in users and API tokens)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext as _

from coworking.periods import Period, PeriodError, period_from_args
from coworking.roles import Role
from coworking.security import requires
from coworking.stats.dashboard import dashboard as gather_dashboard
from coworking.stats.indicators import compute_indicators

bp = Blueprint("stats", __name__)


@bp.get("/")
@requires(Role.VIEWER)
def dashboard():
    """The dashboard: the period's key figures against the previous one, charts, what comes next."""
    period_error = None
    try:
        period = period_from_args()
    except PeriodError as error:
        period, period_error = Period.this_year(), error.message
    board = gather_dashboard(period)
    return render_template(
        "stats/dashboard.html",
        period=board.period,
        previous=board.previous,
        period_error=period_error,
        presets=[
            ("year", _("Cette année"), Period.this_year()),
            ("12m", _("12 derniers mois"), Period.last_12_months()),
            ("last_year", _("L'an dernier"), Period.last_year()),
        ],
        figures=board.figures,
        charts=board.charts,
        next_events=board.next_events,
        ending=board.ending,
        ending_total=board.ending_total,
        ending_days=board.ending_days,
    ), (400 if period_error else 200)


@bp.get("/api/v1/indicators")
@requires(Role.VIEWER)
def api_indicators():
    try:
        period = period_from_args()
    except PeriodError as error:
        response = jsonify({"error": error.message, "field": error.field})
        response.status_code = 400
        return response
    return jsonify({"period": period.as_dict(), "indicators": compute_indicators(period)})
