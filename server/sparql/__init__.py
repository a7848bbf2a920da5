"""Stage 3, sparql: the SPARQL 1.1 Protocol in front of the engine, independent of any web framework.

Owns parsing a protocol request, the query policy (SERVICE / FROM / update refusal), content negotiation,
the service description, metrics and ``SparqlService``, which turns a parsed request into an engine job.
It may use ``server.build`` and ``server.engine``, never ``server.web``.
"""
