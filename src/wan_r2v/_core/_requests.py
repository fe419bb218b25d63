"""Build the two calls' requests (method and path from the generated endpoint table).

A `RequestSpec` is plain data: the shells hand it to httpx as is. Its repr
never shows headers, so the Authorization value cannot leak through it.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
from wan_r2v_api.api.videos import ROUTES
from wan_r2v_api.models import CreateVideoRequest

from .._config import ClientConfig, TaskPath
from .._frozen import Frozen, field_setter
from ..errors import Problem, ValidationError
from ._redact import redact

__all__ = [
    "MAX_TASK_ID_LENGTH",
    "MIN_REQUEST_TIMEOUT",
    "RequestSpec",
    "build_create_request",
    "build_get_request",
    "check_task_id",
    "clip_timeout",
    "gateway_headers",
    "over_time_limit",
    "require_gateway",
    "route",
    "whole_request_limit",
]

MAX_TASK_ID_LENGTH = 256
#: A request near a deadline still gets this long, so the last poll can answer.
MIN_REQUEST_TIMEOUT = 1.0
_FORBIDDEN_IN_TASK_ID = re.compile(r"[/?#%\\]")
#: Unicode categories refused in a task id: controls, format characters (zero-width,
#: bidi overrides) and lone surrogates (not text at all).
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
#: The same refusal (whitespace or `_INVISIBLE`) for ASCII text: no ASCII character is
#: Cf or Cs, the Cc ones are 0-31 and 127, and ASCII whitespace is 9-13, 28-32.
_ASCII_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
#: httpx parses a URL string char by char (several µs); a client sends the same few URLs
#: over and over (the create URL, each task's poll URL), so parse each once. A URL is immutable.
_parsed_url = functools.lru_cache(maxsize=512)(httpx.URL)
#: One encoder for every body: ``json.dumps`` with options would build a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class RequestSpec(Frozen):
    """One HTTP request to make: method, absolute URL, headers, body and timeout."""

    __slots__ = ("budget", "content", "headers", "method", "time_limit", "timeout", "url")
    _unshown = frozenset({"headers", "content", "timeout", "time_limit", "budget"})
    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes | None
    timeout: httpx.Timeout
    #: Seconds the whole request may take, answer body included (None: only `timeout`'s
    #: per-phase bounds). The shells enforce it; httpx bounds each read, not the request.
    time_limit: float | None
    #: Seconds left of the caller's deadline (a wait's, a download's) when the request is
    #: made: its wait for a turn in the client and the request itself end within them, the
    #: latter never cut below MIN_REQUEST_TIMEOUT (None: no deadline; the turn is waited
    #: for as long as it takes, and `time_limit` starts once it comes).
    budget: float | None

    def __init__(
        self,
        *,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: httpx.Timeout,
        time_limit: float | None = None,
        budget: float | None = None,
    ) -> None:
        set_field = field_setter(self)
        set_field("method", method)
        set_field("url", url)
        set_field("headers", {} if headers is None else headers)
        set_field("content", content)
        set_field("timeout", timeout)
        set_field("time_limit", time_limit)
        set_field("budget", budget)

    @property
    def path(self) -> str:
        """The URL's path, for log lines (never the query or host credentials)."""
        return _parsed_url(self.url).path

    @property
    def httpx_url(self) -> httpx.URL:
        """The URL as httpx parses it (once per distinct URL string)."""
        return _parsed_url(self.url)

    @property
    def httpx_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client.request`` / ``.stream`` (redirects are the flows' job)."""
        return {
            "method": self.method,
            "url": _parsed_url(self.url),
            "content": self.content,
            "headers": dict(self.headers),
            "timeout": self.timeout,
            "follow_redirects": False,
        }

    def with_timeout(self, timeout: httpx.Timeout) -> RequestSpec:
        """The same request with another timeout (itself when the timeout is the same object)."""
        return self if timeout is self.timeout else self._replace(timeout=timeout)

    def within(self, remaining: float | None) -> RequestSpec:
        """The request cut to a deadline `remaining` s away: each phase and the whole request.

        Never below MIN_REQUEST_TIMEOUT, so the last poll before a deadline can answer.
        """
        if remaining is None:
            return self
        cap = max(remaining, MIN_REQUEST_TIMEOUT)
        limit = cap if self.time_limit is None else min(self.time_limit, cap)
        return self._replace(
            timeout=clip_timeout(self.timeout, remaining), time_limit=limit, budget=cap
        )

    def limit_after(self, waited: float) -> float | None:
        """The whole-request limit once the turn came after `waited` s: what the deadline leaves of it."""
        if self.budget is None:
            return self.time_limit
        left = max(self.budget - waited, MIN_REQUEST_TIMEOUT)
        return left if self.time_limit is None else min(self.time_limit, left)


def whole_request_limit(timeout: httpx.Timeout) -> float | None:
    """The whole-request time limit of an API call: the longest phase bound of `timeout`.

    ``timeout=30`` (30 s per phase) means the complete answer within 30 s too;
    the default ``Timeout(60, connect=10)`` gives 60 s. None when no phase is bounded.
    """
    bounds = [v for v in (timeout.connect, timeout.read, timeout.write, timeout.pool) if v]
    return max(bounds) if bounds else None


def over_time_limit(limit: float) -> httpx.ReadTimeout:
    """The transport error of a request cut at its whole-request time limit.

    A read timeout: the request may have reached the gateway, so a create that
    meets it is reported as possibly created, never resent.
    """
    return httpx.ReadTimeout(
        f"no complete answer within the whole-request time limit of {limit:g} s"
    )


def clip_timeout(timeout: httpx.Timeout, remaining: float | None) -> httpx.Timeout:
    """A timeout no phase of which outlasts `remaining` seconds (never below MIN_REQUEST_TIMEOUT)."""
    if remaining is None:
        return timeout
    cap = max(remaining, MIN_REQUEST_TIMEOUT)

    def clip(value: float | None) -> float:
        return cap if value is None else min(value, cap)

    return httpx.Timeout(
        connect=clip(timeout.connect),
        read=clip(timeout.read),
        write=clip(timeout.write),
        pool=clip(timeout.pool),
    )


def require_gateway(config: ClientConfig, *, need_key: bool = True) -> tuple[str, str]:
    """(base_url, api_key), or a `ValidationError` saying how to supply what is missing."""
    problems = []
    if config.base_url is None:
        problems.append(
            Problem(
                "base_url",
                "is not set; pass base_url= (the gateway's host root) or set WAN_R2V_BASE_URL",
            )
        )
    if need_key and config.api_key is None:
        problems.append(Problem("api_key", "is not set; pass api_key= or set WAN_R2V_API_KEY"))
    if problems:
        raise ValidationError(problems)
    assert config.base_url is not None
    return config.base_url, config.api_key.reveal() if config.api_key is not None else ""


def gateway_headers(api_key: str, user_agent: str) -> dict[str, str]:
    """The headers of a call to the gateway (the only requests that carry the key)."""
    return {
        "Accept": "application/json",
        "User-Agent": user_agent,
        "Authorization": f"Bearer {api_key}",
    }


def route(endpoint: str, **path_params: str) -> tuple[str, str]:
    """(METHOD, path) of a generated endpoint, its path parameters percent-encoded as its module does.

    Read from the generated ``ROUTES`` table, so the endpoint modules (and the generated
    client and answer models they import) never load.
    """
    method, template = ROUTES[endpoint]
    return method.upper(), template.format(
        **{name: quote(value, safe="") for name, value in path_params.items()}
    )


def _spec(
    method: str,
    url: str,
    headers: Mapping[str, str],
    timeout: httpx.Timeout,
    *,
    json_body: Mapping[str, Any] | None = None,
) -> RequestSpec:
    """A `RequestSpec` for a gateway call (``json_body`` sent as compact UTF-8 JSON)."""
    content = None
    all_headers = dict(headers)
    if json_body is not None:
        content = _JSON.encode(json_body).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    return RequestSpec(
        method=method,
        url=url,
        headers=all_headers,
        content=content,
        timeout=timeout,
        time_limit=whole_request_limit(timeout),
    )


def build_create_request(
    config: ClientConfig, body: CreateVideoRequest, *, user_agent: str, timeout: httpx.Timeout
) -> RequestSpec:
    """The create call for a validated body."""
    base_url, key = require_gateway(config)
    method, path = route("create_video_generation")
    return _spec(
        method,
        base_url + path,
        gateway_headers(key, user_agent),
        timeout,
        json_body=body.to_dict(),
    )


def _has_invisible(text: str) -> bool:
    """Whether text holds whitespace, a control or format character, or a lone surrogate."""
    if text.isascii():
        return _ASCII_INVISIBLE.search(text) is not None
    return any(c.isspace() or unicodedata.category(c) in _INVISIBLE for c in text)


def check_task_id(task_id: object, *, secret: str | None = None) -> str:
    """The task id when it is safe to put in a path; `ValidationError` (nothing sent) otherwise.

    The message quotes the id, with `secret` (the API key, passed as an id by
    mistake) scrubbed out.
    """
    problem: str | None = None
    if not isinstance(task_id, str) or not task_id:
        problem = f"must be a non-empty string, not {task_id!r}"
    elif len(task_id) > MAX_TASK_ID_LENGTH:
        problem = f"is {len(task_id)} characters long; a task id has at most {MAX_TASK_ID_LENGTH}"
    elif (
        ".." in task_id
        or not task_id.strip(".")  # "." is a dot segment: /v1/videos/. is /v1/videos/
        or _FORBIDDEN_IN_TASK_ID.search(task_id)
    ):
        problem = f"{task_id!r} holds '/', '..', '?', '#', '%' or '\\', or is only dots; pass the task id exactly as the gateway gave it"
    elif _has_invisible(task_id):
        problem = f"{task_id!r} holds whitespace, control or invisible characters; pass the task id exactly as the gateway gave it"
    if problem is not None:
        raise ValidationError([Problem("task_id", redact(problem, secret))])
    assert isinstance(task_id, str)
    return task_id


_GET_ENDPOINTS = {"videos": "get_video_task", "video/generations": "get_video_generation_task"}


def build_get_request(
    config: ClientConfig,
    task_id: str,
    *,
    user_agent: str,
    timeout: httpx.Timeout,
    task_path: TaskPath | None = None,
) -> RequestSpec:
    """The query call for a task id (checked first)."""
    checked = check_task_id(
        task_id, secret=config.api_key.reveal() if config.api_key is not None else None
    )
    base_url, key = require_gateway(config)
    method, path = route(_GET_ENDPOINTS[task_path or config.task_path], task_id=checked)
    return _spec(method, base_url + path, gateway_headers(key, user_agent), timeout)
