"""Importers: official files read into the user data folder (:mod:`cocamonitor.userdata`)."""

__all__: list[str] = []
