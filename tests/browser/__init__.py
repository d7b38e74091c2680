"""Helpers for the site's browser tests: building the site once, serving it, driving Chromium."""
