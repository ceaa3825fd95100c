"""Before any body is read: refuse bodies over the size limit (413) and requests without a valid token (401).

A pure ASGI middleware, so that neither an oversized nor an unauthenticated request costs the
server more than its headers: the Content-Length is checked first, a body without one is counted
as it streams and refused at the limit, and the bearer token of every route that wants one is checked
before the application (and FastAPI's body parsing) sees the request.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from services.api.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths answered without a token (the WebSub callback proves itself by its HMAC).
OPEN_PATHS = ("/healthz", "/websub/", "/openapi.json", "/docs", "/redoc")


class RequestGuard:
    """Wrap an ASGI app: bodies at most `max_body` bytes; a valid bearer token where one is needed.

    The user the token names is left in the request state (``request.state.user``) for the routes.
    """

    def __init__(self, app: App, *, max_body: int, user_of: Callable[[str], str | None]) -> None:
        self.app = app
        self.max_body = max_body
        self.user_of = user_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _answer(send, 413, "too_large", f"request bodies are limited to {self.max_body} bytes")
            return
        path = str(scope.get("path", ""))
        if not path.startswith(OPEN_PATHS) and path != "/":
            auth = headers.get("authorization", "")
            user = self.user_of(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
            if user is None:
                await _answer(send, 401, "unauthorized", "send Authorization: Bearer <token>")
                return
            scope.setdefault("state", {})["user"] = user
        if length is not None:
            await self.app(scope, receive, send)
            return
        # No Content-Length (chunked): read up to the limit first, then replay what was read.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                await _answer(send, 413, "too_large", f"request bodies are limited to {self.max_body} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
