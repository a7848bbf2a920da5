"""Error bodies for programs (views/errors.py): the English ``message`` and the stable codes stay as they are, and
beside them ``explanation`` (and ``advice`` for a hint) in the language of Accept-Language, from the catalogue."""
from __future__ import annotations

import pytest

from server.web.site.i18n import catalogue

SLASH = "PREFIX ugr: <https://w3id.org/ugkg/id/>\nSELECT * WHERE { ugr:event/forum ?p ?o }"
EXPLANATION_EN = "The query is not valid SPARQL"
ADVICE_EN = "A prefixed name (prefix:name) has a character"


def _error(client, accept: str, language: str | None):  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} | ({"Accept-Language": language} if language else {})
    response = client.get("/sparql", query_string={"query": SLASH}, headers=headers)
    assert response.status_code == 400
    return response


@pytest.mark.parametrize("language, lang", [(None, "en"), ("en-GB,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.5", "zh"), ("zh-Hant", "zh")])
def test_a_json_error_explains_itself_in_the_language_asked_for(client, language: str | None, lang: str) -> None:  # type: ignore[no-untyped-def]
    response = _error(client, "application/json", language)
    body = response.get_json()
    assert body["error"] == "malformed-query" and body["hint_code"] == "reserved-character-in-prefixed-name"
    assert body["message"].startswith("the query does not parse")  # English and unchanged, whatever the language
    assert body["lang"] == lang
    if lang == "en":
        assert body["explanation"].startswith(EXPLANATION_EN) and body["advice"].startswith(ADVICE_EN)
    else:
        for key in ("explanation", "advice"):
            assert _chinese(body[key]) and body[key] in catalogue("zh")._catalog.values()
    assert response.headers["Vary"] == "Accept, Accept-Language"


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _unreadable_body(client, accept: str):  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data=b"SELECT * {}", headers={"Content-Type": "application/x-unknown", "Accept": accept, "Accept-Language": "zh"})
    assert response.status_code == 415
    return response


def test_a_plain_text_error_ends_with_the_explanation(client) -> None:  # type: ignore[no-untyped-def]
    lines = _unreadable_body(client, "text/plain").get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("415 Unsupported media type") and not _chinese(lines[0])
    assert _chinese(lines[-1])


def test_the_error_page_still_varies_on_the_page_language(client) -> None:  # type: ignore[no-untyped-def]
    response = _unreadable_body(client, "text/html")
    assert "Accept-Language" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]
