"""A loopback HTTP server emulating an OpenAI-compatible ``POST /v1/chat/completions`` endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http import serving


@dataclass
class Reply:
    """How the fake endpoint answers: status, raw body, and a delay before answering."""

    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0


@dataclass
class Seen:
    """One request the fake endpoint received."""

    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ChatServer:
    """A loopback HTTP server emulating ``POST /v1/chat/completions``."""

    reply: Reply = field(default_factory=Reply)
    requests: list[Seen] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def answer(self, content: str) -> None:
        """Answer the next requests with a chat completion whose message content is ``content``."""
        body = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        }
        self.reply = Reply(body=json.dumps(body).encode())

    def answer_events(self, events: list[Any], is_procurement: bool = True) -> None:
        """Answer with the JSON object the prompt asks for."""
        self.answer(json.dumps({"is_procurement": is_procurement, "events": events}))


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw
            server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            reply = server.reply
            if reply.delay and server.stop.wait(reply.delay):
                return
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_chat_server() -> Iterator[ChatServer]:
    """A running fake endpoint; its base URL ends in ``/v1``."""
    server = ChatServer()
    with serving(_handler(server), server.stop, "chat-server") as port:
        server.base_url = f"http://127.0.0.1:{port}/v1"
        yield server
