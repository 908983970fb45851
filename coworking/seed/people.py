"""The demo's people: members (names, handles, e-mails), their memberships and their check-ins."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from types import SimpleNamespace

from coworking.dates import add_months, add_years
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.services import derived_columns
from coworking.seed import data
from coworking.seed.builder import DESKS, DemoBuilder, Person, slug
from coworking.seed.calendar_days import months


def build_members(demo: DemoBuilder) -> None:
    """Generate the members: founders first, then arrivals growing over the period."""
    rng = demo.rng
    span = (demo.today - demo.start).days
    cities = [(postcode, city) for _w, postcode, city in data.CITIES]
    city_weights = [weight for weight, _p, _c in data.CITIES]
    professions = list(data.PROFESSION_WEIGHTS)
    profession_weights = [data.PROFESSION_WEIGHTS[p] for p in professions]
    assert set(professions) <= set(PROFESSION_CATEGORIES)
    joined_days = []
    for index in range(demo.n_members):
        # Founders at the start, then arrivals growing over time.
        if index < max(3, demo.n_members // 25):
            offset = rng.randrange(min(span, 60) + 1)
        else:
            offset = int(span * rng.random() ** 0.8)
        joined_days.append(demo.start + timedelta(days=min(span, offset)))
    joined_days.sort()
    demo.joined_sorted = joined_days
    for joined in joined_days:
        member_id = demo.ids.next("member")
        first = rng.choice(data.FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        profession = rng.choices(professions, weights=profession_weights)[0]
        ages = data.AGE_WEIGHTS.get(profession, data.AGE_WEIGHTS["default"])
        age = demo.weighted(ages)
        assert age in AGE_BRACKETS
        postcode, city = rng.choices(cities, weights=city_weights)[0]
        left = None
        stay = (demo.today - joined).days
        if stay > 365 and rng.random() < 0.33:
            left = joined + timedelta(days=rng.randrange(180, stay))
        twitter = mastodon = linkedin = None
        if joined.year <= 2022 and rng.random() < 0.7 or rng.random() < 0.15:
            twitter = unique_handle(demo, first, last)
        if joined.year >= 2022 and rng.random() < 0.45 or rng.random() < 0.08:
            user = unique_handle(demo, first, last, sep="_").lower()
            mastodon = f"{user}@{rng.choice(data.MASTODON_INSTANCES)}"
        if rng.random() < 0.35:
            linkedin = f"https://www.linkedin.com/in/{slug(first)}-{slug(last)}-{member_id}"
        email = None if rng.random() < 0.04 else unique_email(demo, first, last)
        organisation = None
        employed = ("chef_entreprise", "salarie", "association", "web", "communicant")
        if profession in employed and rng.random() < 0.6:
            organisation = rng.choice(data.ORGANISATIONS)
        coworker = None
        roll = rng.random()
        if roll < 0.035:
            coworker = "resident"
        elif roll < 0.15:
            coworker = "nomad"
        person = Person(
            id=member_id,
            first=first,
            last=last,
            joined=joined,
            left=left,
            profession=profession,
            twitter=twitter,
            mastodon=mastodon,
            regular=rng.random() < 0.15,
            coworker=coworker,
        )
        if coworker:
            cowork_days = rng.randrange(60, 365 * 4)
            person.cowork_end = min(left or demo.today, joined + timedelta(days=cowork_days))
        demo.people.append(person)
        consent_at = demo.stamp(joined)
        row = demo.add(
            "member",
            {
                "id": member_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": f"06 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}"
                if rng.random() < 0.5
                else None,
                "twitter": twitter,
                "mastodon": mastodon,
                "linkedin": linkedin,
                "profession_category": profession,
                "profession_text": rng.choice(data.PROFESSION_TEXTS[profession])
                if rng.random() < 0.7
                else None,
                "organisation": organisation,
                "age_bracket": age if rng.random() < 0.9 else None,
                "postcode": postcode,
                "city": city,
                "joined_on": joined,
                "left_on": left,
                "heard_from": rng.choice(data.HEARD_FROM) if rng.random() < 0.6 else None,
                "consent_data_at": consent_at,
                "consent_photos_at": consent_at if rng.random() < 0.55 else None,
                "consent_newsletter_at": consent_at if rng.random() < 0.45 else None,
                "notes": None,
                "search_text": "",
                "erased_at": None,
                "created_at": consent_at,
                "updated_at": consent_at,
            },
        )
        row.update(derived_columns(SimpleNamespace(**row)))


def unique_handle(demo: DemoBuilder, first: str, last: str, sep: str = "") -> str:
    """Return a social media handle for this person, unused so far."""
    rng = demo.rng
    base = rng.choice(
        (
            f"{slug(first).capitalize()}{slug(last).capitalize()}",
            f"{slug(first)}{sep}{slug(last)[:3]}",
            f"{slug(first)[0]}{slug(last)}",
            f"{slug(first)}{sep}{rng.randrange(10, 99)}",
        )
    )[:15]
    candidate = base
    while candidate.lower() in demo.handles:
        candidate = f"{base[:12]}{rng.randrange(100, 999)}"
    demo.handles.add(candidate.lower())
    return candidate


def unique_email(demo: DemoBuilder, first: str, last: str) -> str:
    """Return an e-mail address for this person, unused so far."""
    local = f"{slug(first)}.{slug(last)}"
    domain = demo.rng.choice(data.EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    number = 2
    while email in demo.emails:
        email = f"{local}{number}@{domain}"
        number += 1
    demo.emails.add(email)
    return email


def build_memberships(demo: DemoBuilder) -> None:
    """Generate memberships: association fees, residents' months, nomads' passes."""
    rng = demo.rng
    prices = {kind: price for kind, _name, price in data.PLANS}
    for person in demo.people:
        end = person.left or demo.today
        if person.coworker or rng.random() < 0.38:
            starts = person.joined
            while starts <= end:
                membership(
                    demo,
                    person,
                    "association_fee",
                    starts,
                    add_years(starts, 1) - timedelta(days=1),
                    prices["association_fee"],
                )
                if rng.random() > 0.68:
                    break
                starts = add_years(starts, 1)
        if person.coworker == "resident":
            starts = person.joined
            cowork_end = person.cowork_end or end
            annual = rng.random() < 0.4
            months_done = 0
            while starts <= cowork_end:
                if annual and months_done >= 12:
                    ends = add_years(starts, 1) - timedelta(days=1)
                    membership(demo, person, "annual", starts, ends, prices["annual"])
                else:
                    ends = add_months(starts, 1) - timedelta(days=1)
                    membership(demo, person, "monthly", starts, ends, prices["monthly"])
                starts = ends + timedelta(days=1)
                months_done += 1
        elif person.coworker == "nomad":
            day = person.joined
            cowork_end = person.cowork_end or end
            while day <= cowork_end:
                if rng.random() < 0.55:
                    ends = add_years(day, 1) - timedelta(days=1)
                    membership(demo, person, "ten_day_card", day, ends, prices["ten_day_card"])
                    day += timedelta(days=rng.randrange(45, 150))
                else:
                    membership(demo, person, "day_pass", day, day, prices["day_pass"])
                    day += timedelta(days=rng.randrange(7, 60))


def membership(
    demo: DemoBuilder, person: Person, kind: str, starts: date, ends: date, price: int
) -> None:
    """Add one paid membership."""
    demo.add(
        "membership",
        {
            "id": demo.ids.next("membership"),
            "member_id": person.id,
            "plan_id": demo.plans[kind],
            "starts_on": starts,
            "ends_on": ends,
            "amount_paid_cents": price,
            "paid_on": starts,
            "created_at": demo.stamp(starts, 9),
        },
    )


def build_checkins(demo: DemoBuilder) -> None:
    """Generate the coworkers' visits on open days, quieter in summer."""
    rng = demo.rng
    coworkers = [p for p in demo.people if p.coworker]
    weekday_factor = (0.85, 1.05, 1.0, 1.1, 0.8)
    month_factor = {7: 0.75, 8: 0.3, 9: 1.05, 12: 0.8}
    for year, month in months(demo.start, demo.today):
        first = max(demo.start, date(year, month, 1))
        last = min(demo.today, add_months(date(year, month, 1), 1) - timedelta(days=1))
        pool = [p for p in coworkers if p.joined <= last and (p.cowork_end or demo.today) >= first]
        if not pool:
            continue
        cumulative = list(itertools.accumulate(6 if p.regular else 1 for p in pool))
        scale = min(1.0, len(pool) / 40)
        day = first
        while day <= last:
            if not demo.closed(day):
                mean = (
                    DESKS
                    * (0.3 + 0.35 * demo.growth(day))
                    * scale
                    * weekday_factor[day.weekday()]
                    * month_factor.get(month, 1.0)
                )
                wanted = min(DESKS, demo.count(mean))
                picked = rng.choices(pool, cum_weights=cumulative, k=wanted * 2)
                seen: set[int] = set()
                taken = 0
                for person in picked:
                    if taken >= wanted:
                        break
                    if (
                        person.id in seen
                        or person.joined > day
                        or (person.cowork_end or demo.today) < day
                    ):
                        continue
                    seen.add(person.id)
                    taken += 1
                    checkin(demo, day, person.id, None)
                if rng.random() < 0.12:
                    checkin(demo, day, None, rng.choice(data.ANONYMOUS_VISITORS))
            day += timedelta(days=1)


def checkin(demo: DemoBuilder, day: date, member_id: int | None, visitor: str | None) -> None:
    """Add one check-in, of a member or of a visitor."""
    demo.add(
        "check_in",
        {
            "id": demo.ids.next("check_in"),
            "member_id": member_id,
            "visitor_name": visitor,
            "day": day,
            "duration": "half" if demo.rng.random() < 0.22 else "full",
            "created_at": demo.at(day, 9, demo.rng.randrange(0, 59)),
            "created_by": None,
        },
    )
