"""What one running app holds: settings, the snapshot it serves, the SPARQL service, metrics."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app

from server.engine.cache import SharedCache

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
    answers: SharedCache[Any] | None = field(default=None, repr=False)  # the front's cache of whole GET answers

    def close(self) -> None:
        self.sparql.close()
        if self.answers is not None:
            self.answers.close()
        if self.pinned is not None:
            self.pinned.close()
            self.pinned = None


def current() -> Runtime:
    """The Runtime of the app handling this request."""
    return current_app.extensions["ugkg"]
