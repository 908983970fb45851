"""French typography done once: spaces, apostrophes, ordinals, SIRET; URLs and times untouched."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from coworking.typography import NBSP, NNBSP, group_siret, typeset, typeset_markup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pourquoi ? Parce que !", f"Pourquoi{NNBSP}? Parce que{NNBSP}!"),
        ("Pourquoi? Parce que!", f"Pourquoi{NNBSP}? Parce que{NNBSP}!"),
        ("un ; deux", f"un{NNBSP}; deux"),
        ("Note : voir plus bas", f"Note{NBSP}: voir plus bas"),
        ("Note: voir", f"Note{NBSP}: voir"),
        ("« Cantine numérique »", f"«{NNBSP}Cantine numérique{NNBSP}»"),
        ("«Cantine»", f"«{NNBSP}Cantine{NNBSP}»"),
        ("l'association d'Angers", "l’association d’Angers"),
        ("le 1 janvier 2026", f"le 1er{NBSP}janvier 2026"),
        ("1 déc. 2025", f"1er{NBSP}déc. 2025"),
        ("11 janvier, 21 mars", "11 janvier, 21 mars"),
        ("SIRET 85364323700011", f"SIRET 853{NBSP}643{NBSP}237{NBSP}00011"),
        ("à 18:30 précises", "à 18:30 précises"),
        (
            "voir https://mainelabs.fr/a?b=1 : le site",
            f"voir https://mainelabs.fr/a?b=1{NBSP}: le site",
        ),
        ("écrire à contact@mainelabs.fr ; merci", f"écrire à contact@mainelabs.fr{NNBSP}; merci"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
    ],
)
def test_french_rules(text, expected):
    assert typeset(text) == expected


def test_english_keeps_its_spaces_and_curls_apostrophes():
    assert typeset("Why? It's the space's «label»: yes!", "en") == (
        "Why? It’s the space’s «label»: yes!"
    )


def test_already_set_text_is_unchanged():
    once = typeset("« Le 1 mars : l'AG ! »")
    assert typeset(once) == once


def test_sirets_and_sirens_are_grouped():
    assert group_siret("853 643 237 00011") == f"853{NBSP}643{NBSP}237{NBSP}00011"
    assert group_siret("853643237") == f"853{NBSP}643{NBSP}237"
    assert group_siret("12") == "12"


def test_markup_text_is_set_tags_and_code_are_not():
    html = Markup(
        '<p>L&#39;atelier : <a href="https://x.fr/?a=b">le site !</a></p><pre>a : b</pre>'
    )
    result = typeset_markup(html)
    assert result == (
        f'<p>L’atelier{NBSP}: <a href="https://x.fr/?a=b">le site{NNBSP}!</a></p><pre>a : b</pre>'
    )


def test_markup_escapes_text_it_sets():
    assert typeset_markup("<p>a &lt;b&gt; c</p>") == "<p>a &lt;b&gt; c</p>"
