"""The in-app inbox: the stored notification is the message, so delivery is immediate."""
from services.notifications.domain.notifications import Notification
from services.notifications.rendering import Rendered


class InboxChannel:
    name = "inbox"

    def send(self, notification: Notification, rendered: Rendered) -> None:
        return None
