"""Search: character matching (Chinese has no spaces), ranking, limits, JSON and HTML answers."""
from __future__ import annotations

import pytest
import requests

from server.web.pages import Labels
from server.web.search import Entry, Index, normalise

BASE = "https://w3id.org/ugkg/"


def entry(iri: str, label: str, other: str = "") -> Entry:
    texts = [(normalise(label), label, "en", "rdfs:label", True)]
    if other:
        texts.append((normalise(other), other, "en", "ugkg:text", False))
    return Entry(iri, Labels(en=label), [], texts)


def test_ranking_exact_then_prefix_then_substring_then_text():
    index = Index("x", [
        entry("e:text", "Unrelated", "text mentioning beijing somewhere"),
        entry("e:substring", "Greater Beijing area"),
        entry("e:prefix-long", "Beijing Municipal Government"),
        entry("e:prefix", "Beijing Daily"),
        entry("e:exact", "BEIJING"),
    ])
    ranked = [(tier, e.iri) for tier, e, _ in index.search("beijing", 10)]
    assert ranked == [(0, "e:exact"), (1, "e:prefix"), (1, "e:prefix-long"), (2, "e:substring"), (3, "e:text")]
    assert [e.iri for _, e, _ in index.search("beijing", 2)] == ["e:exact", "e:prefix"]


def test_chinese_matches_by_characters_and_full_width_latin_folds():
    index = Index("x", [entry("e:cass", "中国社会科学院"), entry("e:bj", "北京市人民政府")])
    assert [e.iri for _, e, _ in index.search("社会科学", 5)] == ["e:cass"]
    assert index.search("社会科学", 5)[0][0] == 2  # substring
    assert index.search("中国", 5)[0][0] == 1  # prefix
    assert normalise("ＢＥＩＪＩＮＧ") == "beijing"


def test_search_api_exact_first(client):
    response = client.get("/search?q=forum")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["query"] == "forum" and doc["count"] == len(doc["results"]) >= 2
    first = doc["results"][:2]
    assert {r["iri"] for r in first} == {BASE + "def/Forum", BASE + "id/event/forum"}
    assert all(r["matched"]["kind"] == "exact" for r in first)
    forum = next(r for r in first if r["iri"] == BASE + "id/event/forum")
    assert forum["labels"] == {"en": "Forum", "zh": "论坛"}
    assert BASE + "def/Forum" in forum["types"]
    assert forum["href"] == "/id/event/forum"


def test_search_api_chinese_substring(client):
    doc = client.get("/search?q=社会科学").get_json()
    assert doc["results"][0]["iri"] == BASE + "id/org/cass"
    assert doc["results"][0]["matched"] == {"text": "中国社会科学院", "lang": "zh", "property": "rdfs:label", "kind": "substring"}
    assert client.get("/search?q=论坛").get_json()["results"][0]["matched"]["kind"] == "exact"
    assert client.get("/search?q=CHINESE ACADEMY").get_json()["results"][0]["matched"]["kind"] == "prefix"


def test_search_limits_and_errors(client):
    assert len(client.get("/search?q=o&limit=1").get_json()["results"]) == 1
    assert client.get("/search?q=o&limit=1000").get_json()["limit"] == 100
    assert client.get("/search?q=o&limit=abc").status_code == 400
    assert client.get("/search?q=o&limit=0").status_code == 400
    bare = client.get("/search")  # a published link (every page's footer): it answers and says how to ask
    assert bare.status_code == 200 and bare.get_json()["results"] == [] and "q=" in bare.get_json()["hint"]
    assert client.get("/search", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/search?q=zzzzqqq").get_json()["results"] == []


def test_search_html_page_escapes_markup(client):
    response = client.get("/search?q=script", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert 'href="/id/x/markup"' in body
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert client.get("/search", headers={"Accept": "text/html"}).status_code == 200  # empty form
    assert client.get("/search?q=forum&format=html").mimetype == "text/html"


def test_live_search(live_server):
    response = requests.get(live_server + "/search", params={"q": "论坛"}, timeout=10)
    assert response.status_code == 200
    assert response.json()["results"][0]["labels"]["zh"] == "论坛"
