"""The interface language: one gettext catalogue (Flask-Babel) for every string a person reads.

Data values are never translated here: they carry their own language tags and pages show both where both
exist. What is translated is the interface around them — navigation, headings, buttons, table heads, empty
states, error pages, the titles and questions of the query examples (from ``queries/*.rq`` headers, kept in the
catalogue by ``tools/messages.py``) and the OpenAPI document (api.openapi writes it in one language: its own wording
through ``gettext``, the query files' texts through ``translate``).

The page language: ``?lang=en|zh``, then the cookie the toggle sets, then ``Accept-Language``; English when
nothing says otherwise. The catalogue's ``.mo`` is committed beside its ``.po`` (a fresh clone serves both
languages without a compile step); ``tests/web/test_messages.py`` fails when they disagree.
"""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations
from flask import Flask, Response, has_request_context, request
from flask_babel import Babel, get_locale
from urllib.parse import urlencode as url_encode

LANGS = ("en", "zh")
COOKIE = "ugkg_lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
_catalogues: dict[str, Translations] = {}


def choose_lang() -> str:
    """``?lang=`` > cookie set by the toggle > the browser's ``Accept-Language`` (between en and zh)."""
    if not has_request_context():
        return "en"
    asked = request.args.get("lang", "")
    if asked in LANGS:
        return asked
    stored = request.cookies.get(COOKIE, "")
    if stored in LANGS:
        return stored
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-Hant"], default="en")
    return "zh" if best and best.startswith("zh") else "en"


def page_lang() -> str:
    """The language of the page being rendered (``en`` or ``zh``)."""
    locale = get_locale() if has_request_context() else None
    return "zh" if locale is not None and locale.language == "zh" else "en"


def catalogue(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (English is the source language: the identity)."""
    if lang not in _catalogues:
        _catalogues[lang] = Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")  # type: ignore[assignment]
    return _catalogues[lang]


def translate(text: str, lang: str | None = None) -> str:
    """``text`` (an English msgid of the catalogue) in ``lang`` (default: the request's page language).

    For code outside the templates — the OpenAPI summaries and descriptions, the query examples' titles and
    questions — whose English text is the msgid; unknown text comes back unchanged (tests/web/test_messages.py
    checks that every such text has its entry)."""
    lang = lang or page_lang()
    if lang == "en" or not text:
        return text
    return catalogue(lang).gettext(text)


def lang_url(lang: str, absolute: bool = False) -> str:
    """The URL of the current page in ``lang`` (``?lang=`` set, every other parameter kept): toggle and hreflang."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
    # the query page is also what GET /sparql shows a browser, but /sparql takes no ?lang=: its page is /query
    here = "/query" if request.endpoint == "sparql.endpoint" else request.path
    path = (request.host_url.rstrip("/") if absolute else "") + request.script_root + here
    return path + "?" + url_encode(args)


def _vary(response: Response) -> Response:
    """HTML pages depend on the cookie and Accept-Language as well as the URL."""
    if response.mimetype == "text/html":
        vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
        for name in ("Accept-Language", "Cookie"):
            if name not in vary:
                vary.append(name)
        response.headers["Vary"] = ", ".join(vary)
    return response


def init_app(app: Flask) -> None:
    """Attach Flask-Babel (catalogue in server/web/translations) and the template globals every page uses."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    Babel(app, locale_selector=choose_lang)
    app.jinja_env.globals["page_lang"] = page_lang
    app.jinja_env.globals["other_lang"] = lambda: "en" if page_lang() == "zh" else "zh"
    app.jinja_env.globals["translate"] = translate
    app.jinja_env.globals["lang_url"] = lang_url
    app.context_processor(lambda: {"lang": page_lang()})
    app.after_request(_vary)
