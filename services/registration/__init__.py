"""Registration: the public API for participants, their products and the BSM events."""
SERVICE = "registration"
