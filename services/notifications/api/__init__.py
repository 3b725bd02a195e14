"""Notifications' HTTP blueprints."""
