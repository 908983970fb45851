"""The demo's events (twapéros, barcamps, assemblies, talks, workshops) and who came to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from coworking.dates import add_months
from coworking.hashtags import normalize_hashtag
from coworking.seed import data, mentions
from coworking.seed.builder import DemoBuilder
from coworking.seed.calendar_days import first_weekday, months


def build_events(demo: DemoBuilder) -> None:
    """Plan the events of every month of the period, and a few weeks ahead."""
    rng = demo.rng
    demo.add(
        "event_series",
        {
            "id": 1,
            "title": "Twapéro",
            "rule": "monthly_nth_weekday",
            "weekday": 3,
            "nth": 1,
            "created_at": demo.stamp(demo.start),
        },
    )
    bar = demo.partner_ids[data.BAR_NAME]
    twapero_number = 0
    plans: list[tuple[date, str, dict[str, Any]]] = []
    for year, month in months(demo.start, demo.horizon):
        season = {8: 0.2, 7: 0.7, 12: 0.6}.get(month, 1.0)
        # The monthly twapéro, first Thursday, at the partner bar (not in August).
        thursday = first_weekday(year, month, 3)
        if month != 8 and demo.start <= thursday <= demo.horizon:
            twapero_number += 1
            plans.append((thursday, "twapero", {"number": twapero_number, "bar": bar}))
        if month == 3:
            day = event_day(demo, year, month, (3,))
            if day:
                plans.append((day, "ag", {}))
        if month == 6:
            saturdays = [
                d
                for d in (date(year, 6, 1) + timedelta(days=i) for i in range(30))
                if d.weekday() == 5 and demo.start <= d <= demo.horizon
            ]
            if saturdays:
                plans.append((rng.choice(saturdays), "barcamp", {}))
        mid_month = date(year, month, 15)
        level = demo.size * demo.growth(min(mid_month, demo.today)) * season
        for kind, mean, weekdays in (
            ("conference", 3.0, (1, 2, 3)),
            ("atelier", 6.0, (0, 1, 2, 3, 4)),
            ("formation", 2.5, (0, 1, 3, 4)),
            ("afterwork", 1.2, (3, 4)),
            ("autre", 6.0, (0, 1, 2, 3, 4)),
        ):
            for _ in range(demo.count(mean * level)):
                day = event_day(demo, year, month, weekdays)
                if day:
                    plans.append((day, kind, {}))
    plans.sort(key=lambda item: (item[0], item[1]))
    for day, kind, extra in plans:
        make_event(demo, day, kind, extra)


def event_day(demo: DemoBuilder, year: int, month: int, weekdays: Sequence[int]) -> date | None:
    """Pick an open day of the month on one of these weekdays, inside the period."""
    first = max(demo.start, date(year, month, 1))
    last = min(demo.horizon, add_months(date(year, month, 1), 1) - timedelta(days=1))
    if first > last:
        return None
    days = [
        first + timedelta(days=offset)
        for offset in range((last - first).days + 1)
        if (first + timedelta(days=offset)).weekday() in weekdays
    ]
    days = [d for d in days if not demo.closed(d)]
    return demo.rng.choice(days) if days else None


def make_event(demo: DemoBuilder, day: date, kind: str, extra: dict[str, Any]) -> None:
    """Add one event, with its partners, attendance, general assembly and posts."""
    rng = demo.rng
    event_id = demo.ids.next("event")
    partners: list[int] = []
    venue = None
    location = None
    headcount = None
    is_public, is_free, price, capacity = True, True, None, None
    series_id = None
    tag = ""
    if kind == "twapero":
        title = f"Twapéro #{extra['number']}"
        starts, ends = demo.at(day, 19), demo.at(day, 23)
        venue, location, series_id = extra["bar"], data.BAR_NAME, 1
        partners.append(extra["bar"])
        hashtags = "twapero angers"
        description = "Le rendez-vous mensuel des Angevins connectés, au bar partenaire."
        wanted = 18 + rng.randrange(40)
    elif kind == "ag":
        title = f"Assemblée générale {day.year}"
        starts, ends = demo.at(day, 18, 30), demo.at(day, 21)
        is_public = False
        hashtags = "mainelabs"
        description = "Assemblée générale ordinaire de l'association : rapports et élections."
        wanted = 20 + rng.randrange(35)
    elif kind == "barcamp":
        title = f"Barcamp Angers {day.year}"
        starts, ends = demo.at(day, 9), demo.at(day, 18)
        partners += [
            demo.partner_ids["Université d'Angers"],
            demo.partner_ids["Ville d'Angers"],
            demo.partner_ids["Anjou Numérique Mag"],
        ]
        hashtags = "barcampangers angers"
        description = "Une non-conférence : les participants proposent les sessions le matin."
        wanted = 60 + rng.randrange(90)
        tag = rng.choice(data.TALK_TOPICS)[1]
    else:
        topics = {
            "conference": data.TALK_TOPICS,
            "atelier": data.WORKSHOP_TOPICS,
            "formation": data.TRAINING_TOPICS,
            "afterwork": (("Afterwork de Maine Labs", "afterwork"),),
            "autre": data.MEETUPS,
        }[kind]
        title, tag = rng.choice(topics)
        hashtags = f"mainelabs {tag}"
        description = f"{title}. Ouvert à toutes et tous, membres ou non."
        if kind == "conference":
            title = f"Conférence : {title}"
            starts, ends = demo.at(day, 18, 30), demo.at(day, 20)
            wanted = 12 + rng.randrange(40)
            if rng.random() < 0.25:
                partners.append(demo.partner_ids[rng.choice(data.COMPANY_PARTNERS)])
        elif kind == "atelier":
            hour = rng.choice((9, 14, 18))
            starts, ends = demo.at(day, hour, 30 if hour == 9 else 0), demo.at(day, hour + 3)
            capacity = rng.choice((10, 12, 15, 20))
            is_free = rng.random() < 0.6
            price = None if is_free else rng.choice((500, 1000, 1500, 2000))
            wanted = 5 + rng.randrange(capacity)
        elif kind == "formation":
            starts, ends = demo.at(day, 9), demo.at(day, 17)
            capacity = rng.choice((8, 10, 12))
            is_free = False
            price = rng.choice((6000, 9000, 12000, 18000))
            is_public = rng.random() < 0.7
            wanted = 4 + rng.randrange(capacity - 3)
            if rng.random() < 0.3:
                partners.append(
                    demo.partner_ids[
                        rng.choice(("École du Numérique d'Anjou", "Université d'Angers"))
                    ]
                )
        elif kind == "afterwork":
            starts, ends = demo.at(day, 18, 30), demo.at(day, 21)
            wanted = 12 + rng.randrange(30)
        else:
            starts, ends = demo.at(day, 18, 30), demo.at(day, 20, 30)
            wanted = 6 + rng.randrange(25)
            if rng.random() < 0.2:
                partners.append(demo.partner_ids["Club des Développeurs Angevins"])
    past = day <= demo.today
    cancelled = past and kind not in ("twapero", "ag", "barcamp") and rng.random() < 0.02
    if past and not cancelled and kind in ("twapero", "afterwork") and rng.random() < 0.35:
        headcount = max(5, int(wanted * (0.6 + 0.8 * demo.size)))
    row = demo.add(
        "event",
        {
            "id": event_id,
            "title": title,
            "kind": kind,
            "starts_at": starts,
            "ends_at": ends,
            "all_day": False,
            "venue_partner_id": venue,
            "location": location,
            "is_public": is_public,
            "is_free": is_free,
            "price_cents": price,
            "capacity": capacity,
            "hashtags": " ".join(normalize_hashtag(t) for t in hashtags.split()),
            "description": description,
            "url": None,
            "external_uid": None,
            "external_recurrence_id": "",
            "headcount": headcount,
            "series_id": series_id,
            "cancelled": cancelled,
            "created_at": starts - timedelta(days=rng.randrange(7, 40)),
            "updated_at": starts - timedelta(days=rng.randrange(1, 7)),
        },
    )
    demo.events.append(row)
    # A partner co-organises from the start of its partnership only.
    partners = [p for p in partners if demo.partner_since.get(p, day) <= day]
    for partner_id in sorted(set(partners)):
        demo.add("event_partner", {"event_id": event_id, "partner_id": partner_id})
    if cancelled:
        return
    attendees = 0
    if headcount is None:
        attendees = attend(demo, row, day, kind, wanted, past)
    if kind == "ag" and past:
        demo.add(
            "general_assembly",
            {
                "id": demo.ids.next("general_assembly"),
                "held_on": day,
                "members_present": attendees,
                "members_represented": rng.randrange(5, 25),
                "notes": "Rapport moral et financier adoptés ; bureau renouvelé.",
            },
        )
    if past:
        mentions.event_mentions(demo, row, day, kind, tag, headcount or attendees)


def attend(
    demo: DemoBuilder, event: dict[str, Any], day: date, kind: str, wanted: int, past: bool
) -> int:
    """Add who registered for an event, and how it went; return how many came."""
    rng = demo.rng
    pool = demo.active_pool(day)
    if not pool.people:
        return 0
    wanted = min(wanted, max(1, int(len(pool.people) * 0.5)))
    if event["capacity"]:
        wanted = min(wanted, event["capacity"])
    regulars, others = pool.regulars, pool.others
    from_regulars = min(len(regulars), int(wanted * rng.uniform(0.35, 0.6)))
    chosen = rng.sample(regulars, from_regulars) + rng.sample(
        others, min(len(others), wanted - from_regulars)
    )
    registration = kind in ("conference", "atelier", "formation", "barcamp")
    attended = 0
    for person in sorted(chosen, key=lambda p: p.id):
        if not past:
            status = "registered"
        elif registration:
            roll = rng.random()
            status = "attended" if roll < 0.88 else "no_show" if roll < 0.97 else "cancelled"
        else:
            status = "attended"
        first_visit = False
        if status == "attended":
            attended += 1
            first_visit = person.id not in demo.seen_attendees
            demo.seen_attendees.add(person.id)
        demo.add(
            "attendance",
            {
                "id": demo.ids.next("attendance"),
                "event_id": event["id"],
                "member_id": person.id,
                "guest_name": None,
                "status": status,
                "first_visit": first_visit,
                "registered_at": event["starts_at"] - timedelta(hours=rng.randrange(2, 500)),
            },
        )
    for _ in range(demo.count(wanted * 0.08)):
        demo.add(
            "attendance",
            {
                "id": demo.ids.next("attendance"),
                "event_id": event["id"],
                "member_id": None,
                "guest_name": demo.full_name(),
                "status": "attended" if past else "registered",
                "first_visit": past and rng.random() < 0.6,
                "registered_at": event["starts_at"] - timedelta(hours=rng.randrange(1, 48)),
            },
        )
        attended += 1 if past else 0
    return attended
