"""Bodies and charsets Django cannot read answer the app's 400 page, never a 500, on every URL.

A form body in UTF-16 used to answer a bare 500 even with a valid CSRF token: Django refuses a
non-UTF-8 form body with ``BadRequest`` but does not remember the failure, and its 400 handler
runs the CSRF check again, which reads the body again. Every request here carries a valid CSRF
token (the CSRF check is enforced), so nothing is refused for a reason other than the body.
"""

from __future__ import annotations

import io
import wsgiref.util

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.hostile import world_fingerprint
from tests.security.test_isolation import ROUTES, all_route_names, dossier_world, url_for

pytestmark = pytest.mark.usefixtures("stub_pdf")

BAD_REQUEST_PAGE = "That request could not be understood"
CSRF_SECRET = "a" * 32  # an unmasked secret: the cookie and the token may be the same string
FORM = b"username=alice&password=x&reason=x&code=ABCD&csrfmiddlewaretoken=" + CSRF_SECRET.encode()
URLENCODED = "application/x-www-form-urlencoded"

# (name, content type, body): each one answered 500 somewhere, or is malformed multipart.
UNREADABLE = [
    ("form-utf-16", f"{URLENCODED}; charset=utf-16", FORM.decode().encode("utf-16")),
    ("form-utf-16-ascii-bytes", f"{URLENCODED}; charset=utf-16", FORM),
    ("form-latin-1", f"{URLENCODED}; charset=latin-1", FORM),
    ("form-unknown-charset", f"{URLENCODED}; charset=no-such-charset", FORM),
    ("form-bytes-codec", f"{URLENCODED}; charset=rot13", FORM),
    ("form-utf-8-with-bom", f"{URLENCODED}; charset=utf-8-sig", FORM),
    ("multipart-utf-16", "multipart/form-data; boundary=xx; charset=utf-16", b"--xx--\r\n"),
    ("multipart-no-boundary", "multipart/form-data", FORM),
    ("multipart-bad-boundary", "multipart/form-data; boundary=\x01", FORM),
    ("multipart-long-boundary", "multipart/form-data; boundary=" + "x" * 300, FORM),
    ("text-bytes-codec", "text/plain; charset=hex", FORM),
]


def admin_urls_without_arguments() -> list[str]:
    """The admin's index, changelists and add pages: every admin URL that reverses bare."""
    urls = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            urls += _bare_urls(entry.url_patterns, "admin:")
    return urls


def _bare_urls(patterns, prefix: str) -> list[str]:
    urls = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            urls += _bare_urls(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
            urls.append(reverse(prefix + entry.name))
    return urls


@pytest.fixture
def every_url(make_screening, clinic_a, alice, carol, version_v2) -> list[str]:
    """Every URL of the URLconf, the app's with the arguments the isolation test gives them."""
    world = {
        "signed": make_screening(clinic_a, alice, answers="clean", signed=True),
        "draft": make_screening(clinic_a, alice),
        **dossier_world(clinic_a, carol, clinician=alice),
    }
    assert all_route_names() == set(ROUTES)
    return [url_for(name, world, carol) for name in sorted(ROUTES)] + admin_urls_without_arguments()


@pytest.fixture(params=["anonymous", "clinic-admin", "site-admin"])
def visitor(request, carol) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if request.param == "clinic-admin":
        client.force_login(carol)
    elif request.param == "site-admin":
        client.force_login(get_user_model().objects.create_superuser("root", password="x" * 20))
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def send(client: Client, method: str, url: str, content_type: str, body: bytes):
    return client.generic(method, url, body, content_type=content_type, HTTP_X_CSRFTOKEN=CSRF_SECRET)


@pytest.mark.parametrize(("name", "content_type", "body"), UNREADABLE, ids=[case[0] for case in UNREADABLE])
def test_an_unreadable_post_answers_400_on_every_url(visitor, every_url, name, content_type, body):
    before = world_fingerprint()
    for url in every_url:
        response = send(visitor, "POST", url, content_type, body)
        assert response.status_code == 400, (url, response.status_code, response.content[:300])
        assert BAD_REQUEST_PAGE in response.content.decode(), url
    assert world_fingerprint() == before


@pytest.mark.parametrize("charset", ["no-such-charset", "utf-16", "latin-1"])
def test_a_get_declaring_a_charset_other_than_utf_8_answers_400(visitor, every_url, charset):
    for url in every_url:
        response = visitor.get(f"{url}?q=x", CONTENT_TYPE=f"text/plain; charset={charset}")
        assert response.status_code == 400, (url, response.status_code, response.content[:300])
        assert BAD_REQUEST_PAGE in response.content.decode(), url


def wsgi_environ(method: str, url: str, content_type: str, body: bytes = b"") -> dict:
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "testserver",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(body),
    }
    wsgiref.util.setup_testing_defaults(environ)
    return environ


# The test client builds Django's own request class, so these go through the project's applications.
@pytest.mark.parametrize("charset", ["rot13", "hex", "base64"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_bytes_codec_as_charset_answers_400_through_the_wsgi_application(db, charset, method):
    from clinic.wsgi import application

    status = []
    environ = wsgi_environ(method, f"{reverse('checklist:verify')}?code=ABCD", f"{URLENCODED}; charset={charset}", FORM)
    body = b"".join(application(environ, lambda code, headers, exc_info=None: status.append(code)))
    assert status[0].startswith("400"), (status, body[:300])
    assert BAD_REQUEST_PAGE in body.decode()


@pytest.mark.django_db(transaction=True)
def test_a_bytes_codec_as_charset_answers_400_through_the_asgi_application():
    from clinic.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": reverse("checklist:verify"),
        "raw_path": reverse("checklist:verify").encode(),
        "query_string": b"code=ABCD",
        "headers": [(b"host", b"testserver"), (b"content-type", b"text/plain; charset=hex")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }

    async def exchange():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        return start["status"], body["body"]

    status, body = async_to_sync(exchange)()
    assert status == 400 and BAD_REQUEST_PAGE in body.decode()


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "UTF_8"])
def test_utf_8_under_any_spelling_is_read_as_usual(client, alice, charset):
    response = client.post(
        reverse("login"),
        b"username=alice&password=correct-horse-battery-9",
        content_type=f"{URLENCODED}; charset={charset}",
    )
    assert response.status_code == 302 and response["Location"] == reverse("checklist:dashboard")


def test_the_400_page_carries_the_security_headers(client):
    response = send(client, "POST", reverse("login"), f"{URLENCODED}; charset=utf-16", FORM)
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_without_the_middleware_the_400_handler_still_answers_400(settings, client):
    """The handler is the second layer: it never reads the body, so Django's own refusal of a
    UTF-16 form becomes the 400 page rather than a second exception."""
    settings.MIDDLEWARE = [
        entry for entry in settings.MIDDLEWARE if entry != "clinic.middleware.RequestCharsetMiddleware"
    ]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    response = send(client, "POST", reverse("login"), f"{URLENCODED}; charset=utf-16", FORM)
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()
