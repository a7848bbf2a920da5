"""What an engine failure means for the client: the catalogue of pyoxigraph's query errors, classified.

pyoxigraph raises ``SyntaxError`` for a query that does not parse and, for every other evaluation error of
spareval's ``QueryEvaluationError`` (oxigraph ``lib/spareval/src/error.rs``; pyoxigraph's
``map_evaluation_error`` in ``python/src/sparql.rs``), a plain ``RuntimeError`` or ``OSError`` carrying only the
message. So the classification is by message, one pattern per variant, written against pyoxigraph 0.5.13 (and
the wording of later versions, which dropped "custom"). A variant that depends only on the query text is the
client's to fix: a 400 carrying the engine's own message. The others (storage, a default graph where a named
one was expected, an unknown message) stay internal errors, answered 500 with a request id.

The catalogue, variant by variant (``tests/engine/test_failures.py`` sends a query for each that can be reached):

=====================================  ======================================================  ==============
spareval variant                       message (0.5.13)                                        answer
=====================================  ======================================================  ==============
(parser) SparqlSyntaxError             ``error at L:C: expected …``                            400 malformed-query (``embedded``)
UnsupportedFunction                    ``The custom function <f> is not supported``             400 unsupported-function
UnsupportedFunctionArity               ``The custom function <f> requires between a and b      400 unsupported-function
                                       arguments, but n were given``
UnboundService                         ``The variable encoding the service name is unbound``   400 query-not-evaluable (policy
                                                                                                refuses SERVICE ?v first)
InvalidServiceName                     ``"x" is not a valid service name``                     400 query-not-evaluable
UnsupportedService                     ``The service <s> is not supported``                    400 query-not-evaluable
NotExistingSubstitutedVariable         ``… does not contains variable ?v in its SELECT …``     400 query-not-evaluable (never
                                                                                                sent: no substitutions here)
Service (remote endpoint failed)       the transport's message (``OSError``)                   502 upstream-error, when the
                                                                                                query has SERVICE
Dataset (storage), Unexpected,         the storage's message                                   500 internal-error + request id
UnexpectedDefaultGraph,
InvalidStorageTripleTerm
Cancelled                              ``The SPARQL operation has been cancelled``              500 (never cancelled here)
=====================================  ======================================================  ==============
"""
from __future__ import annotations

import re

from server.errors import ApiError, QueryNotEvaluable, UnsupportedFunction, UpstreamError

_FUNCTION = re.compile(r"^The (?:custom )?function <(?P<function>[^>]*)> is not supported$")
_ARITY = re.compile(r"^The (?:custom )?function <(?P<function>[^>]*)> requires between (?P<low>\d+) and (?P<high>\d+) arguments, but (?P<given>\d+) were given$")
_QUERY_ONLY = (
    re.compile(r"^The variable encoding the service name is unbound$"),
    re.compile(r"^.* is not a valid service name$", re.DOTALL),
    re.compile(r"^The service <[^>]*> is not supported$"),
    re.compile(r"^The SPARQL query does not contains? variable .* in its SELECT projection$", re.DOTALL),
)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
# Virtuoso 7.2 (the remote backend): an unknown function IRI is looked up as an SQL procedure (HTTP 500); a cast with
# the wrong number of arguments is a compiler error (HTTP 400)
_VIRTUOSO_FUNCTION = re.compile(r"^Virtuoso 42001 Error SR185: Undefined procedure DB\.DBA\.(?P<function>\S+?)\.\s")
_VIRTUOSO_ARITY = re.compile(r"^Virtuoso 37000 Error SP031: SPARQL compiler: The XPATH function (?P<function>\S+?)\(\) can handle only")


def classify(error: BaseException, query: str = "") -> ApiError | None:
    """The client error ``error`` (raised by pyoxigraph evaluating ``query``) stands for, or None when it is the
    service's own fault (the caller then answers 500 with a request id)."""
    message = str(error).strip()
    if isinstance(error, RuntimeError):
        found = _FUNCTION.match(message)
        if found:
            return UnsupportedFunction(
                f"{message}: this engine (Oxigraph) implements the SPARQL 1.1 built-in functions, the XSD casts and a few "
                "GeoSPARQL functions, and no other function IRI",
                details={"function": found.group("function"), "engine_message": message},
            )
        found = _ARITY.match(message)
        if found:
            return UnsupportedFunction(message, details={"function": found.group("function"), "engine_message": message,
                                                         "arguments": int(found.group("given"))})
        found = _VIRTUOSO_FUNCTION.match(message) or _VIRTUOSO_ARITY.match(message)
        if found:
            return UnsupportedFunction(message.split("\n", 1)[0], details={"function": found.group("function"), "engine_message": message})
        if any(pattern.match(message) for pattern in _QUERY_ONLY):
            return QueryNotEvaluable(message, details={"engine_message": message})
    if isinstance(error, OSError) and _SERVICE.search(query):
        return UpstreamError(f"a SERVICE endpoint of the query failed: {message}", details={"engine_message": message})
    return None
