"""Liaison: a headless collaboration API."""
