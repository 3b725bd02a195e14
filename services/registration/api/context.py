"""Access to the service's composition root from a view."""
from flask import current_app

from services.registration.actions import Registration


def registration() -> Registration:
    return current_app.extensions["registration"]
