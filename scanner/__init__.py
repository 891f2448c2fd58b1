"""keysprawl: find where an organization's own keys have been copied."""

__version__ = "0.1.0"
