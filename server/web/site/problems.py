"""What an error means, in words, in the page's language: for the error pages and the query page.

The messages of the query engine (pyoxigraph's parse and evaluation errors, classified by engine.failures) and of
the SPARQL hints (sparql.hints) are English and precise; they stay verbatim, shown as the technical detail. Beside
them a person reads, from the catalogue, what kind of problem it is and what to do about it. JSON bodies for
programs keep their English ``message`` (and their stable ``error`` and ``hint_code``) unchanged.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

import server.errors as errors
from server.web.site.i18n import translate

# Errors whose message comes from the engine or the parser (the page labels it as the engine's own words).
ENGINE_CODES = frozenset({"malformed-query", "unsupported-function", "query-not-evaluable", "upstream-error"})


def explanations() -> dict[str, str]:
    """Error code → what it means and what to do, in the current language."""
    return {
        "malformed-query": _("The query is not valid SPARQL: the engine stopped reading it at the position shown. Check the "
                             "spelling of keywords, the brackets and braces, the dots between patterns and the prefixes around there."),
        "unsupported-function": _("The query calls a function this engine does not have, or gives it the wrong number of "
                                  "arguments. The engine (Oxigraph) offers the SPARQL 1.1 built-in functions, the XSD casts "
                                  "and some GeoSPARQL functions."),
        "query-not-evaluable": _("The query is valid SPARQL, but the engine cannot evaluate it as written (for example a "
                                 "SERVICE whose endpoint is a variable, or an endpoint that is not allowed)."),
        "upstream-error": _("A remote SPARQL endpoint named in a SERVICE clause of the query did not answer correctly."),
        "query-refused": _("This endpoint only reads: it refuses updates and the query forms or features its policy does not allow."),
        "query-timeout": _("The query took longer than the time limit, or the service was busy. Narrow it (fewer patterns "
                           "to join, a LIMIT, more specific values) or try again later."),
        "overloaded": _("The service is busy. Try again in a few seconds."),
        "invalid-parameter": _("A parameter of the request is unknown, missing or has a value that is not accepted; "
                               "the detail below names it and the values it accepts."),
        "payload-too-large": _("The query is longer than this endpoint accepts."),
        "uri-too-long": _("The query is too long to be sent in the address: send it with POST."),
        "not-acceptable": _("None of the formats the client asked for can be produced for this answer."),
        "unsupported-media-type": _("The request body is not in a form the endpoint reads."),
    }


def hint_explanations() -> dict[str, str]:
    """Hint code (sparql.hints) → the advice in the current language."""
    return {
        "reserved-character-in-prefixed-name": _("A prefixed name (prefix:name) has a character that SPARQL does not allow "
                                                 "in its local part: write the IRI in full between angle brackets, or put a "
                                                 "backslash before the character."),
        "undeclared-prefix": _("The query uses a prefix it does not declare: add a PREFIX line for it at the top of the query."),
    }


def explain(error: errors.ApiError) -> dict[str, Any]:
    """For error.html: the explanation (or None), whether the message is the engine's own, the advice."""
    hint_code = str(error.details.get("hint_code", ""))
    return {"explanation": explanations().get(error.code), "engine": error.code in ENGINE_CODES,
            "advice": hint_explanations().get(hint_code)}


def titles() -> dict[str, str]:
    """Error code → its title in the current language (the query page shows them for the endpoint's JSON errors)."""
    found = {cls.code: translate(cls.title) for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.ApiError)}
    return dict(sorted(found.items()))


def for_query_page() -> dict[str, Any]:
    """What query.js needs to explain an error of /sparql in the page language."""
    return {"explain": explanations(), "hints": hint_explanations(), "titles": titles(),
            "technical": _("Technical detail (the engine's own message, in English):"),
            "detail": _("Technical detail (in English):")}
