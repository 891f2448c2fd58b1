"""A small fake HTTP API: a route table, a queue of injected errors and a request log.

The real client libraries (PyGithub, python-gitlab, jira) are pointed at it, so tests exercise
what the libraries actually send: their paging, retries and error handling. Pages are served by
helpers that follow the documented shapes (Link headers, `startAt`/`total`, `nextPageToken`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, **headers: str) -> Response:
        merged = {"Content-Type": "application/json", **headers}
        return cls(status, json.dumps(payload).encode(), merged)


Handler = Callable[[Request], Response]


@dataclass
class _Injected:
    path_prefix: str
    response: Response
    times: int
    query: dict[str, str]
    delay: float = 0.0


class FakeServer:
    """Serves registered routes; `fail()` queues errors that win over the route's answer."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.log: list[Request] = []
        self.latency = 0.0  # seconds added to every answer (benchmarks: a network's round trip)
        self._errors: deque[_Injected] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- routes -------------------------------------------------------------------------
    def route(self, path: str, answer: Response | Handler | Any, method: str = "GET") -> None:
        """Answer `path`: a Response, a handler, or any JSON-serializable payload."""
        if isinstance(answer, Response):
            self.routes[(method, path)] = lambda _request, fixed=answer: fixed
        elif callable(answer):
            self.routes[(method, path)] = answer
        else:
            self.routes[(method, path)] = lambda _request, data=answer: Response.json(data)

    def fail(
        self,
        path: str,
        status: int,
        *,
        times: int = 1,
        body: bytes | None = None,
        query: dict[str, str] | None = None,
        delay: float = 0.0,
        **headers: str,
    ) -> None:
        """The next `times` requests to this path (and with `query`) get this error.

        A path ending in `*` is a prefix: `/api/v4/*` fails every request under it. `delay`
        holds the answer back that many seconds (a client timeout).
        """
        payload = body if body is not None else json.dumps({"message": f"error {status}"}).encode()
        response = Response(status, payload, {"Content-Type": "application/json", **headers})
        with self._lock:
            self._errors.append(_Injected(path, response, times, query or {}, delay))

    def requests(self, path_prefix: str = "", method: str = "GET") -> list[Request]:
        return [r for r in self.log if r.path.startswith(path_prefix) and r.method == method]

    def count(self, path: str) -> int:
        """Requests to exactly this path (any query)."""
        return sum(1 for r in self.log if r.path == path)

    # -- serving ------------------------------------------------------------------------
    def _answer(self, request: Request) -> Response:
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.log.append(request)
            injected = self._take_error(request)
        if injected is not None:
            if injected.delay:
                time.sleep(injected.delay)
                return self._route(request)  # slow, but the real answer
            return injected.response
        return self._route(request)

    def _route(self, request: Request) -> Response:
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return Response.json({"message": "Not Found"}, 404)
        return handler(request)

    def _take_error(self, request: Request) -> _Injected | None:
        for injected in self._errors:
            pattern = injected.path_prefix
            hit = (
                request.path.startswith(pattern[:-1])
                if pattern.endswith("*")
                else request.path == pattern
            )
            if hit and all(request.query.get(k) == v for k, v in injected.query.items()):
                injected.times -= 1
                if injected.times <= 0:
                    self._errors.remove(injected)
                return injected
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms stalls

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = Request(self.command, parts.path, query, headers, body)
                response = server._answer(request)
                try:
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request log is the record; stderr stays quiet

        return _RequestHandler


# -- pagination helpers -------------------------------------------------------------------
def link_pages(
    server: FakeServer,
    items: Sequence[Any],
    *,
    wrap: Callable[[list[Any]], Any] = lambda page: page,
    default_per_page: int = 30,
    extra_headers: Callable[[int, int], dict[str, str]] | None = None,
) -> Handler:
    """GitHub/GitLab style: `page`/`per_page` query, `Link: <…>; rel="next", <…>; rel="last"`."""

    def handler(request: Request) -> Response:
        per_page = int(request.query.get("per_page", default_per_page))
        page = int(request.query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        chosen = list(items[(page - 1) * per_page : page * per_page])
        headers: dict[str, str] = {}
        if page < last:

            def link(number: int) -> str:
                query = {**request.query, "page": str(number), "per_page": str(per_page)}
                return f"<{server.url}{request.path}?{urlencode(query)}>"

            headers["Link"] = f'{link(page + 1)}; rel="next", {link(last)}; rel="last"'
        if extra_headers:
            headers.update(extra_headers(page, last))
        return Response.json(wrap(chosen), **headers)

    return handler


def start_at_pages(items: Sequence[Any], key: str, *, page_size: int = 50) -> Handler:
    """Jira Server style: `startAt`/`maxResults` in, `startAt`/`maxResults`/`total` out."""

    def handler(request: Request) -> Response:
        start = int(request.query.get("startAt", 0))
        size = min(int(request.query.get("maxResults", page_size)), page_size)
        chosen = list(items[start : start + size])
        payload = {"startAt": start, "maxResults": size, "total": len(items), key: chosen}
        return Response.json(payload)

    return handler


def token_pages(items: Sequence[Any], key: str, *, page_size: int = 50) -> Handler:
    """Jira Cloud style: `nextPageToken` in and out, `isLast`, no total."""

    def handler(request: Request) -> Response:
        start = int(request.query.get("nextPageToken") or 0)
        size = min(int(request.query.get("maxResults", page_size)), page_size)
        chosen = list(items[start : start + size])
        payload: dict[str, Any] = {key: chosen, "isLast": start + size >= len(items)}
        if not payload["isLast"]:
            payload["nextPageToken"] = str(start + size)
        return Response.json(payload)

    return handler


def paged(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
