"""Stage 4, web: the Flask application and everything a browser or crawler sees.

Owns the application factory, the WSGI server, the blueprints (``views``), linked-data pages, the dataset
description and dumps, releases (pages, changelog, 301s, Memento, citations), search, templates and static
files. It is the last stage: nothing below imports it.
"""
