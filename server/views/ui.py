"""The query page for people (YASGUI, served locally) and the home page."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

bp = Blueprint("ui", __name__, template_folder="../templates", static_folder="../static", static_url_path="/static")


def query_page() -> Response:
    return Response(render_template("query.html"), content_type="text/html; charset=utf-8")
