"""The demo space itself: its profile and logo, its board, its yearly budget."""

from __future__ import annotations

import hashlib
import struct
import zlib

from coworking.documents.services import make_thumbnail
from coworking.seed import data
from coworking.seed.builder import DESKS, DemoBuilder
from coworking.space.profile import luhn_check_digit


def build_profile(demo: DemoBuilder) -> None:
    """Add the space's profile, its logo and its board."""
    rng = demo.rng
    logo = _logo_png()
    document_id = demo.ids.next("document")
    demo.add(
        "document",
        {
            "id": document_id,
            "title": "Logo de l'espace",
            "kind": "logo",
            "filename": "maine-labs-logo.png",
            "content_type": "image/png",
            "size": len(logo),
            "sha256": hashlib.sha256(logo).hexdigest(),
            "data": logo,
            # Like an uploaded image: the documents page shows its thumbnail.
            "thumbnail": make_thumbnail(logo),
            "partner_id": None,
            "uploaded_at": demo.stamp(demo.start),
            "uploaded_by": None,
        },
    )
    siren = "8" + "".join(str(rng.randrange(10)) for _ in range(7))
    siren += luhn_check_digit(siren)
    nic = "0001" + "0"
    siret = siren + nic[:4] + luhn_check_digit(siren + nic[:4])
    demo.add(
        "space_profile",
        {
            "id": 1,
            "name": "Maine Labs",
            "short_name": "Maine Labs",
            "legal_form": "Association loi 1901",
            "siret": siret,
            "address": "42 rue des Lutins",
            "postcode": "49100",
            "city": "Angers",
            "founded_on": demo.founded_on(),
            "website": "https://mainelabs.example/",
            "email": "bonjour@mainelabs.example",
            "surface_m2": 320,
            "desks": DESKS,
            "meeting_rooms": 2,
            "opening_hours": {
                "0": "9h–19h",
                "1": "9h–19h",
                "2": "9h–19h",
                "3": "9h–22h",
                "4": "9h–18h",
                "5": "",
                "6": "",
            },
            "internet": "Wi-Fi et fibre 1 Gb/s",
            "accessibility": "Rez-de-chaussée de plain-pied, toilettes adaptées, "
            "tram à 200 m (arrêt fictif « Lutins »).",
            "prices": "Journée 8 € · carte 10 jours 70 € · mensuel 150 € · annuel 1 200 € · "
            "adhésion à l'association 20 €/an",
            "day_pass_offered": True,
            "staff_fte": 1.5,
            "volunteers": 12 + rng.randrange(10),
            "description": "Maine Labs est le tiers-lieu numérique associatif d'Angers : "
            "un coworking, des ateliers, des conférences et le twapéro mensuel.",
            "logo_document_id": document_id,
            "updated_at": demo.stamp(demo.today),
        },
    )
    recent = [p for p in demo.people if p.left is None] or demo.people
    board = rng.sample(recent, min(len(recent), len(data.BOARD_ROLES)))
    for position, (person, role) in enumerate(zip(board, data.BOARD_ROLES, strict=False), start=1):
        demo.add(
            "board_member",
            {
                "id": demo.ids.next("board_member"),
                "name": f"{person.first} {person.last}",
                "role": role,
                "position": position,
            },
        )


def build_budget(demo: DemoBuilder) -> None:
    """Add each year's budget: expenses, own income from memberships, subsidies."""
    rng = demo.rng
    plan_kinds = {plan_id: kind for kind, plan_id in demo.plans.items()}
    income: dict[tuple[int, str], int] = {}
    for row in demo.rows.get("membership", []):
        kind = plan_kinds[row["plan_id"]]
        source = "day_passes" if kind in ("day_pass", "ten_day_card") else "memberships"
        key = (row["paid_on"].year, source)
        income[key] = income.get(key, 0) + row["amount_paid_cents"]
    euros = 100
    for year in range(demo.start.year, demo.today.year + 1):
        expenses = [
            ("Loyer et charges", 36000 * euros),
            ("Salaires et charges sociales", rng.randrange(52000, 60000) * euros),
            ("Énergie", rng.randrange(4000, 7000) * euros),
            ("Internet et téléphonie", 1800 * euros),
            ("Événements", rng.randrange(3000, 9000) * euros),
            ("Assurances", 1200 * euros),
            ("Matériel et mobilier", rng.randrange(1000, 5000) * euros),
            ("Communication", rng.randrange(500, 2500) * euros),
        ]
        own = [
            ("Adhésions et abonnements", "memberships", income.get((year, "memberships"), 0)),
            ("Journées et cartes 10 jours", "day_passes", income.get((year, "day_passes"), 0)),
            ("Location de salles", "room_hire", rng.randrange(3000, 12000) * euros),
            ("Mécénat d'entreprises", "sponsorship", rng.randrange(2000, 8000) * euros),
            ("Buvette et divers", "other", rng.randrange(500, 2000) * euros),
        ]
        # Public funding closes most of the gap, as in an association's real budget.
        gap = sum(amount for _c, amount in expenses) - sum(amount for _c, _s, amount in own)
        subsidies = max(10_000 * euros, int(gap * rng.uniform(0.93, 1.06)) // 100 * 100)
        region = subsidies // 5 if year % 2 == 0 else 0
        city = (subsidies - region) * 55 // 100
        funders = [
            ("Subvention Ville d'Angers", city),
            ("Subvention Angers Loire Métropole", subsidies - region - city),
        ]
        if region:
            funders.append(("Subvention Région Pays de la Loire", region))
        lines: list[tuple[str, str, str | None, int]] = (
            [("income", category, source, amount) for category, source, amount in own]
            + [("income", category, "subsidies", amount) for category, amount in funders]
            + [("expense", category, None, amount) for category, amount in expenses]
        )
        for direction, category, line_source, amount in lines:
            demo.add(
                "budget_line",
                {
                    "id": demo.ids.next("budget_line"),
                    "year": year,
                    "direction": direction,
                    "category": category,
                    "source": line_source,
                    "amount_cents": amount,
                },
            )


def _logo_png(size: int = 96) -> bytes:
    """Draw the demo logo: a teal square with a lighter 'M' band (a valid PNG, no library)."""
    teal, light = (8, 95, 110), (232, 241, 243)
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")
        for x in range(size):
            stem = x < size // 5 or x >= size - size // 5
            diagonal = abs(x - size // 2) <= max(2, size // 10) and y < size // 2 + abs(
                x - size // 2
            )
            inside = size // 6 <= y <= size - size // 6 and (stem or diagonal)
            row += bytes(light if inside else teal)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
