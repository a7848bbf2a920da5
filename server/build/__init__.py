"""Stage 1, build: turn the Turtle sources into a validated, reasoned, immutable snapshot.

Owns reading ``ontology/ data/ shapes/`` (and extra datasets, CSV tables), SHACL validation, the OWL RL
closure, and writing a snapshot directory atomically (a failed build changes nothing); releases (a snapshot
with a version recorded in ``releases/``: release form, changelog, RDF Patch, IRI moves, history graphs). It knows nothing of
query engines or HTTP: it may import only ``server.settings`` and ``server.errors``.
"""
