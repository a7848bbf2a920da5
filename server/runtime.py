"""What one running app holds: settings, the snapshot it serves, the SPARQL service, metrics."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from flask import current_app

from .metrics import Metrics
from .settings import Settings
from .snapshot import Snapshot
from .sparql import SparqlService


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
