"""The ``email`` policy our messages are written under: ``email.policy.SMTP`` (CRLF lines,
headers folded at 78 characters, a header value with a line break refused), 7-bit clean
(bodies with non-ASCII text go as quoted-printable or base64, so no relay needs
8BITMIME), with free-text headers (Subject, X-...) that are sent as written.

Two faults of CPython 3.11's handling of unstructured headers are kept out:

- a value is read as if it came off the wire, so an encoded word in it is decoded: a
  participant named ``=?utf-8?q?a=0D=0AContent-Type:_text/html?=`` put a line break, a
  header and a body of their own into the Subject. Here the value is the text, literally.
- the folder (before the fix of gh-144156) can drop the space before a word that starts a
  new encoded word on a continuation line: "Café کٲشُر" arrived as "Caféکٲشُر", since
  whitespace between two encoded words is not part of the text (RFC 2047 section 6.2);
  and it can leave the first line empty, so readers see a leading space.

So every free-text value is written by the standard library's own RFC 2047 encoder
(``email.header.Header``): plain ASCII folded at spaces, anything else (non-ASCII text, a
control character, something a reader could take for an encoded word, a word too long
for a line) as encoded words that keep every space inside them and never split a
character. The policy is for writing messages, not for reading them.
"""
from __future__ import annotations

from email import policy
from email.header import Header
from email.headerregistry import HeaderRegistry, UniqueUnstructuredHeader, UnstructuredHeader
from email.policy import Policy
from typing import Any


class LiteralText(UnstructuredHeader):
    """A free-text header taken as written, folded at spaces or into encoded words that keep them."""

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        super().parse(value, kwds)
        kwds["decoded"] = value

    def fold(self, *, policy: Policy) -> str:
        text = str(self)
        room = policy.max_line_length - len(self.name) - 2
        plain = text.isascii() and text.isprintable() and "=?" not in text and all(len(word) <= room for word in text.split())
        charset = "us-ascii" if plain else "utf-8"
        encoded = Header(text, charset, maxlinelen=policy.max_line_length, header_name=self.name).encode(splitchars=" ", linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


class LiteralSubject(LiteralText, UniqueUnstructuredHeader):
    """The Subject: ``LiteralText``, at most one."""


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry(default_class=LiteralText)
    registry.map_to_type("subject", LiteralSubject)
    return registry


MAIL_POLICY = policy.SMTP.clone(cte_type="7bit", header_factory=_registry())
"""``email.policy.SMTP``, 7-bit clean, with ``LiteralText`` for free-text headers."""
