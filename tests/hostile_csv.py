"""Hostile member CSV files, as bytes: for the import tests, the live-server test and the benchmark."""

from __future__ import annotations

INVALID_HEADER = (
    "Nom;Prénom;E-mail;Téléphone;Date d'adhésion;Date de départ;Tranche d'âge;Catégorie;"
    "Mastodon;LinkedIn"
)
# Each invalid row has exactly this many errors: no name, then eight cells that are all wrong.
ERRORS_PER_INVALID_ROW = 9

VALID_HEADER = (
    "Prénom;Nom;E-mail;Téléphone;Métier;Structure;Ville;Date d'adhésion;Consentement RGPD"
)


def members_invalid_rows(count: int) -> bytes:
    """Return a CSV of `count` rows with ERRORS_PER_INVALID_ROW errors each (50,000 rows: 450,000)."""
    lines = [INVALID_HEADER]
    lines += [f";;x{n};x;x;x;x;x;x;x" for n in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def members_valid_rows(count: int, *, first: int = 0) -> bytes:
    """Return a CSV of `count` valid members with distinct e-mails (membreN@example.org)."""
    lines = [VALID_HEADER]
    lines += [
        f"Prénom{n};Nom{n};membre{n}@example.org;06 12 34 56 78;Développeur;Atelier {n % 97};"
        f"Angers;01/02/2024;oui"
        for n in range(first, first + count)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def members_extreme_dates() -> bytes:
    """Return a CSV whose dates are of year 1 and year 9999 (valid calendar dates)."""
    return (
        "Nom;Prénom;E-mail;Date d'adhésion;Date de départ\r\n"
        "Ancien;Adam;adam@example.org;01/01/0001;\r\n"
        "Futur;Zoé;zoe@example.org;2024-01-01;31/12/9999\r\n"
        "Lointain;Max;max@example.org;9999-12-31;\r\n"
    ).encode()
