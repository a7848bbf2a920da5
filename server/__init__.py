"""Urban Governance Knowledge Graph: build, validate, reason over and serve the graph."""

__version__ = "1.0.0"
