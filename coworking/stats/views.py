"""The indicators API: GET /api/v1/indicators?from=&to= (logged-in users and API tokens)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from coworking.auth.roles import Role
from coworking.security import requires
from coworking.stats.indicators import compute_indicators
from coworking.stats.periods import Period, PeriodError

bp = Blueprint("stats", __name__)


def period_from_args(args: dict[str, str] | None = None) -> Period:
    """Read ``from``/``to`` (or ``preset``) from query arguments; this year when absent."""
    args = request.args if args is None else args
    start, end = args.get("from"), args.get("to")
    if start or end:
        return Period.parse(start, end)
    if args.get("preset"):
        return Period.preset(args["preset"])
    return Period.this_year()


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
