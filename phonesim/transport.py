"""Signing webhook requests as Twilio does, and sending them to the app.

:class:`Signer` computes ``X-Twilio-Signature`` with twilio's ``RequestValidator`` over the
*public* URL, as Twilio signs it. :class:`FlaskTransport` drives an app in-process through its
test client (no Flask import here); :class:`HttpTransport` posts to a running app with urllib.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

from phonesim.errors import SimulatorError

SIGNATURE_HEADER = "X-Twilio-Signature"
SIMULATED_AT_HEADER = "X-Frontdoor-Simulated-At"


class Signer:
    """Twilio's signature of requests to the public base URL (``http(s)://host[/path]``)."""

    def __init__(self, auth_token: str, public_base_url: str) -> None:
        parts = urlsplit(public_base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SimulatorError(f"the public base URL must be http(s)://host: {public_base_url!r}")
        self.validator = RequestValidator(auth_token)
        self.public_base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.origin = (parts.scheme, parts.netloc)

    def url(self, path: str) -> str:
        """The public URL of ``path`` (absolute URLs are returned as they are)."""
        return urljoin(self.public_base_url + "/", path)

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """``X-Twilio-Signature`` of a POST of ``params`` to ``url`` (for a GET: the full URL
        with its query and no params)."""
        return str(self.validator.compute_signature(url, dict(params)))


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = "text/xml"
    headers: Mapping[str, str] = field(default_factory=dict)  # the response's headers


class Transport(Protocol):
    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        """Send a request for the public ``url`` (query included) and return the answer."""


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


class FlaskTransport:
    """In-process: the app's test client, with the public URL's scheme and host, so that the
    app sees ``request.url`` equal to the URL that was signed."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        parts = urlsplit(url)
        response = self.client.open(
            _path_and_query(url),
            method=method,
            base_url=f"{parts.scheme}://{parts.netloc}",
            data=dict(form) if method == "POST" else None,
            headers=dict(headers),
        )
        return Reply(
            response.status_code,
            response.get_data(as_text=True),
            response.mimetype,
            dict(response.headers),
        )


class HttpTransport:
    """A running app: the public URL's path and query are sent to ``base_url`` with urllib."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise SimulatorError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        target = self.base_url + _path_and_query(url)
        data = urlencode(dict(form)).encode() if method == "POST" else None
        request = urllib.request.Request(target, data=data, method=method)  # noqa: S310
        for name, value in headers.items():
            request.add_header(name, value)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read().decode("utf-8", "replace")
                answer_headers = dict(response.headers.items())
                content_type = response.headers.get_content_type()
                return Reply(response.status, body, content_type, answer_headers)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            return Reply(exc.code, body, exc.headers.get_content_type(), dict(exc.headers.items()))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return Reply(0, f"cannot reach {target}: {reason}", "")
