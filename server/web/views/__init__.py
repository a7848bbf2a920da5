"""HTTP blueprints of the web stage, each module one part of the site; they call ``server.sparql`` and the
page builders of ``server.web``, never an engine directly."""
