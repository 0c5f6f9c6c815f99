"""newsletter: collect tech news, write a daily briefing, send it by email."""

__version__ = "0.1.0"
