"""The REST API: every competency query (``queries/NN-name.rq``) as ``GET /api/v1/name``.

Operations are read from the query files being served (``operations``), their parameters validated and bound as
a ``VALUES`` block (``params``, ``binding``), answers shaped as tables (``tables``) and described by an OpenAPI 3.1
document (``openapi``). The HTTP side is ``server.web.views.api``; queries run through ``SparqlService.run`` so
the endpoint's policy, time limit, row limit and cache apply unchanged.
"""
