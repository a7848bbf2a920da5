"""Prometheus text-format metrics of this process: queries, errors, timeouts, latency."""
from __future__ import annotations

import os
import threading
from collections import Counter

BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
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

    def render(self, extra: dict[str, float]) -> str:
        """The metrics in Prometheus text exposition format 0.0.4."""
        pid = os.getpid()
        lines = [
            "# HELP ugkg_http_requests_total HTTP requests answered, by endpoint and status.",
            "# TYPE ugkg_http_requests_total counter",
        ]
        with self._lock:
            for (endpoint, status), n in sorted(self.requests.items()):
                lines.append(f'ugkg_http_requests_total{{endpoint="{endpoint}",status="{status}",pid="{pid}"}} {n}')
            lines += ["# HELP ugkg_queries_total SPARQL queries evaluated, by form.", "# TYPE ugkg_queries_total counter"]
            for form, n in sorted(self.queries.items()):
                lines.append(f'ugkg_queries_total{{form="{form}",pid="{pid}"}} {n}')
            lines += ["# HELP ugkg_errors_total Errors answered, by error code.", "# TYPE ugkg_errors_total counter"]
            for code, n in sorted(self.errors.items()):
                lines.append(f'ugkg_errors_total{{code="{code}",pid="{pid}"}} {n}')
            lines += ["# HELP ugkg_query_duration_seconds Query latency, cache hits included.", "# TYPE ugkg_query_duration_seconds histogram"]
            cumulative = 0
            for bound, n in zip(BUCKETS_S, self.buckets):
                cumulative += n
                lines.append(f'ugkg_query_duration_seconds_bucket{{le="{bound}",pid="{pid}"}} {cumulative}')
            lines.append(f'ugkg_query_duration_seconds_bucket{{le="+Inf",pid="{pid}"}} {self.latency_count}')
            lines.append(f'ugkg_query_duration_seconds_sum{{pid="{pid}"}} {self.latency_sum_s:.6f}')
            lines.append(f'ugkg_query_duration_seconds_count{{pid="{pid}"}} {self.latency_count}')
        for name, value in sorted(extra.items()):
            lines.append(f"# TYPE ugkg_{name} gauge")
            lines.append(f'ugkg_{name}{{pid="{pid}"}} {value}')
        return "\n".join(lines) + "\n"
