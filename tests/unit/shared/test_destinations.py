"""Webhook destinations: only public http(s) addresses, in every spelling, checked against
what names resolve to, connected to the address checked, no redirects followed."""
import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared import destinations
from shared.destinations import UnsafeDestination, check, is_public

LOOPBACK = [ipaddress.ip_address("127.0.0.1")]
PUBLIC = [ipaddress.ip_address("93.184.215.14")]

HOSTILE = [
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1/", "http://127.0.0.1:8003/v1/notifications",
    "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://0x7f000001/", "http://017700000001/", "http://127.1/",
    "http://127.0.0.1./", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[::]/", "http://0.0.0.0/", "http://0/",
    "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/", "http://224.0.0.1/", "http://[ff02::1]/",
    "http://240.0.0.1/", "http://255.255.255.255/", "http://198.18.0.1/", "http://192.0.2.1/",
    "http://localhost/", "http://LOCALHOST./", "http://ⓛocalhost/", "http://１２７.０.０.１/", "http://127。0。0。1/",
    "http://public@127.0.0.1/", "http://user:pw@example.com/", "http://127.0.0.1%2f@8.8.8.8/", "http://127.0.0.1:80\\@8.8.8.8/",
    "http://exa\nmple.in/", "http://example.in/a\r\nb", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "http:///x",
    "http://8.8.8.8:99999/", "http://0x7f.0.0.0.1/", "http://[::1/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused(url):
    with pytest.raises(UnsafeDestination):
        check(url)


@pytest.mark.parametrize("url", ["http://rebind.example/hook", "https://intranet.example./x"])
def test_a_name_resolving_to_an_inside_address_is_refused(url):
    with pytest.raises(UnsafeDestination, match="not a public address"):
        check(url, resolver=lambda host, port: PUBLIC + LOOPBACK)


@pytest.mark.parametrize("url", ["https://8.8.8.8/hook", "http://93.184.215.14:8080/x?y=1", "https://[2606:4700::1111]/x",
                                 "https://hooks.example.com/bsm", "https://bücher.example/x"])
def test_public_destinations_are_accepted(url):
    destination, addresses = check(url, resolver=lambda host, port: PUBLIC)
    assert addresses and all(is_public(a) for a in addresses) and destination.host.isascii()


def test_the_allowance_for_tests_lets_loopback_through():
    assert check("http://127.0.0.1:9/x", allow_private=True)[1] == LOOPBACK


class Listener:
    def __init__(self, status=204, location=None):
        self.received = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                owner.received.append((self.headers["Host"], self.path, self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_request_goes_to_the_address_checked_resolving_once():
    listener, calls = Listener(), []

    def resolver(host, port):
        calls.append(host)
        return LOOPBACK

    try:
        status = destinations.post(f"http://hooks.example:{listener.port}/bsm?x=1", b"{}", {}, 2, allow_private=True, resolver=resolver)
    finally:
        listener.stop()
    assert status == 204 and calls == ["hooks.example"]
    assert listener.received == [(f"hooks.example:{listener.port}", "/bsm?x=1", b"{}")]


def test_a_redirect_is_not_followed():
    inside = Listener()
    redirecting = Listener(302, f"http://127.0.0.1:{inside.port}/latest/meta-data/")
    try:
        assert destinations.post(f"http://127.0.0.1:{redirecting.port}/hook", b"{}", {}, 2, allow_private=True) == 302
    finally:
        inside.stop(), redirecting.stop()
    assert inside.received == []
