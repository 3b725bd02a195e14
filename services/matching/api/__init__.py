"""Matching's HTTP blueprints."""
