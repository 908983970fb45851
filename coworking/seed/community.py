"""The demo's community around the space: partners, press articles and outcomes."""

from __future__ import annotations

import bisect
from datetime import date, timedelta

from coworking.collation import sort_key
from coworking.seed import data
from coworking.seed.builder import DemoBuilder, slug

# The kinds of event an outcome most often comes from.
OUTCOME_ORIGINS = frozenset({"twapero", "barcamp", "afterwork", "autre", "conference"})


def of_name(name: str) -> str:
    """Return « de » and the name, elided before a vowel (« d'Atelier », « de Loire Web »)."""
    return f"d'{name}" if sort_key(name)[:1] in set("aeiouy") else f"de {name}"


def build_partners(demo: DemoBuilder) -> None:
    """Add the space's partners: public bodies, the bar, schools, companies."""
    for name, kind, hosts, funds, supports, founding, host in data.PARTNERS:
        partner_id = demo.ids.next("partner")
        demo.partner_ids[name] = partner_id
        # Founding partners were there when the association was created, not when the
        # demo's history begins.
        since = demo.founded_on() if founding else demo.random_day(demo.start, demo.today)
        demo.partner_since[partner_id] = since
        demo.add(
            "partner",
            {
                "id": partner_id,
                "name": name,
                "sort_name": sort_key(name),
                "kind": kind,
                "hosts_events": hosts,
                "funds": funds,
                "supports": supports,
                "founding_member": founding,
                "since": since,
                "until": None,
                "contact_name": demo.full_name(),
                "contact_email": f"contact@{host}",
                "contact_phone": None,
                "website": f"https://www.{host}/",
                "address": data.BAR_ADDRESS if name == data.BAR_NAME else None,
                "notes": None,
                "created_at": demo.stamp(max(since, demo.start)),
            },
        )


def build_press(demo: DemoBuilder) -> None:
    """Add a few press articles a year about the space."""
    rng = demo.rng
    outlets = [name for _w, name in data.OUTLETS]
    weights = [w for w, _name in data.OUTLETS]
    founded = demo.founded_on()
    for year in range(demo.start.year, demo.today.year + 1):
        first = max(demo.start, date(year, 1, 1))
        last = min(demo.today, date(year, 12, 31))
        if first > last:
            continue
        share = ((last - first).days + 1) / 365
        for _ in range(demo.count(7 * max(0.6, demo.size) * share * demo.growth(last))):
            day = demo.random_day(first, last)
            template = rng.choice(data.PRESS_TITLES)
            title = template.format(
                space="Maine Labs",
                year=day.year,
                n=60 + rng.randrange(120),
                age=max(1, day.year - founded.year),
            )
            outlet = rng.choices(outlets, weights=weights)[0]
            article_id = demo.ids.next("press_article")
            demo.add(
                "press_article",
                {
                    "id": article_id,
                    "title": title,
                    "outlet": outlet,
                    "author": demo.full_name() if rng.random() < 0.8 else None,
                    "published_on": day,
                    "url": f"https://{slug(outlet)}.example/angers/{article_id}"
                    if rng.random() < 0.7
                    else None,
                    "excerpt": "Reportage sur la vie du coworking et de sa communauté.",
                    "clipping_document_id": None,
                    "created_at": demo.stamp(day, 12),
                },
            )


def build_outcomes(demo: DemoBuilder) -> None:
    """Add outcomes (jobs, projects...), some born at an event, some with a testimonial."""
    rng = demo.rng
    kinds = data.OUTCOME_WEIGHTS
    past_events = [e for e in demo.events if e["starts_at"].date() <= demo.today]
    event_days = [e["starts_at"].date() for e in past_events]
    companies = [demo.partner_ids[name] for name in data.COMPANY_PARTNERS]
    span_years = max(1.0, (demo.today - demo.start).days / 365)
    for _ in range(demo.count(16 * demo.size * span_years)):
        day = demo.random_day(demo.start + timedelta(days=30), demo.today)
        kind = demo.weighted(kinds)
        count = bisect.bisect_right(event_days, day)
        origin = None
        if count and rng.random() < 0.6:
            favourites = [
                e for e in past_events[max(0, count - 40) : count] if e["kind"] in OUTCOME_ORIGINS
            ]
            origin = rng.choice(favourites or past_events[:count])
        template_title, template_text = data.OUTCOME_TEMPLATES[kind]
        organisation = rng.choice(data.ORGANISATIONS)
        values = {
            "job": rng.choice(data.OUTCOME_JOBS),
            "org": organisation,
            "of_org": of_name(organisation),
            "event": origin["title"] if origin else "coworking",
        }
        pool = demo.active_pool(day).people
        involved = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 2, 3))))
        testimonial = author = consent = None
        if involved and rng.random() < 0.6:
            testimonial = rng.choice(data.TESTIMONIALS)
            author = f"{involved[0].first} {involved[0].last[0]}."
            if rng.random() < 0.7:
                consent = demo.stamp(day, 11)
        outcome_id = demo.ids.next("outcome")
        demo.add(
            "outcome",
            {
                "id": outcome_id,
                "kind": kind,
                "title": template_title.format(**values),
                "description": template_text.format(**values),
                "happened_on": day,
                "event_id": origin["id"] if origin else None,
                "partner_id": rng.choice(companies) if rng.random() < 0.3 else None,
                "testimonial": testimonial,
                "testimonial_author": author,
                "consent_publish_at": consent,
                "created_at": demo.stamp(day, 16),
            },
        )
        for person in sorted(involved, key=lambda p: p.id):
            demo.add("outcome_member", {"outcome_id": outcome_id, "member_id": person.id})
