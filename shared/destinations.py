"""Where the platform may send requests on a user's behalf: public http(s) addresses only.

A URL a person gives (a webhook) must not reach inside: loopback, private, link-local,
shared (100.64/10), multicast, reserved and unspecified addresses, and IPv6 addresses that
embed such an IPv4 one (IPv4-mapped and -compatible, 6to4, Teredo, NAT64), are refused, in
every spelling: a host is canonicalised (IDNA, one trailing dot, case) and a host whose
last label is a number is read the way resolvers read it (``2130706433``, ``0177.0.0.1``,
``0x7f.1``, ``127.1``). Names are refused unless every address they resolve to is public.
``check`` is for the moment a URL is set; ``post`` checks again at send time, connects
to an address it checked (never resolving twice, so a name cannot be rebound between
the check and the connection) and follows no redirects. What is public is decided by the
``ipaddress`` module's registry of special-purpose ranges (``is_global``).
"""
from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Callable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[Address]]
SCHEMES = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class UnsafeDestination(ValueError):
    """The URL is not a public http(s) destination (the message says why)."""


class Unresolvable(UnsafeDestination):
    """The host name does not resolve (now)."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # ASCII, lower case, no trailing dot; an IPv6 literal without brackets
    port: int
    target: str  # path and query
    literal: Address | None


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address that embeds no other kind."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None or int(address) >> 32 == 0:
            return False
        embedded = [address.sixtofour, *(address.teredo or ())]
        if any(address in net for net in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(e is not None and not is_public(e) for e in embedded):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def parse(url: str) -> Destination:
    """The destination ``url`` names, its host canonical; ``UnsafeDestination`` when it is
    not an http(s) URL with a host, or carries user info."""
    if any(ord(c) <= 32 or 127 <= ord(c) < 160 for c in url):
        raise UnsafeDestination("the URL holds a space or a control character")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeDestination("only http and https URLs are allowed")
    if "@" in parts.netloc:
        raise UnsafeDestination("a URL with user info (user@host) is not allowed")
    host = (parts.hostname or "").removesuffix(".")
    if not host:
        raise UnsafeDestination("the URL has no host")
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return _destination(scheme, host, port or SCHEMES[scheme], target)


def _destination(scheme: str, host: str, port: int, target: str) -> Destination:
    if ":" in host:
        try:
            return Destination(scheme, host, port, target, ipaddress.IPv6Address(host))
        except ValueError:
            raise UnsafeDestination("not a valid IPv6 address") from None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnsafeDestination("the host is not a valid (internationalised) domain name") from None
    if not _HOST_NAME.fullmatch(ascii_host):
        raise UnsafeDestination("the host is not a valid domain name")
    if _NUMERIC_LABEL.fullmatch(ascii_host.rsplit(".", 1)[-1]):
        try:
            literal = ipaddress.IPv4Address(socket.inet_aton(ascii_host))
        except OSError:
            raise UnsafeDestination("the host is neither a domain name nor an IPv4 address") from None
        return Destination(scheme, str(literal), port, target, literal)
    return Destination(scheme, ascii_host, port, target, None)


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to now; ``Unresolvable`` if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve: {exc}") from None
    found = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    if not found:
        raise Unresolvable(f"{host} does not resolve")
    return found


def check(url: str, allow_private: bool = False, resolver: Resolver = resolve) -> tuple[Destination, list[Address]]:
    """The destination and the addresses it may be reached at; ``UnsafeDestination`` unless
    every one is public (``allow_private``: tests only, where listeners are on loopback)."""
    destination = parse(url)
    addresses = [destination.literal] if destination.literal else resolver(destination.host, destination.port)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise UnsafeDestination(f"{destination.host} is not a public address ({address} is {_kind(address)})")
    return destination, addresses


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool = False,
         resolver: Resolver = resolve) -> int:
    """POST ``body`` to ``url`` after ``check``, connecting only to the checked addresses
    (TLS verified against the host name); the response status (a redirect is not followed).
    ``UnsafeDestination`` before anything is sent; ``OSError`` when no address answers."""
    destination, addresses = check(url, allow_private, resolver)
    connection_class = _PinnedHTTPS if destination.scheme == "https" else _PinnedHTTP
    connection = connection_class(destination.host, destination.port, addresses, timeout)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def _connect(addresses: list[Address], port: int, timeout: float) -> socket.socket:
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: list[Address], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, addresses: list[Address], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(_connect(self.addresses, self.port, self.timeout), server_hostname=self.host)


def _kind(address: Address) -> str:
    for name in ("loopback", "private", "link_local", "multicast", "unspecified", "reserved"):
        if getattr(address, f"is_{name}", False):
            return name.replace("_", "-")
    return "not globally routable"
