"""RDF Patch (Jena / RDF Delta text format) between two releases in release form.

A patch is ``H id <uuid:…>``, ``H prev <uuid:…>`` (the previous release's patch id), then one transaction
``TX`` … ``TC`` with a ``D`` row for every quad the previous release has and this one has not, then an ``A`` row
for every quad this one adds — each row an N-Quads line with its operation in front. Rows are sorted, so the same
two releases always give the same bytes (the release records the patch's sha256, and any clone recomputes it).
Blank nodes carry the release form's stable labels: a patch applies to the previous release's N-Quads as published.
"""
from __future__ import annotations

import uuid

from server.build.diff import quad_lines

# ids are name-based UUIDs (RFC 9562 v5) of the release's dataset checksum: the same release, the same id
PATCH_NAMESPACE = uuid.UUID("6f1e1c8e-4c1b-5d3a-9a57-0b7a2d3c9e10")


def patch_id(dataset_sha256: str) -> str:
    return f"uuid:{uuid.uuid5(PATCH_NAMESPACE, dataset_sha256)}"


def make_patch(old: bytes, new: bytes, this_id: str, previous_id: str | None) -> bytes:
    """The patch that turns release-form N-Quads ``old`` into ``new``."""
    before, after = quad_lines(old), quad_lines(new)
    rows = [f"H id <{this_id}> ."]
    if previous_id:
        rows.append(f"H prev <{previous_id}> .")
    rows.append("TX .")
    rows.extend("D " + line for line in sorted(before - after))
    rows.extend("A " + line for line in sorted(after - before))
    rows.append("TC .")
    return ("\n".join(rows) + "\n").encode("utf-8")


def apply_patch(base: bytes, patch: bytes) -> bytes:
    """Apply a patch written by ``make_patch`` to release-form N-Quads (used by `ugkg release --check`)."""
    lines = quad_lines(base)
    for row in patch.decode("utf-8").splitlines():
        op, _, rest = row.partition(" ")
        if op == "A":
            lines.add(rest)
        elif op == "D":
            lines.discard(rest)
    return "".join(line + "\n" for line in sorted(lines)).encode("utf-8")
