"""The indicators API: GET /api/v1/indicators?from=&to= (logged-in users and API tokens)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from coworking.auth.roles import Role
from coworking.periods import PeriodError, period_from_args
from coworking.security import requires
from coworking.stats.indicators import compute_indicators

bp = Blueprint("stats", __name__)


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
