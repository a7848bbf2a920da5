"""The slow lane: a query that ran slowly is afterwards confined to the slow-lane slots, so cheap ones keep going."""
from __future__ import annotations

import re
import threading
import time

import pytest

from server.web.app import create_app
from server.engine.lanes import SlowLane, fingerprint
from server.engine.store import QueryJob

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"
CHEAP = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
JSON = {"Accept": "application/sparql-results+json"}


def job(query: str, **kw: object) -> QueryJob:
    return QueryJob(query=query, form="SELECT", media_type="application/sparql-results+json", max_rows=10, **kw)  # type: ignore[arg-type]


def test_fingerprint_ignores_whitespace_and_media_type() -> None:
    a = job("SELECT *\n  WHERE { ?s ?p ?o }")
    b = QueryJob(query="SELECT * WHERE {  ?s ?p ?o }", form="SELECT", media_type="text/csv", max_rows=99)
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(job("SELECT * WHERE { ?s ?p ?o }", inference=False))


def test_only_queries_over_the_threshold_or_timed_out_are_remembered() -> None:
    lane = SlowLane(slots=1, slow_query_s=0.5, retry_after_s=3)
    fast, slow, stopped = job("ASK {}"), job("SELECT * {}"), job("SELECT ?x {}")
    lane.observe(fast, 0.01, timed_out=False)
    lane.observe(slow, 0.7, timed_out=False)
    lane.observe(stopped, 0.01, timed_out=True)
    assert (lane.is_known(fast), lane.is_known(slow), lane.is_known(stopped)) == (False, True, True)


def test_no_slow_lane_when_its_slots_are_zero() -> None:
    lane = SlowLane(slots=0, slow_query_s=0.5, retry_after_s=3)
    lane.observe(job("ASK {}"), 9.0, timed_out=True)
    assert not lane.is_known(job("ASK {}"))


def test_a_full_lane_refuses_at_once_with_retry_after() -> None:
    lane = SlowLane(slots=1, slow_query_s=0.5, retry_after_s=3)
    with lane.slot():
        with pytest.raises(Exception) as refused:
            with lane.slot():
                pass
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "3"  # type: ignore[attr-defined]
    assert refused.value.details["reason"] == "slow-lane"  # type: ignore[attr-defined]
    with lane.slot():  # released again
        pass


@pytest.fixture()
def lane_app(mini_settings, mini_snapshot):  # type: ignore[no-untyped-def]
    application = create_app(
        mini_settings.with_(query_workers=2, query_timeout_s=1.5, slow_query_s=0.3, slow_lane_workers=1, result_cache_entries=0),
        mini_snapshot,
    )
    yield application
    application.extensions["ugkg"].close()


def test_post_query_known_slow_while_lane_busy_gets_503_and_cheap_queries_still_run(lane_app) -> None:  # type: ignore[no-untyped-def]
    client = lane_app.test_client()
    service = lane_app.extensions["ugkg"].sparql
    first = client.post("/sparql", data={"query": CARTESIAN}, headers=JSON)
    assert first.status_code == 503 and first.get_json()["error"] == "query-timeout"

    answers: list = []
    holder = threading.Thread(target=lambda: answers.append(lane_app.test_client().post("/sparql", data={"query": CARTESIAN}, headers=JSON)))
    holder.start()
    deadline = time.monotonic() + 5
    while service.slow_lane._free._value != 0 and time.monotonic() < deadline:  # the holder has taken the slot
        time.sleep(0.01)
    assert service.slow_lane._free._value == 0

    refused = client.post("/sparql", data={"query": " ".join(CARTESIAN.split(" "))}, headers=JSON)
    assert refused.status_code == 503
    body = refused.get_json()
    assert body["error"] == "overloaded" and body["reason"] == "slow-lane"
    assert refused.headers["Retry-After"] == "2"
    assert holder.is_alive(), "the refusal must come while the slow query still runs, not after it"

    cheap = client.post("/sparql", data={"query": CHEAP}, headers=JSON)
    assert cheap.status_code == 200 and holder.is_alive()

    holder.join(30)
    assert answers[0].status_code == 503 and answers[0].get_json()["error"] == "query-timeout"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'^ugkg_slow_lane_refused_total 1$', metrics, re.M)
