"""What one running app holds: settings, the snapshot it serves, the SPARQL service, metrics."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from flask import current_app

from server.sparql.metrics import Metrics
from server.settings import Settings
from server.build.snapshot import Snapshot
from server.sparql.service import SparqlService


@dataclass
class Runtime:
    settings: Settings
    snapshot: Snapshot
    sparql: SparqlService
    metrics: Metrics
    pinned: IO[str] | None = field(default=None, repr=False)

    def close(self) -> None:
        self.sparql.close()
        if self.pinned is not None:
            self.pinned.close()
            self.pinned = None


def current() -> Runtime:
    """The Runtime of the app handling this request."""
    return current_app.extensions["ugkg"]
