"""``/docs`` of every service works without internet: the page and everything it loads come
from the service itself (the installed Swagger UI bundle), and the page names no other host.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from services.matching.app import create_app as create_matching_app
from services.notifications.app import create_app as create_notifications_app
from services.registration.app import create_app as create_registration_app

pytestmark = pytest.mark.stack

APPS = {"registration": create_registration_app, "matching": create_matching_app, "notifications": create_notifications_app}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("service", APPS)
def test_docs_and_its_assets_are_served_by_the_service(settings_for, service):
    client = APPS[service](settings_for(service)).test_client()
    page = client.get("/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert "://" not in html
    assert "validatorUrl: null" in html
    parser = _Links()
    parser.feed(html)
    assert any(link.endswith(".js") for link in parser.links) and any(link.endswith(".css") for link in parser.links)

    for link in parser.links:
        url = urlsplit(urljoin("http://localhost/docs", link))
        assert url.netloc == "localhost", link
        asset = client.get(url.path)
        assert asset.status_code == 200 and len(asset.data) > 500, link
        kind = {"js": "javascript", "css": "text/css", "png": "image/png"}[link.rsplit(".", 1)[1]]
        assert kind in asset.content_type, (link, asset.content_type)
        asset.close()
    assert client.get("/docs/../pyproject.toml").status_code == 404
    assert client.get("/docs/index.html").status_code == 404
