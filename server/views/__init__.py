"""HTTP blueprints: each module one part of the site."""
