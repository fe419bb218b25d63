"""Configuration: arguments first, then the environment; explicit timeouts; retry limits.

The base URL is the gateway's host root, e.g. ``https://gateway.example`` or
``http://127.0.0.1:8000`` (no trailing ``/v1``: the paths carry it).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import httpx

from ._frozen import Frozen, field_setter
from .errors import Problem, ValidationError
from .presets import PRESETS, Preset

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_DOWNLOAD_MIN_SPEED",
    "DEFAULT_DOWNLOAD_STALL_TIME",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_KEEPALIVE_EXPIRY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "TASK_PATHS",
    "ClientConfig",
    "DownloadLimits",
    "RetryPolicy",
    "Secret",
    "TaskPath",
    "make_config",
]

API_KEY_ENV = "WAN_R2V_API_KEY"
BASE_URL_ENV = "WAN_R2V_BASE_URL"

#: Connect within 10 s; any read, write or wait for one of httpx's connections within 60 s.
#: A wait for a turn in the client's own gate has no limit of its own (`turn_timeout_of`).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
#: Requests in flight at once per client; the rest wait in the client, where waiting costs
#: O(1), not in httpcore's pool, whose every finished request rescans every queued one
#: against every connection. 1,000 tasks fanned out against a local gateway finished in
#: 7 s with 20, 10 s with 50 and 12 s with 100 (more connections, more work per request).
DEFAULT_MAX_CONNECTIONS = 20
#: The own pool drops a connection idle this long, before the common 5 s keep-alive of
#: uvicorn, Node.js and Apache gateways closes it (undici also uses 4 s). At equal times the
#: server's close can meet a reused connection's request: a create then reads "connection
#: reset" and is `TaskMayExistError`, although the gateway never read it.
DEFAULT_KEEPALIVE_EXPIRY = 4.0
#: 4 GiB: far above any R2V video, low enough to stop a runaway body.
DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024**3
#: A whole download (every attempt, retry and redirect) ends within an hour: a 4 GiB video
#: needs only ~1.2 MB/s for that; the stall rule below catches a dying transfer far sooner.
DEFAULT_DOWNLOAD_TIMEOUT = 3600.0
#: The stall rule (curl's --speed-limit/--speed-time): an attempt averaging below 1 KiB/s
#: over 30 s has stalled; it is retried (resumed where the server allows) like a broken one.
DEFAULT_DOWNLOAD_MIN_SPEED = 1024
DEFAULT_DOWNLOAD_STALL_TIME = 30.0


class DownloadLimits(Frozen):
    """How long a download may take: in all, and how slow an attempt may be before it has stalled."""

    __slots__ = ("min_speed", "stall_time", "timeout")
    #: Seconds for the whole download, retries included (None: no limit).
    timeout: float | None
    #: Bytes/s an attempt must average over `stall_time` (None or 0: no stall rule).
    min_speed: float | None
    stall_time: float

    def __init__(
        self,
        *,
        timeout: float | None = DEFAULT_DOWNLOAD_TIMEOUT,
        min_speed: float | None = DEFAULT_DOWNLOAD_MIN_SPEED,
        stall_time: float = DEFAULT_DOWNLOAD_STALL_TIME,
    ) -> None:
        set_field = field_setter(self)
        set_field("timeout", timeout)
        set_field("min_speed", min_speed)
        set_field("stall_time", stall_time)


_DEFAULT_DOWNLOAD = DownloadLimits()

TaskPath = Literal["videos", "video/generations"]
#: The query paths: the gateway's documented one first, then the family's variant.
TASK_PATHS: tuple[TaskPath, ...] = ("videos", "video/generations")


class Secret:
    """A string that never shows itself in repr, str or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one header that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class RetryPolicy(Frozen):
    """How often and how long to retry: capped exponential backoff with jitter."""

    __slots__ = ("initial_delay", "max_delay", "max_retries", "max_retry_after")
    max_retries: int
    initial_delay: float
    max_delay: float
    #: A Retry-After longer than this is not slept through: the error is raised instead.
    max_retry_after: float

    def __init__(
        self,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        set_field = field_setter(self)
        set_field("max_retries", max_retries)
        set_field("initial_delay", initial_delay)
        set_field("max_delay", max_delay)
        set_field("max_retry_after", max_retry_after)


class ClientConfig(Frozen):
    """Everything a client needs to build requests, resolved once at construction."""

    __slots__ = (
        "api_key",
        "base_url",
        "download",
        "keepalive_expiry",
        "max_connections",
        "max_download_bytes",
        "poll_interval",
        "presets",
        "retry",
        "strict",
        "task_path",
        "timeout",
        "turn_timeout",
    )
    api_key: Secret | None
    base_url: str | None
    timeout: httpx.Timeout | None  # None: the caller's own httpx client decides
    retry: RetryPolicy
    presets: Mapping[str, Preset]
    strict: bool
    poll_interval: float | None
    max_download_bytes: int | None
    task_path: TaskPath
    #: Requests in flight at once (None: no cap); also the size of a client's own pool.
    max_connections: int | None
    #: Seconds a connection of the own pool may stay idle and still be reused (None: forever).
    keepalive_expiry: float | None
    #: Seconds a request may wait for its turn among `max_connections` (None: until its turn
    #: comes, the default): the `pool` of an `httpx.Timeout` passed as ``timeout=``.
    turn_timeout: float | None
    #: The download's total time limit and stall rule.
    download: DownloadLimits

    def __init__(
        self,
        *,
        api_key: Secret | None,
        base_url: str | None,
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
        presets: Mapping[str, Preset],
        strict: bool,
        poll_interval: float | None,
        max_download_bytes: int | None,
        task_path: TaskPath,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        keepalive_expiry: float | None = DEFAULT_KEEPALIVE_EXPIRY,
        turn_timeout: float | None = None,
        download: DownloadLimits = _DEFAULT_DOWNLOAD,
    ) -> None:
        set_field = field_setter(self)
        set_field("api_key", api_key)
        set_field("base_url", base_url)
        set_field("timeout", timeout)
        set_field("retry", retry)
        set_field("presets", presets)
        set_field("strict", strict)
        set_field("poll_interval", poll_interval)
        set_field("max_download_bytes", max_download_bytes)
        set_field("task_path", task_path)
        set_field("max_connections", max_connections)
        set_field("keepalive_expiry", keepalive_expiry)
        set_field("turn_timeout", turn_timeout)
        set_field("download", download)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _base_url_problems(base_url: str, *, has_key: bool, allow_insecure_http: bool) -> list[Problem]:
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return [Problem("base_url", f"{base_url!r} is not a URL: {exc}")]
    if parts.scheme not in ("http", "https") or not host:
        return [
            Problem(
                "base_url", f"{base_url!r} must be an http(s) URL such as https://gateway.example"
            )
        ]
    problems: list[Problem] = []
    if parts.query or parts.fragment:
        problems.append(Problem("base_url", "must not carry a query or fragment"))
    if parts.path.rstrip("/").endswith("/v1"):
        problems.append(
            Problem(
                "base_url",
                f"give the host root without '/v1' (e.g. {parts.scheme}://{parts.netloc}); the paths add it",
            )
        )
    if parts.scheme == "http" and has_key and not allow_insecure_http and not _is_loopback(host):
        problems.append(
            Problem(
                "base_url",
                f"plain http to {host} would send the API key unencrypted; use https, "
                "or pass allow_insecure_http=True if you accept that",
            )
        )
    return problems


def _key_problems(key: object, *, from_env: bool) -> list[Problem]:
    """What keeps the key out of an HTTP header, named without showing the key."""
    where = f"api_key (from {API_KEY_ENV})" if from_env else "api_key"
    if not isinstance(key, str):
        return [Problem(where, f"must be a string, not {type(key).__name__}")]
    for position, char in enumerate(key, 1):
        if char.isascii() and char.isprintable():
            continue
        kind = "a non-ASCII" if not char.isascii() else "a control"
        return [
            Problem(
                where,
                f"holds {kind} character (U+{ord(char):04X}) at position {position} of "
                f"{len(key)}; an HTTP header cannot carry it. Copy the key again from the "
                "gateway's console",
            )
        ]
    return []


def resolve_timeout(
    timeout: float | httpx.Timeout | None, *, own_client: bool
) -> httpx.Timeout | None:
    """The timeout to apply: the given one, else the default (None keeps a passed-in client's own)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is not None:
        return httpx.Timeout(
            float(timeout), connect=min(float(timeout), DEFAULT_TIMEOUT.connect or 10.0)
        )
    return DEFAULT_TIMEOUT if own_client else None


def turn_timeout_of(timeout: float | httpx.Timeout | None) -> float | None:
    """How long a request waits for a turn in the client: an explicit ``httpx.Timeout``'s pool, else no limit.

    A number (``timeout=30``) bounds each request once it has its turn, not its wait for one:
    every request holding a turn ends within its own limits, so the queue always drains.
    """
    return timeout.pool if isinstance(timeout, httpx.Timeout) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _download_limit_problems(
    timeout: float | None, min_speed: float | None, stall_time: float
) -> list[Problem]:
    problems = []
    if timeout is not None and not (_is_number(timeout) and timeout > 0):
        problems.append(
            Problem(
                "download_timeout",
                f"must be a positive number of seconds, or None, not {timeout!r}",
            )
        )
    if min_speed is not None and not (_is_number(min_speed) and min_speed >= 0):
        problems.append(
            Problem(
                "download_min_speed",
                f"must be bytes per second (0 or None: no stall rule), not {min_speed!r}",
            )
        )
    if not (_is_number(stall_time) and stall_time > 0):
        problems.append(
            Problem(
                "download_stall_time", f"must be a positive number of seconds, not {stall_time!r}"
            )
        )
    return problems


def make_config(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | None,
    own_client: bool,
    max_retries: int,
    presets: Mapping[str, Preset] = PRESETS,
    strict: bool = True,
    poll_interval: float | None = None,
    max_download_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
    task_path: TaskPath = "videos",
    allow_insecure_http: bool = False,
    max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
    keepalive_expiry: float | None = DEFAULT_KEEPALIVE_EXPIRY,
    download_timeout: float | None = DEFAULT_DOWNLOAD_TIMEOUT,
    download_min_speed: float | None = DEFAULT_DOWNLOAD_MIN_SPEED,
    download_stall_time: float = DEFAULT_DOWNLOAD_STALL_TIME,
) -> ClientConfig:
    """Resolve arguments and environment into a `ClientConfig`; `ValidationError` lists what is wrong."""
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    key = key.strip() or None if isinstance(key, str) else key  # a .env line's "\n" or spaces
    url = base_url if base_url is not None else os.environ.get(BASE_URL_ENV) or None
    problems: list[Problem] = []
    if key is not None:
        problems += _key_problems(key, from_env=api_key is None)
    if url is not None:
        url = url.strip().rstrip("/")
        problems += _base_url_problems(
            url, has_key=bool(key), allow_insecure_http=allow_insecure_http
        )
    if max_retries < 0:
        problems.append(Problem("max_retries", f"must be 0 or more, not {max_retries}"))
    if poll_interval is not None and not poll_interval > 0:
        problems.append(
            Problem("poll_interval", f"must be a positive number of seconds, not {poll_interval}")
        )
    if max_download_bytes is not None and max_download_bytes <= 0:
        problems.append(Problem("max_download_bytes", "must be positive, or None for no limit"))
    problems += _download_limit_problems(download_timeout, download_min_speed, download_stall_time)
    if max_connections is not None and (
        not isinstance(max_connections, int)
        or isinstance(max_connections, bool)
        or max_connections < 1
    ):
        problems.append(
            Problem(
                "max_connections",
                f"must be a whole number of 1 or more, or None for no cap, not {max_connections!r}",
            )
        )
    if keepalive_expiry is not None and not (
        _is_number(keepalive_expiry) and keepalive_expiry >= 0
    ):
        problems.append(
            Problem(
                "keepalive_expiry",
                "must be seconds (below the gateway's keep-alive timeout; 0: no reuse), "
                f"or None to reuse idle connections forever, not {keepalive_expiry!r}",
            )
        )
    if task_path not in TASK_PATHS:
        problems.append(
            Problem("task_path", f"{task_path!r} is not one of: {', '.join(TASK_PATHS)}")
        )
    if problems:
        raise ValidationError(problems)
    return ClientConfig(
        api_key=Secret(key) if key else None,
        base_url=url,
        timeout=resolve_timeout(timeout, own_client=own_client),
        retry=RetryPolicy(max_retries=max_retries),
        presets=presets,
        strict=strict,
        poll_interval=poll_interval,
        max_download_bytes=max_download_bytes,
        task_path=task_path,
        max_connections=max_connections,
        keepalive_expiry=keepalive_expiry,
        turn_timeout=turn_timeout_of(timeout),
        download=DownloadLimits(
            timeout=download_timeout, min_speed=download_min_speed, stall_time=download_stall_time
        ),
    )
