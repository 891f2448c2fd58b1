"""Connectors: one module per source of content."""
