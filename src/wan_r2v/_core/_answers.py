"""Turn whatever came back (an answer or a transport failure) into a `Task` or a typed error.

Never lets a raw JSONDecodeError, KeyError or ValueError out: HTML pages,
empty bodies, malformed JSON and odd statuses (e.g. 520) all become errors
from `wan_r2v.errors`, with status, gateway code and request id when known.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .._frozen import Frozen, field_setter
from .._signed_urls import scrub_signed_urls
from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskMayExistError,
    ValidationError,
)
from ..task import Task
from ._redact import mask_secret, printable, redact, secret_forms
from ._requests import check_task_id, over_time_limit
from ._task_parsing import task_from_object, unwrap_task

__all__ = [
    "ERROR_BODY_LIMIT",
    "HTTPX_FAILURES",
    "NOT_SENT_ERRORS",
    "Exchange",
    "Outcome",
    "as_transport_error",
    "decode_json",
    "error_body_length",
    "error_for_status",
    "error_for_transport",
    "failure_within_limit",
    "read_created",
    "read_task",
    "request_id_of",
    "retry_after_of",
]

#: Transport failures that prove the request never reached the gateway.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    # the client itself refused to send (h11 found the request malformed, e.g. a header)
    httpx.LocalProtocolError,
)
_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-oneapi-request-id",
    "x-amzn-requestid",
    "cf-ray",
)
_BODY_SNIPPET = 200


def _as_headers(value: Any) -> httpx.Headers:
    """The headers as `httpx.Headers` (a response's own are kept, not copied)."""
    return value if type(value) is httpx.Headers else httpx.Headers(value)


class Exchange(Frozen):
    """A finished HTTP answer: status, headers and body bytes."""

    __slots__ = ("content", "headers", "status_code")
    status_code: int
    headers: httpx.Headers
    content: bytes

    def __init__(self, status_code: int, headers: Any, content: bytes = b"") -> None:
        set_field = field_setter(self)
        set_field("status_code", status_code)
        set_field("headers", _as_headers(headers))
        set_field("content", content)


#: What the shells hand back for a request: the answer, or how the transport failed.
Outcome = Exchange | httpx.TransportError

#: What httpx may raise for one request besides a `TransportError`: a body it cannot
#: decode (bad Content-Encoding), or a 3xx whose Location it cannot parse (httpx
#: reads Location even when it does not follow redirects).
HTTPX_FAILURES = (httpx.RequestError, httpx.InvalidURL)


def as_transport_error(exc: httpx.RequestError | httpx.InvalidURL) -> httpx.TransportError:
    """Any failure of httpx for one request as a `TransportError` the flows understand.

    A garbled answer counts as a protocol error: the request did reach the
    server, so a create that met one may have created its task.
    """
    if isinstance(exc, httpx.TransportError):
        return exc
    return httpx.RemoteProtocolError(f"the answer could not be read ({type(exc).__name__}: {exc})")


def failure_within_limit(
    exc: httpx.RequestError | httpx.InvalidURL, limit: float, *, cut: bool
) -> httpx.TransportError:
    """A failed request's outcome: over its whole-request time limit if the deadline cut it short.

    The blocking client's sockets wait no longer than the request's deadline; a
    wait cut so is the same outcome as the async client's cancellation at the limit.
    """
    return over_time_limit(limit) if cut else as_transport_error(exc)


#: The largest error body a download reads (to tell its code and message; a video is never read so).
ERROR_BODY_LIMIT = 8192


def error_body_length(status_code: int, headers: httpx.Headers) -> int:
    """How many bytes of a download's non-video answer to read: a short JSON error's, else 0.

    Only a 4xx/5xx JSON body that declares a Content-Length of at most
    `ERROR_BODY_LIMIT` is read (the gateway's ``/content`` answers new-api's
    ``task_not_exist`` so); anything else is left unread.
    """
    if status_code < 400:
        return 0
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return 0
    length = headers.get("content-length", "").strip()
    if not length.isdigit() or int(length) > ERROR_BODY_LIMIT:
        return 0
    return int(length)


def decode_json(content: bytes) -> object:
    """The JSON value of a body, or `InvalidResponseError` (never a raw decode error)."""
    if not content or content.isspace():  # as `not content.strip()`, without the copy
        raise InvalidResponseError("the answer's body is empty")
    try:
        return json.loads(content)
    except (
        ValueError,
        RecursionError,
    ) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidResponseError(f"the answer is not JSON ({_describe_body(content)})") from exc


def _describe_body(content: bytes) -> str:
    text = content[:_BODY_SNIPPET].decode("utf-8", "replace").strip()
    kind = "an HTML page" if text[:1] == "<" else "text"
    snippet = " ".join(text.split())[:80]
    return f"{kind} of {len(content)} bytes: {snippet!r}"


def request_id_of(headers: httpx.Headers, payload: object = None) -> str | None:
    """The request id the gateway sent, from a header or the body's ``request_id``."""
    for name in _REQUEST_ID_HEADERS:
        header: str | None = headers.get(name)
        if header:
            return header
    if isinstance(payload, Mapping):
        value = payload.get("request_id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None


def retry_after_of(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds to wait per ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(0.0, value)
    text = headers.get("retry-after")
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def error_fields(payload: object) -> dict[str, str | None]:
    """message, code, type and param of an error answer in any of the family's shapes."""
    fields: dict[str, str | None] = dict.fromkeys(("message", "code", "type", "param"))
    if not isinstance(payload, Mapping):
        return fields
    error = payload.get("error")
    source: Mapping[str, Any] = error if isinstance(error, Mapping) else payload
    for name in fields:
        fields[name] = _text(source.get(name))
    if isinstance(error, str):
        fields["message"] = error.strip() or None
    if fields["message"] is None:
        fields["message"] = _text(payload.get("message")) or _text(payload.get("detail"))
    if fields["code"] is None:
        fields["code"] = _text(payload.get("code"))
    return fields


_HINTS = {
    400: "the gateway refused the request; change it before sending again",
    401: "the gateway refused the API key; check api_key= or WAN_R2V_API_KEY",
    403: "the key may not do this (check the account's models and permissions)",
    404: "not found; check the task id, the base URL and task_path",
    429: "rate limited or out of quota; slow down",
}


#: Gateway codes that name an unknown task whatever the status (new-api: 400 ``task_not_exist``).
_NOT_FOUND_CODES = frozenset({"task_not_exist", "task_not_found", "not_found"})


def _error_class(status: int, code: str | None = None) -> type[APIStatusError]:
    if status == 400 and code is not None and code.lower() in _NOT_FOUND_CODES:
        return NotFoundError
    if status in (400, 422) or (400 <= status < 500 and status not in (401, 403, 404, 408, 429)):
        return BadRequestError
    return {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        429: RateLimitError,
    }.get(status, ServerError)


def _class_for_code(code: str | None) -> type[APIStatusError]:
    """The error class a 2xx answer's error envelope means, by its code's words."""
    word = (code or "").lower()
    table: tuple[tuple[tuple[str, ...], type[APIStatusError]], ...] = (
        (("not_found", "notfound", "not_exist", "no_such"), NotFoundError),
        (("unauthor", "auth", "api_key", "token"), AuthenticationError),
        (("forbidden", "permission"), PermissionDeniedError),
        (("rate", "quota", "too_many", "limit"), RateLimitError),
        (("server", "internal", "upstream", "unavailable", "timeout"), ServerError),
    )
    for words, cls in table:
        if any(w in word for w in words):
            return cls
    return BadRequestError


def _build_error(
    cls: type[APIStatusError],
    exchange: Exchange,
    payload: object,
    secret: str | None,
    fallback: str,
) -> APIStatusError:
    fields = error_fields(payload)
    status = exchange.status_code
    message = fields["message"] or fallback
    hint = _HINTS.get(
        404 if cls is NotFoundError else status,
        "the gateway or its upstream failed; try later" if status >= 500 else "",
    )
    full = redact(f"{hint}: {message}" if hint else message, secret)
    common: dict[str, Any] = {
        "status_code": status,
        "code": redact(fields["code"], secret),
        "type": redact(fields["type"], secret),
        "param": redact(fields["param"], secret),
        "request_id": redact(request_id_of(exchange.headers, payload), secret),
    }
    return cls(full, retry_after=retry_after_of(exchange.headers), **common)


def error_for_status(exchange: Exchange, *, secret: str | None = None) -> APIStatusError:
    """The typed error of a non-2xx answer (its body may be JSON of any shape, HTML or empty)."""
    try:
        payload: object = decode_json(exchange.content)
        fallback = f"HTTP {exchange.status_code}"
    except InvalidResponseError:
        payload = None
        body = _describe_body(exchange.content) if exchange.content.strip() else "an empty body"
        fallback = f"HTTP {exchange.status_code} with {body}"
    cls = _error_class(exchange.status_code, error_fields(payload)["code"])
    return _build_error(cls, exchange, payload, secret, fallback)


def error_for_transport(
    exc: httpx.TransportError, *, secret: str | None = None, what: str = "the gateway"
) -> APIConnectionError:
    """The typed error of a request that got no (complete) answer."""
    detail = redact(str(exc) or type(exc).__name__, secret)
    if isinstance(exc, httpx.PoolTimeout):  # it waited in the client: the gateway never saw it
        return APITimeoutError(
            f"no connection of the client became free in time, so nothing was sent to {what} "
            f"(PoolTimeout: {detail}); send fewer requests at once, or raise max_connections "
            "or the pool timeout"
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{what} did not answer in time ({type(exc).__name__}: {detail}); try later"
        )
    return APIConnectionError(
        f"{what} could not be reached or broke off ({type(exc).__name__}: {detail}); try later"
    )


def read_task(outcome: Outcome, *, task_id: str | None = None, secret: str | None = None) -> Task:
    """The `Task` of an answer, or the typed error it means (transport failures included)."""
    task = _read_task(outcome, task_id=task_id, secret=secret)
    return _redact_task(task, secret if _may_hold(outcome, secret) else None)


def read_created(outcome: Outcome, *, secret: str | None = None) -> Task:
    """The task a create made, or the error its answer means.

    A 2xx answer means the task may exist whatever it holds: one the client
    cannot use (no task, an error envelope, an id unsafe in a path or holding
    the key) is `TaskMayExistError` carrying what it saw, never a "fix your
    request" error and never a reason to create again.
    """
    try:
        task = _read_task(outcome, task_id=None, secret=secret)
        if secret and mask_secret(task.id, secret) != task.id:
            raise InvalidResponseError("the gateway echoed the API key into the task id")
        try:
            check_task_id(task.id)
        except ValidationError:
            raise InvalidResponseError(
                f"its task id '{printable(redact(task.id, secret))}' is not safe in a URL path "
                "(it holds '/', '..', '?', '#', '%', whitespace or control characters, or is too long)"
            ) from None
    except APIError as error:
        if isinstance(outcome, Exchange) and 200 <= outcome.status_code < 300:
            raise _unusable_create_answer(outcome, error, secret) from error
        raise
    return _redact_task(task, secret if _may_hold(outcome, secret) else None)


def _unusable_create_answer(
    exchange: Exchange, error: APIError, secret: str | None
) -> TaskMayExistError:
    text = exchange.content[:_BODY_SNIPPET].decode("utf-8", "replace")
    answer = printable(redact(text, secret))
    cut = "..." if len(exchange.content) > _BODY_SNIPPET else ""
    reason = printable(" ".join(error.message.split()))
    request_id = request_id_of(exchange.headers)
    return TaskMayExistError(
        f"the gateway answered {exchange.status_code} to the create, but the answer cannot be "
        f"used ({reason}); the task may exist and may be billed, so it was not resent. Look "
        f"for it on the gateway before creating again. The answer began: '{answer}'{cut}",
        answer=answer,
        status_code=exchange.status_code,
        request_id=printable(redact(request_id, secret)) if request_id else None,
    )


def _read_task(outcome: Outcome, *, task_id: str | None, secret: str | None) -> Task:
    """`read_task` before the key is masked out of the task."""
    if isinstance(outcome, httpx.TransportError):
        # from None: the httpx error holds the request, and so the Authorization header
        raise error_for_transport(outcome, secret=secret) from None
    if 300 <= outcome.status_code < 400 or outcome.status_code < 200:
        location = outcome.headers.get("location")
        where = f" to {location}" if location else ""
        raise _invalid(
            outcome,
            f"the gateway answered {outcome.status_code}{where} (redirects are not followed)",
            secret,
        )
    if not 200 <= outcome.status_code < 300:
        raise error_for_status(outcome, secret=secret)
    try:
        payload = decode_json(outcome.content)
    except InvalidResponseError as exc:
        raise _invalid(outcome, exc.message, secret) from None
    if type(payload) is not dict:  # json.loads makes objects dicts
        raise _invalid(
            outcome, f"the answer is JSON {type(payload).__name__}, not an object", secret
        )
    task_object = unwrap_task(payload)
    if task_object is None:
        fields = error_fields(payload)
        if fields["message"] is not None or fields["code"] is not None:
            # an error envelope with a 2xx status: {"code": "...", "message": "...", "data": null}
            raise _build_error(_class_for_code(fields["code"]), outcome, payload, secret, "error")
        raise _invalid(outcome, "the answer holds no task", secret)
    try:
        # raw is the fresh dict json.loads made: nobody else holds it, so it needs no copy
        task = task_from_object(task_object, raw=payload, task_id=task_id)
    except InvalidResponseError as exc:
        raise _invalid(outcome, exc.message, secret) from None
    if task_id is not None and task.id != task_id:
        raise InvalidResponseError(
            redact(
                f"the answer to a query about task {task_id!r} describes task {task.id!r}; "
                "it was not used (a cache or proxy in front of the gateway may mix answers up)",
                secret,
            ),
            status_code=outcome.status_code,
            request_id=redact(request_id_of(outcome.headers), secret),
        )
    return task


_TASK_TEXTS = (
    "id",
    "raw_status",
    "upstream_status",
    "model",
    "video_url",
    "error_code",
    "error_message",
)


def _may_hold(outcome: Outcome, secret: str | None) -> bool:
    """Whether a parsed answer may hold the key: some form of it is in the body, or an escape.

    Without a backslash in the body, every string JSON gives is a verbatim piece
    of it; so a body holding no form of the key cannot give one. Saves a walk of
    every answer (one substring search per form instead).
    """
    if not secret or not isinstance(outcome, Exchange):
        return bool(secret)
    content = outcome.content
    return b"\\" in content or any(f.encode() in content for f in secret_forms(secret))


def _redact_task(task: Task, secret: str | None) -> Task:
    """The task with the key masked in every text it holds, `raw` included (a gateway may echo it).

    The failure text is also scrubbed of signed URLs' credentials (a provider may
    quote a reference URL); `video_url` and `raw` keep theirs (the download needs them).
    """
    changes: dict[str, Any] = {}
    if secret:
        for name in _TASK_TEXTS:
            value = getattr(task, name)
            if isinstance(value, str) and (masked := mask_secret(value, secret)) != value:
                changes[name] = masked
        raw = _redact_value(task.raw, secret)
        if raw is not task.raw:
            changes["raw"] = raw
    message = changes.get("error_message", task.error_message)
    if message is not None and "=" in message:
        scrubbed = scrub_signed_urls(message)
        if scrubbed != message:
            changes["error_message"] = scrubbed
    return task._replace(**changes) if changes else task


def _redact_value(value: Any, secret: str) -> Any:
    """JSON data with the key masked in every string, keys included; `value` itself when clean."""
    if isinstance(value, str):
        masked = mask_secret(value, secret)
        return value if masked == value else masked
    if isinstance(value, Mapping):
        items = [(_redact_value(k, secret), _redact_value(v, secret)) for k, v in value.items()]
        same = all(
            k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)
        )
        return value if same else dict(items)
    if isinstance(value, list):
        values = [_redact_value(v, secret) for v in value]
        return value if all(a is b for a, b in zip(values, value, strict=True)) else values
    return value


def _invalid(exchange: Exchange, message: str, secret: str | None) -> APIError:
    return InvalidResponseError(
        redact(f"{message}; is base_url the gateway's host root?", secret),
        status_code=exchange.status_code,
        request_id=redact(request_id_of(exchange.headers), secret),
    )
