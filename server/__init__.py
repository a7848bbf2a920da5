"""Urban Governance Knowledge Graph: build, validate, reason over and serve the graph.

The package is laid out as the stages data flows through, each a subpackage that may import only from
itself, from earlier stages and from the shared top-level modules (``settings``, ``errors``):

    build   sources → load (rdflib) → validate (pySHACL) → reason (owlrl) → snapshot (atomic)
    engine  snapshot → a query engine (embedded Oxigraph or a remote SPARQL server), killable evaluators
    sparql  the SPARQL 1.1 Protocol: request parsing, policy, content negotiation, the service
    web     the Flask application: routes, linked-data pages, dumps, search, query UI, WSGI server

``cli`` sits on top and may import any stage. ``tests/test_layout.py`` fails when an import runs backwards.
"""

__version__ = "1.0.0"
