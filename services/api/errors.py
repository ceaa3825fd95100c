"""The API's one error shape: {"error": {"code", "message", "field"?}} with a 4xx or 5xx status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.errors import RecordError, UsageError
from services.logs import get_logger

log = get_logger("api")


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a one-line message, the field at fault when there is one."""

    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """The one error shape."""

    error: ErrorDetail


_MEANINGS = {
    401: "No valid bearer token.",
    403: "Refused.",
    404: "No such resource (or not yours).",
    410: "Gone: the resource no longer exists.",
    413: "Request body over ARMSWATCH_API_MAX_BODY.",
    422: "Invalid input: the message names the field.",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each in the one error shape."""
    return {s: {"model": ErrorOut, "description": _MEANINGS[s]} for s in statuses}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str]]:
    """The JSON body of an error (``ErrorOut``, without a field when none is at fault)."""
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


class ApiError(Exception):
    """An error answered with `status` and the one error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def install(app: FastAPI) -> None:
    """Answer every error, ours or the framework's, in the one shape."""

    @app.exception_handler(ApiError)
    async def _api(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)

    @app.exception_handler(UsageError)
    async def _usage(_request: Request, exc: UsageError) -> JSONResponse:
        return JSONResponse(error_body("invalid", str(exc)), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return JSONResponse(error_body("invalid", str(first.get("msg")), field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "error"
        )
        headers = getattr(exc, "headers", None)  # a 405 keeps its Allow
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RecordError)
    async def _record(_request: Request, exc: RecordError) -> JSONResponse:
        return JSONResponse(error_body("invalid", str(exc)), status_code=422)

    @app.exception_handler(UnicodeError)
    async def _unicode(_request: Request, exc: UnicodeError) -> JSONResponse:
        return JSONResponse(
            error_body("invalid", "text is not valid Unicode (a lone surrogate?)"), status_code=422
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("api request failed", path=request.url.path, error=f"{type(exc).__name__}: {exc}"[:300])
        return JSONResponse(
            error_body("internal", "the server could not answer; the error is logged"), status_code=500
        )
