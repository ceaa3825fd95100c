"""Serving the API with uvicorn inside the running stack's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import uvicorn

from services.api.app import create_app
from services.logs import get_logger

if TYPE_CHECKING:
    from services.runtime import Stack

log = get_logger("api")


async def serve(stack: Stack) -> None:
    """Serve until the stack stops; uvicorn's own signal handling stays off (the stack owns signals)."""
    settings = stack.settings
    config = uvicorn.Config(
        create_app(stack.publisher),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    log.info("api listening", host=settings.api_host, port=settings.api_port)
    serving = asyncio.create_task(server.serve())
    await stack.stop.wait()
    server.should_exit = True
    await serving
