import pytest

from coworking.urls import MAX_URL_LENGTH, clean_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mainelabs.fr", "https://mainelabs.fr"),
        (
            "  http://mainelabs.fr/agenda?mois=3#twapero \n",
            "http://mainelabs.fr/agenda?mois=3#twapero",
        ),
        ("HTTPS://Example.org/Page", "https://Example.org/Page"),
        (
            "https://www.ouest-france.fr/pays-de-la-loire/angers/",
            "https://www.ouest-france.fr/pays-de-la-loire/angers/",
        ),
        ("https://angers.fr:8443/x", "https://angers.fr:8443/x"),
        ("http://192.168.1.10/", "http://192.168.1.10/"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
        ("https://café-angers.fr/menu", "https://café-angers.fr/menu"),
        ("https://piaille.fr/@mainelabs/1100", "https://piaille.fr/@mainelabs/1100"),
    ],
)
def test_clean_url_keeps_web_links(url, expected):
    assert clean_url(url) == expected
    assert clean_url(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(document.cookie)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.org/file",
        "mailto:contact@mainelabs.fr",
        "//evil.example",
        "/relative/path",
        "mainelabs.fr",
        "https:evil.example",
        "https:/evil.example",
        "https:\\\\evil.example",
        "https://",
        "https://bank.fr@evil.example/",
        "https://user:secret@example.org/",
        "https://exa mple.org/",
        "https://example.org/\u202egnp.exe",
        "https://example.org:99999/",
        "https://example.org:port/",
        "https://-bad-.example/",
        "https://exa_mple.org/",
        "http://[not-an-ip]/",
        "https://example.org/" + "a" * MAX_URL_LENGTH,
    ],
)
def test_clean_url_refuses_unsafe_or_invalid(url):
    assert clean_url(url) is None
    assert clean_url(url) is None
