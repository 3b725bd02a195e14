"""Notifications: tells people what happened, once, on their channel, in their language."""
SERVICE = "notifications"
