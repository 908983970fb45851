"""Every French message of the interface has its English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "coworking" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _source_messages() -> set[str]:
    keywords = dict(DEFAULT_KEYWORDS, _l=None)
    found: set[str] = set()
    for folder, method_map in (
        ("coworking", [("**.py", "python")]),
        ("templates", [("**.html", "jinja2"), ("**.ics", "jinja2")]),
    ):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=method_map, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return {message for message in found if message}


def test_every_message_has_an_english_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue
        if message.id
        and (message.string if isinstance(message.string, str) else message.string[0])
        and not message.fuzzy
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], "run `make translations` and translate: " + "; ".join(missing[:20])


def test_compiled_catalogue_matches_the_po_file():
    from babel.messages.mofile import read_mo

    def plain(value):  # a plural message's id and strings: a tuple (.po) or a list (.mo)
        return tuple(value) if isinstance(value, list | tuple) else value

    with CATALOGUE.open("rb") as handle:
        source = {
            plain(m.id): plain(m.string)
            for m in read_po(handle)
            if m.id and m.string and not m.fuzzy
        }
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run `pybabel compile -d coworking/translations`"


def test_templates_follow_a_change_of_language_within_a_request(app):
    """The templates' catalogue is kept per request, yet force_locale is seen at once."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Membres') }} {{ current_locale() }} {{ day|date('long') }}"
    import datetime as dt

    day = dt.date(2026, 3, 7)
    with app.test_request_context("/"):
        assert render_template_string(template, day=day) == "Membres fr 7 mars 2026"
        with force_locale("en"):
            assert render_template_string(template, day=day) == "Members en March 7, 2026"
        assert render_template_string(template, day=day) == "Membres fr 7 mars 2026"


def test_template_gettext_escapes_its_variables_and_formats_like_jinja(app):
    from flask import render_template_string

    with app.test_request_context("/"):
        assert render_template_string("{{ _('%(n)s membres', n='<b>') }}") == "&lt;b&gt; membres"
        assert render_template_string("{{ _('100 %%') }}") == "100 %"
        assert render_template_string("{{ _('Membres') }}") == "Membres"
        # A template that is not HTML (the .ics feed) is not escaped.
        template = app.jinja_env.from_string(
            "{% autoescape false %}{{ _('%(n)s membres', n='<b>') }}{% endautoescape %}"
        )
        assert template.render() == "<b> membres"


def test_profession_categories_and_age_brackets_are_translated(app):
    """The closed lists are marked for extraction (N_), so the English pages and dossier show
    them in English."""
    from flask_babel import force_locale

    from coworking.members.services import age_bracket_labels, profession_labels

    with app.test_request_context("/"):
        assert profession_labels()["demandeur_emploi"] == "Demandeur d'emploi"
        with force_locale("en"):
            assert profession_labels()["demandeur_emploi"] == "Job seeker"
            assert age_bracket_labels()["65+"] == "65 and over"


def test_templates_plurals_take_a_formatted_num(app):
    """`ngettext(s, p, n, num=…)` in a template: the count chooses the form, `num` is printed
    (it raised a TypeError: the count's own parameter was also called num)."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ ngettext('%(num)s membre', '%(num)s membres', n, num=shown) }}"
    with app.test_request_context():
        assert render_template_string(template, n=1, shown="1") == "1 membre"
        assert render_template_string(template, n=5700, shown="5 700") == "5 700 membres"
        with force_locale("en"):
            assert render_template_string(template, n=2, shown="2") == "2 members"
