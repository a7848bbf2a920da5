"""Where links to the dataset's own IRIs lead: the canonical base mapped to the server that answered.

The data keeps its IRIs (``base_iri``, by default https://w3id.org/ugkg/); a person or program following a
link from a page, a query result, the DCAT description or an API answer should reach *this* server, wherever it
runs — as Trifid's ``rewrite`` does. One setting, ``link_base``: ``request`` (default: scheme, host and path
prefix of the request being answered), ``canonical`` (no rewriting: a deployment behind the w3id redirect), or
a base URL ending in ``/``. ``display_iri`` is the one function pages, the catalogue and the API call.
"""
from __future__ import annotations

from flask import has_request_context, request

from server.web.runtime import current


def canonical_base() -> str:
    """The base the snapshot's IRIs use."""
    return str(current().snapshot.manifest["base_iri"])


def serving_base() -> str:
    """The base links should use for the current request (ends with ``/``)."""
    setting = current().settings.link_base
    if setting == "canonical" or (setting == "request" and not has_request_context()):
        return canonical_base()
    if setting == "request":
        return request.host_url.rstrip("/") + request.script_root + "/"
    return setting if setting.endswith("/") else setting + "/"


def display_iri(iri: str) -> str:
    """``iri`` as a link that resolves where the server runs (IRIs outside the dataset's base unchanged).

    For the API's IRI columns too: ``from server.web.site.links import display_iri``."""
    base = canonical_base()
    if iri.startswith(base):
        return serving_base() + iri[len(base):]
    return iri
