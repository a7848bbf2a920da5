"""HTTP caching tied to the snapshot: strong ETags, 304, Cache-Control, Vary, and the answer cache shared by
the web workers of a server (RFC 9110 §8.8.3 and §13.1.2, RFC 9111 §5.2)."""
from __future__ import annotations

import random
from typing import Any

import pytest

from server.web.app import create_app

JSON = {"Accept": "application/sparql-results+json"}
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum> ?p ?o }"


def fresh(query: str = POINT) -> str:
    """The same query with a comment no earlier request used, so no cache has seen it."""
    return f"{query} # {random.random()}"


def test_get_query_answer_has_strong_etag_cache_control_and_vary(client: Any, mini_settings: Any) -> None:
    response = client.get("/sparql", query_string={"query": fresh()}, headers=JSON)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == f"public, max-age={mini_settings.http_max_age_s}"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/id/event/forum", "/dataset", "/.well-known/void", "/def", "/"])
def test_get_with_matching_if_none_match_is_304_without_body(client: Any, path: str) -> None:
    first = client.get(path, headers=JSON if "sparql" in path else {})
    assert first.status_code == 200 and first.headers.get("ETag")
    again = client.get(path, headers={**(JSON if "sparql" in path else {}), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_if_none_match_star_and_lists_match_weakly(client: Any) -> None:
    query = fresh()
    etag = client.get("/sparql", query_string={"query": query}, headers=JSON).headers["ETag"]
    assert client.get("/sparql", query_string={"query": query}, headers={**JSON, "If-None-Match": "*"}).status_code == 304
    listed = f'"other", W/{etag}'
    assert client.get("/sparql", query_string={"query": query}, headers={**JSON, "If-None-Match": listed}).status_code == 304


def test_stale_etag_gets_the_whole_answer(client: Any) -> None:
    query = fresh()
    response = client.get("/sparql", query_string={"query": query}, headers={**JSON, "If-None-Match": '"not-this-one"'})
    assert response.status_code == 200 and b"bindings" in response.get_data()


def test_other_media_type_has_other_etag(client: Any) -> None:
    query = fresh()
    as_json = client.get("/sparql", query_string={"query": query}, headers=JSON)
    as_xml = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert as_json.headers["ETag"] != as_xml.headers["ETag"]
    assert as_xml.headers["Content-Type"].startswith("application/sparql-results+xml")


def test_repeated_get_is_answered_by_the_answer_cache(client: Any) -> None:
    query = fresh()
    first = client.get("/sparql", query_string={"query": query}, headers=JSON)
    second = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.get_data() == second.get_data() and first.headers["ETag"] == second.headers["ETag"]


def test_request_no_cache_gets_a_new_answer(client: Any) -> None:
    query = fresh()
    client.get("/sparql", query_string={"query": query}, headers=JSON)
    again = client.get("/sparql", query_string={"query": query}, headers={**JSON, "Cache-Control": "no-cache"})
    assert again.headers["X-Cache"] == "miss"


def test_request_no_cache_is_evaluated_again_by_the_service_too(client: Any) -> None:
    """POST passes the front cache; the service keeps its own answer cache, which no-cache must pass as well."""
    query = fresh()
    client.post("/sparql", data={"query": query}, headers=JSON)
    cached = client.post("/sparql", data={"query": query}, headers=JSON)
    again = client.post("/sparql", data={"query": query}, headers={**JSON, "Cache-Control": "no-cache"})
    old_style = client.post("/sparql", data={"query": query}, headers={**JSON, "Pragma": "no-cache"})
    assert (cached.headers["X-Cache"], again.headers["X-Cache"], old_style.headers["X-Cache"]) == ("hit", "miss", "miss")
    assert again.get_data() == cached.get_data()


def test_x_cache_says_hit_when_the_service_answered_from_its_cache_behind_a_front_miss(client: Any) -> None:
    query = fresh()
    client.get("/sparql", query_string={"query": query}, headers=JSON)
    other_key = client.get("/sparql", query_string={"query": query}, headers={**JSON, "Accept-Language": "zh"})
    assert other_key.headers["X-Cache"] == "hit"


def test_head_has_the_headers_of_get_and_no_body(client: Any) -> None:
    query = fresh()
    got = client.get("/sparql", query_string={"query": query}, headers=JSON)
    head = client.head("/sparql", query_string={"query": query}, headers=JSON)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(got.get_data()))


def test_head_first_does_not_leave_an_empty_answer_for_get(client: Any) -> None:
    query = fresh()
    head = client.head("/sparql", query_string={"query": query}, headers=JSON)
    got = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert head.get_data() == b"" and got.headers["X-Cache"] == "hit"
    assert int(head.headers["Content-Length"]) == len(got.get_data()) > 0 and b"bindings" in got.get_data()


def test_head_of_a_bad_query_is_the_error_status_without_body(client: Any) -> None:
    response = client.head("/sparql", query_string={"query": "SELECT WHERE {"}, headers=JSON)
    assert response.status_code == 400 and response.get_data() == b""


def test_post_query_is_not_marked_cacheable(client: Any) -> None:
    response = client.post("/sparql", data={"query": fresh()}, headers=JSON)
    assert response.status_code == 200
    assert "ETag" not in response.headers and "public" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_live_state_is_never_cached(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_errors_are_not_cached(client: Any) -> None:
    query = "SELECT WHERE {"
    first = client.get("/sparql", query_string={"query": query}, headers=JSON)
    second = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert first.status_code == second.status_code == 400
    assert "ETag" not in second.headers and second.headers.get("X-Cache") != "hit"


def test_answer_cache_is_shared_by_the_workers_of_a_server(app: Any, mini_settings: Any, mini_snapshot: Any) -> None:
    """A second app on the same snapshot and settings stands for a second web worker (its own process memory)."""
    other = create_app(mini_settings, mini_snapshot)
    try:
        query = fresh()
        mine, theirs = app.test_client(), other.test_client()
        assert mine.get("/sparql", query_string={"query": query}, headers=JSON).headers["X-Cache"] == "miss"
        assert mine.get("/sparql", query_string={"query": query}, headers=JSON).headers["X-Cache"] == "hit"
        before = other.extensions["ugkg"].answers.shared_hits
        answer = theirs.get("/sparql", query_string={"query": query}, headers=JSON)
        assert answer.headers["X-Cache"] == "hit"
        assert other.extensions["ugkg"].answers.shared_hits == before + 1
        assert other.extensions["ugkg"].sparql.executor.timeouts == 0
    finally:
        other.extensions["ugkg"].close()


def test_servers_with_other_answer_settings_do_not_share(app: Any, mini_settings: Any, mini_snapshot: Any) -> None:
    other = create_app(mini_settings.with_(max_result_rows=3), mini_snapshot)
    try:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } # shared-settings"
        mine = app.test_client()
        mine.get("/sparql", query_string={"query": query}, headers=JSON)
        mine.get("/sparql", query_string={"query": query}, headers=JSON)
        theirs = other.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
        assert theirs.headers["X-Cache"] == "miss" and theirs.headers.get("X-Result-Truncated") == "true; max-rows=3"
    finally:
        other.extensions["ugkg"].close()
