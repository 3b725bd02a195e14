"""The words the pages show for the APIs' codes (kinds, categories), in the page's language."""
from __future__ import annotations

from web.i18n import gettext as _


def enterprise_kinds() -> list[tuple[str, str]]:
    """Seller kinds: (code, label)."""
    return [("artisan", _("Artisan")), ("weaver", _("Weaver")), ("farmer", _("Farmer")), ("trader", _("Trader")),
            ("aggregator", _("Aggregator")), ("producer_organisation", _("Producer organisation")),
            ("cooperative", _("Cooperative")), ("msme", _("Small business (MSME)"))]


def buyer_kinds() -> list[tuple[str, str]]:
    """Buyer kinds: (code, label)."""
    return [("retail_brand", _("Retail brand")), ("ecommerce", _("Online shop")), ("wholesaler", _("Wholesaler")),
            ("importer", _("Importer")), ("exporter", _("Exporter")), ("hospitality", _("Hotel or restaurant"))]


def categories() -> list[tuple[str, str]]:
    """Product categories: (code, label)."""
    return [("handicraft", _("Handicraft")), ("handloom", _("Handloom")), ("agriculture", _("Agriculture")),
            ("horticulture", _("Fruit and flowers")), ("processed_food", _("Processed food")), ("spices", _("Spices")),
            ("dry_fruits", _("Dry fruits")), ("textiles", _("Textiles")), ("other", _("Other"))]


def status_label(status: str) -> str:
    """An application's or meeting's status in words."""
    words = {"pending": _("waiting for the organisers"), "applied": _("waiting for the organisers"), "approved": _("approved"), "rejected": _("not accepted"),
             "waitlisted": _("on the waiting list"), "withdrawn": _("withdrawn"), "scheduled": _("scheduled"),
             "cancelled": _("cancelled"), "held": _("held"), "no_show": _("did not happen"),
             "accepted": _("accepted"), "declined": _("declined")}
    return words.get(status, status)


def request_label(status: str) -> str:
    """A meeting request's status in words."""
    words = {"pending": _("waiting for an answer"), "accepted": _("accepted"), "declined": _("declined")}
    return words.get(status, status)
