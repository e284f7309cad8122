"""A small browser stand-in on the standard library: cookies, CSRF sign-in, timing headers.

One `Browser` is one signed-in person (one cookie jar); each thread gets its own keep-alive
connection. Only 127.0.0.1 is ever contacted.
"""

import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
SIGN_IN_PATH = "/accounts/sign-in/"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
APP_DURATION = re.compile(r"(?:^|,)\s*app;dur=([\d.]+)")


class SignInFailed(Exception):
    pass


@dataclass(frozen=True)
class Sample:
    status: int
    client_ms: float
    server_ms: float | None
    queries: int | None
    body: bytes


class Browser:
    def __init__(self, port: int, *, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.local = threading.local()

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        return self.local.connection

    def request(self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None) -> Sample:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "haven-bench", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        response = self.send(method, path, body, headers)
        content = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        self.keep_cookies(response.msg.get_all("Set-Cookie") or [])
        return Sample(
            status=response.status,
            client_ms=client_ms,
            server_ms=server_ms(response.getheader("Server-Timing", "")),
            queries=int(response.getheader("X-Queries")) if response.getheader("X-Queries") else None,
            body=content,
        )

    def send(self, method, path, body, headers) -> http.client.HTTPResponse:
        """Send once; on a connection the server has closed in the meantime, reconnect and resend."""
        for attempt in (1, 2):
            connection = self.connection()
            try:
                connection.request(method, path, body=body, headers=headers)
                return connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Sample:
        return self.request("GET", path)

    def submit(self, path: str, form: dict) -> Sample:
        """A form POST as a browser sends it: the CSRF token from the cookie, Origin and Referer."""
        if "csrftoken" not in self.cookies:
            self.get(path)  # the form's page sets the CSRF cookie
        token = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        headers = {"Referer": self.origin + path, "Origin": self.origin}
        return self.request("POST", path, form={**form, **token}, headers=headers)

    def keep_cookies(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def sign_in(self, username: str, password: str) -> None:
        """Like a person at the sign-in form: fetch it (CSRF cookie and field), then post it."""
        page = self.get(SIGN_IN_PATH)
        field = CSRF_FIELD.search(page.body)
        if page.status != 200 or not field or "csrftoken" not in self.cookies:
            raise SignInFailed(f"the sign-in page answered {page.status} without a CSRF token")
        answer = self.request(
            "POST",
            SIGN_IN_PATH,
            form={"username": username, "password": password, "csrfmiddlewaretoken": field.group(1).decode()},
            headers={"Referer": self.origin + SIGN_IN_PATH, "Origin": self.origin},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SignInFailed(f"signing in as {username} answered {answer.status}")


def server_ms(header: str) -> float | None:
    match = APP_DURATION.search(header)
    return float(match.group(1)) if match else None


class TokenClient(Browser):
    """A FHIR API client (interop/api/): every request carries its bearer token, and no cookies."""

    def __init__(self, port: int, token: str, **options) -> None:
        super().__init__(port, **options)
        self.token = token

    def get(self, path: str) -> Sample:
        return self.request("GET", path, headers={"Authorization": f"Bearer {self.token}"})
