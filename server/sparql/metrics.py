"""Prometheus text-format metrics of a server: queries, errors, timeouts, latency, summed over its worker processes.

Each web worker counts in memory (a lock and an integer: nothing on the request path touches a file). When the
server hands its workers a shared directory, each worker writes its counters there as one JSON file named after
its pid, at most ``FLUSH_INTERVAL_S`` old (a background thread, and at every scrape), and ``/metrics`` answers
the sum over the files: a scrape that lands on either worker sees the whole server. Files of workers that died
stay, so counters never go backwards when a worker is replaced. prometheus-client's multiprocess mode was the
alternative; it cannot aggregate the counters the engine keeps on its own objects (timeouts, cache hits), which
would then need a second mechanism.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Mapping

BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FLUSH_INTERVAL_S = 1.0
Extras = Callable[[], Mapping[str, float]]


class Metrics:
    def __init__(self, shared_dir: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.shared_dir = shared_dir
        self.extras: Extras = dict
        self.requests: Counter[tuple[str, int]] = Counter()
        self.queries: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.buckets = [0] * (len(BUCKETS_S) + 1)
        self.latency_sum_s = 0.0
        self.latency_count = 0

    def observe_request(self, endpoint: str, status: int) -> None:
        with self._lock:
            self.requests[(endpoint, status)] += 1

    def observe_query(self, form: str, seconds: float) -> None:
        with self._lock:
            self.queries[form] += 1
            self.latency_sum_s += seconds
            self.latency_count += 1
            for i, bound in enumerate(BUCKETS_S):
                if seconds <= bound:
                    self.buckets[i] += 1
                    break
            else:
                self.buckets[-1] += 1

    def observe_error(self, code: str) -> None:
        with self._lock:
            self.errors[code] += 1

    def watch(self, extras: Extras) -> None:
        """Count ``extras`` (counters and gauges other objects keep) too, and start sharing when there is a directory."""
        self.extras = extras
        if self.shared_dir is not None:
            self.shared_dir.mkdir(parents=True, exist_ok=True)
            threading.Thread(target=self._flush_forever, name="ugkg-metrics-flush", daemon=True).start()

    def state(self) -> dict:
        """This process's counters as plain JSON data."""
        with self._lock:
            return {
                "requests": [[endpoint, status, n] for (endpoint, status), n in self.requests.items()],
                "queries": dict(self.queries),
                "errors": dict(self.errors),
                "buckets": list(self.buckets),
                "latency_sum_s": self.latency_sum_s,
                "latency_count": self.latency_count,
                "extras": dict(self.extras()),
            }

    def _flush_forever(self) -> None:
        while True:
            time.sleep(FLUSH_INTERVAL_S)
            self.flush()

    def flush(self) -> dict:
        state = self.state()
        if self.shared_dir is not None:
            target = self.shared_dir / f"{os.getpid()}.json"
            temporary = target.with_suffix(f".{threading.get_ident()}.tmp")
            try:
                temporary.write_text(json.dumps(state))
                temporary.replace(target)  # readers see a whole file or the previous one
            except OSError:
                pass  # the directory went with its server: nothing left to report to
        return state

    def gathered(self) -> list[dict]:
        """The states of every process of this server: this one's live, the others' as last flushed."""
        own = self.flush()
        if self.shared_dir is None:
            return [own]
        states = [own]
        for path in sorted(self.shared_dir.glob("*.json")):
            if path.stem == str(os.getpid()):
                continue
            try:
                states.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue  # a worker replacing its file right now; its previous counts come with the next scrape
        return states

    def render(self) -> str:
        """The metrics of every process of this server in Prometheus text exposition format 0.0.4.

        Counters (names ending in ``_total``) and the latency histogram are summed over processes; a gauge is
        this process's value, since summing e.g. the snapshot's size over workers would mean nothing."""
        states = self.gathered()
        requests: Counter[tuple[str, int]] = Counter()
        queries: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        extras: Counter[str] = Counter()
        buckets = [0] * (len(BUCKETS_S) + 1)
        latency_sum_s, latency_count = 0.0, 0
        for state in states:
            for endpoint, status, n in state["requests"]:
                requests[(endpoint, int(status))] += n
            queries.update(state["queries"])
            errors.update(state["errors"])
            buckets = [a + b for a, b in zip(buckets, state["buckets"])]
            latency_sum_s += state["latency_sum_s"]
            latency_count += state["latency_count"]
            extras.update({k: v for k, v in state["extras"].items() if k.endswith("_total")})
        extras.update({k: v for k, v in states[0]["extras"].items() if not k.endswith("_total")})
        lines = [
            "# HELP ugkg_http_requests_total HTTP requests answered, by endpoint and status.",
            "# TYPE ugkg_http_requests_total counter",
        ]
        for (endpoint, status), n in sorted(requests.items()):
            lines.append(f'ugkg_http_requests_total{{endpoint="{endpoint}",status="{status}"}} {n}')
        lines += ["# HELP ugkg_queries_total SPARQL queries evaluated, by form.", "# TYPE ugkg_queries_total counter"]
        for form, n in sorted(queries.items()):
            lines.append(f'ugkg_queries_total{{form="{form}"}} {n}')
        lines += ["# HELP ugkg_errors_total Errors answered, by error code.", "# TYPE ugkg_errors_total counter"]
        for code, n in sorted(errors.items()):
            lines.append(f'ugkg_errors_total{{code="{code}"}} {n}')
        lines += ["# HELP ugkg_query_duration_seconds Query latency, cache hits included.", "# TYPE ugkg_query_duration_seconds histogram"]
        cumulative = 0
        for bound, n in zip(BUCKETS_S, buckets):
            cumulative += n
            lines.append(f'ugkg_query_duration_seconds_bucket{{le="{bound}"}} {cumulative}')
        lines.append(f'ugkg_query_duration_seconds_bucket{{le="+Inf"}} {latency_count}')
        lines.append(f"ugkg_query_duration_seconds_sum {latency_sum_s:.6f}")
        lines.append(f"ugkg_query_duration_seconds_count {latency_count}")
        for name, value in sorted(extras.items()):
            lines.append(f"# TYPE ugkg_{name} {'counter' if name.endswith('_total') else 'gauge'}")
            lines.append(f"ugkg_{name} {value}")
        lines += ["# HELP ugkg_processes_reporting Web worker processes (running or since replaced) whose counts are summed here.",
                  "# TYPE ugkg_processes_reporting gauge", f"ugkg_processes_reporting {len(states)}"]
        return "\n".join(lines) + "\n"
