"""The dashboard shell."""

from __future__ import annotations

from flask import Blueprint, render_template

from coworking.auth.roles import Role
from coworking.security import requires

bp = Blueprint("space", __name__)


@bp.get("/")
@requires(Role.VIEWER)
def dashboard():
    return render_template("space/dashboard.html")
