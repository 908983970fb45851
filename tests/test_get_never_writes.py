"""Reading a page never writes: every GET route, as an admin, on demo data, runs no INSERT,
UPDATE or DELETE (the last login, written at login, excepted: it is a POST)."""

from __future__ import annotations

from sqlalchemy import event, select

from coworking.community.models import Mention, Outcome, PressArticle
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.label.models import Criterion, Dossier
from coworking.members.models import Member, MembershipPlan
from coworking.partners.models import Partner
from coworking.seed.demo import seed_demo
from coworking.space.models import CheckIn
from tests.test_security import _routes

WRITES = ("INSERT", "UPDATE", "DELETE")
# One existing row of each kind a route's id can name, by the id's argument.
IDS = {
    "member_id": Member,
    "event_id": Event,
    "attendance_id": Attendance,
    "partner_id": Partner,
    "document_id": Document,
    "article_id": PressArticle,
    "outcome_id": Outcome,
    "mention_id": Mention,
    "criterion_id": Criterion,
    "dossier_id": Dossier,
    "plan_id": MembershipPlan,
    "check_in_id": CheckIn,
}


def test_no_get_route_writes(app, client, auth, tmp_path):
    with app.app_context():
        seed_demo(members=40, years=1)
        db.session.commit()
        ids = {name: db.session.scalar(select(model.id).limit(1)) for name, model in IDS.items()}
        engine = db.engine
    auth.login_as("admin")
    statements: list[tuple[str, str]] = []
    current = {"url": ""}

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(WRITES):
            statements.append((current["url"], statement.split("\n")[0][:80]))

    visited = 0
    event.listen(engine, "before_cursor_execute", record)
    try:
        for rule, method in _routes(app):
            if method != "GET" or rule.endpoint == "static":
                continue
            values = {}
            for argument in rule.arguments:
                values[argument] = ids.get(argument) or ("twapero" if argument == "slug" else 1)
            url = rule.build(values)[1]
            current["url"] = url
            response = client.get(url)
            assert response.status_code < 500, url
            visited += 1
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert visited > 40
    assert statements == []
