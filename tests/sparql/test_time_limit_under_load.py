"""A query over the time limit is stopped, and no other client's request fails because of it: a real server
on 127.0.0.1, one slow query and 16 clients sending cheap ones (point lookups answered in the web process and
joins answered by evaluators) for the whole time the slow one runs."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

JSON = {"Accept": "application/sparql-results+json"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(8)) + " }"
CHEAP = (
    "SELECT ?p ?o WHERE { <https://w3id.org/ugkg/id/event/forum> ?p ?o } # {n}",
    "SELECT ?s ?o WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 3 # {n}",
)
CLIENTS = 16


@pytest.mark.slow
def test_slow_query_is_stopped_while_sixteen_cheap_clients_see_no_error(live_server: str, mini_settings: Any) -> None:
    outcomes: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def cheap_client(k: int) -> None:
        session = requests.Session()
        n = 0
        while not done.is_set():
            n += 1
            query = CHEAP[(k + n) % 2].replace("{n}", f"{k}-{n}-{time.monotonic()}")
            try:
                status = session.get(live_server + "/sparql", params={"query": query}, headers=JSON, timeout=30).status_code
            except requests.RequestException as exc:
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                outcomes.append(status)

    clients = [threading.Thread(target=cheap_client, args=(k,)) for k in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        slow = requests.post(live_server + "/sparql", data={"query": SLOW}, headers=JSON, timeout=60)
        elapsed = time.monotonic() - started
        time.sleep(1.0)  # and while its evaluator is replaced
    finally:
        done.set()
        for client in clients:
            client.join(timeout=60)
    assert slow.status_code == 503 and slow.json()["error"] == "query-timeout"
    assert mini_settings.query_timeout_s <= elapsed < mini_settings.query_timeout_s + 5
    assert errors == []
    assert len(outcomes) > CLIENTS and set(outcomes) == {200}, {s: outcomes.count(s) for s in set(outcomes)}
