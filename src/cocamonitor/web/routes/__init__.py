"""Routers of the web app, one per concern: ``api`` (JSON API), ``views`` (page data, CSV), ``pages`` (HTML)."""
