"""The ONE place errors become HTTP responses.

Every error — the core's ``KerawananError`` tree, Starlette's own 404/405, FastAPI's parameter
validation, and a last-resort 500 — answers in the one shape
``{"error": {"code", "message", "details"}}``. Messages are Indonesian unless the request's
``Accept-Language`` starts with ``en``.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from kerawanan.errors import InvalidInput, KerawananError, NotFound, RateLimited, Unauthorized, Unavailable

log = logging.getLogger("sync_server")


class MethodNotAllowed(KerawananError):
    status, code = 405, "request.method_not_allowed"


class InternalError(KerawananError):
    status, code = 500, "internal"


UNAVAILABLE_RETRY_SECONDS = 5


def language(request: Request) -> str:
    """``en`` when the client asks for English first, else ``id``."""
    accepted = request.headers.get("accept-language", "").strip().lower()
    return "en" if accepted.startswith("en") else "id"


def error_response(error: KerawananError, lang: str) -> JSONResponse:
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, Unavailable):        # the database restarting or failing over: try again shortly
        headers["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error.to_dict(lang), status_code=error.status, headers=headers)


def not_found() -> NotFound:
    return NotFound("Tidak ditemukan.", message_en="Not found.")


class NulPathNotFound:
    """A path holding NUL (``/api/v1/alerts/abc%00def``) names nothing: ``404 not_found``, before any
    route. No id the server knows (report, alert, user, device, region, photo) can hold NUL, so this is
    the answer a lookup would give — SQLite's does; PostgreSQL refuses NUL in text (its storage seam
    answers that 422, meant for bodies), so without this the two backends answered differently."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            await error_response(not_found(), language(Request(scope)))(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _from_http(exc: StarletteHTTPException) -> KerawananError:
    if exc.status_code == 404:
        return not_found()
    if exc.status_code == 405:
        return MethodNotAllowed("Metode ini tidak dipakai di alamat ini.",
                                message_en="Method not allowed on this path.")
    error = KerawananError("Permintaan tidak dapat diproses.", message_en=str(exc.detail),
                           code="request.error")
    error.status = exc.status_code
    return error


def _from_validation(exc: RequestValidationError) -> InvalidInput:
    fields, fields_en, reasons = {}, {}, {}
    for problem in exc.errors():
        location = [str(part) for part in problem.get("loc", ())[1:]] or ["request"]
        path = ".".join(location)
        fields[path] = "Nilai tidak valid."
        fields_en[path] = str(problem.get("msg", "invalid value"))
        reasons[path] = str(problem.get("type", "invalid"))
    return InvalidInput("Parameter permintaan tidak valid.", message_en="Invalid request parameters.",
                        fields=fields, fields_en=fields_en, reasons=reasons)


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: KerawananError) -> JSONResponse:
        return error_response(exc, language(request))

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = error_response(_from_http(exc), language(request))
        if exc.status_code == 405 and exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(_from_validation(exc), language(request))

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        error = InternalError("Terjadi kesalahan di server.", message_en="Internal server error.")
        return error_response(error, language(request))

    app.add_exception_handler(KerawananError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_crash)
