"""Fault injection: what can go wrong, the text grammar that names it, and the rules that pick it.

Grammar (the ``X-Sandbox-Fault`` header, ``--fault`` on the command line, the
``faults=`` option and ``Sandbox.faults.add``)::

    faults := fault ("," fault)*
    fault  := kind (";" key "=" value)*

Common keys: ``route`` (``create``, ``query``, ``download``, ``content`` = the
gateway's download proxy, ``api`` = create or query, ``any``), ``count`` (alias ``times``: act on the first N matching
requests, then stop; default: always), ``after`` (let the first N matching
requests through first) and ``every`` (act on every Nth matching request only,
e.g. ``every=20`` for 5%). Values are URL-decoded (``message=rate%20limited``).
See `KINDS` for each kind and its own keys.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal
from urllib.parse import quote, unquote

import attrs

__all__ = [
    "ANSWER_KINDS",
    "KINDS",
    "ROUTES",
    "Fault",
    "FaultRule",
    "FaultSet",
    "Route",
    "parse_faults",
]

#: ``content`` is the gateway's download proxy, ``GET /v1/videos/{task_id}/content``.
Route = Literal["create", "query", "download", "content"]
RouteFilter = Literal["create", "query", "download", "content", "api", "any"]
ROUTES: tuple[RouteFilter, ...] = ("create", "query", "download", "content", "api", "any")
_ALL_ROUTES: frozenset[Route] = frozenset({"create", "query", "download", "content"})
_COMMON_KEYS = frozenset({"route", "count", "times", "after", "every"})
#: Keys whose values are numbers.
_NUMBER_KEYS = frozenset({"retry_after", "at", "factor", "seconds", "bytes"})


@attrs.frozen
class _Kind:
    """What a fault kind does, where it can act and which keys it takes."""

    summary: str
    routes: frozenset[Route]
    keys: frozenset[str]
    default_route: RouteFilter = "any"


_STATUS = _Kind(
    "answer with this HTTP status and the gateway's error JSON",
    _ALL_ROUTES,
    frozenset({"retry_after", "message", "code"}),
)

#: Every fault kind by name; any other three-digit status (e.g. ``520``) works like ``500``.
KINDS: Mapping[str, _Kind] = {
    "failed": _Kind(
        "the task fails (error.code/message) after `at` of its time (default 0.5)",
        frozenset({"create"}),
        frozenset({"code", "message", "at"}),
    ),
    "slow": _Kind(
        "the task takes `factor` times longer (default 10), or `seconds` in all",
        frozenset({"create"}),
        frozenset({"factor", "seconds"}),
    ),
    "429": _Kind(
        "429 rate limit with Retry-After (`retry_after`, default 1)",
        _ALL_ROUTES,
        _STATUS.keys,
    ),
    "500": _STATUS,
    "502": _STATUS,
    "503": _Kind(
        "503 with Retry-After (`retry_after`, default 1)",
        _ALL_ROUTES,
        _STATUS.keys,
    ),
    "reset": _Kind(
        "close the connection without answering (TCP reset)",
        _ALL_ROUTES,
        frozenset(),
    ),
    "truncate": _Kind(
        "send the headers with the full Content-Length, then `bytes` of the body "
        "(default half) and close",
        _ALL_ROUTES,
        frozenset({"bytes"}),
        default_route="download",
    ),
    "trickle": _Kind(
        "send the body in `chunk`-byte pieces (default 4096) `interval` seconds apart "
        "(default 0.05); with truncate, the part before the cut trickles",
        _ALL_ROUTES,
        frozenset({"chunk", "interval"}),
        default_route="download",
    ),
    "endless": _Kind(
        "answer 200 video/mp4 without a Content-Length and send `chunk`-byte pieces "
        "(default 65536) until the client goes away",
        frozenset({"download", "content"}),
        frozenset({"chunk"}),
        default_route="download",
    ),
    "no_ranges": _Kind(
        "serve the result like a server without byte ranges: no Accept-Ranges, no ETag, "
        "Range ignored",
        frozenset({"download", "content"}),
        frozenset(),
        default_route="download",
    ),
    "hang": _Kind(
        "answer nothing until the client gives up (closed after `seconds`, default 60)",
        _ALL_ROUTES,
        frozenset({"seconds"}),
    ),
    "delay": _Kind(
        "answer normally after `seconds` (default 1)",
        _ALL_ROUTES,
        frozenset({"seconds"}),
    ),
    "expired": _Kind(
        "the result URL has expired: on create, every URL of the task is issued "
        "expired; on download, answer 403",
        frozenset({"create", "download"}),
        frozenset(),
    ),
    "unknown_status": _Kind(
        "the task's status reads `word` (default 'mystery') while it runs; with "
        "final=1 it also ends on that word (raw UNKNOWN) and never completes",
        frozenset({"create", "query"}),
        frozenset({"word", "final"}),
    ),
    "dialect": _Kind(
        "answer in another gateway's dialect: {code,message,data} envelope (envelope=0: "
        "none), upper-case words, progress '30%', URL under `url`=result_url|metadata, "
        "flat errors {code,message,data:null}",
        frozenset({"create", "query"}),
        frozenset({"envelope", "url"}),
    ),
    "malformed": _Kind(
        "answer `status` (default 200) with a JSON body cut in the middle",
        _ALL_ROUTES,
        frozenset({"status"}),
    ),
    "html": _Kind(
        "answer `status` (default 502) with an HTML error page",
        _ALL_ROUTES,
        frozenset({"status"}),
    ),
    "empty": _Kind(
        "answer `status` (default 200) with an empty body",
        _ALL_ROUTES,
        frozenset({"status"}),
    ),
}

#: Kinds that replace the normal answer (at most one acts on a request).
ANSWER_KINDS = frozenset(
    {"reset", "truncate", "hang", "delay", "malformed", "html", "empty", "endless"}
) | frozenset(k for k in KINDS if k.isdigit())


def _kind(name: str) -> _Kind:
    if name in KINDS:
        return KINDS[name]
    if len(name) == 3 and name.isdigit() and 400 <= int(name) <= 599:
        return _STATUS
    known = ", ".join(KINDS)
    raise ValueError(f"unknown fault {name!r}; use one of: {known}, or any status 400..599")


def is_status(kind: str) -> bool:
    """Whether a fault kind is an HTTP status (``429``, ``503``, ``520``...)."""
    return kind.isdigit()


def _str_dict(value: Mapping[str, str]) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()}


@attrs.frozen
class Fault:
    """One fault: its kind and its own parameters (strings, as written)."""

    kind: str
    params: Mapping[str, str] = attrs.field(factory=dict, converter=_str_dict)

    def __attrs_post_init__(self) -> None:
        spec = _kind(self.kind)
        unknown = set(self.params) - spec.keys
        if unknown:
            allowed = ", ".join(sorted(spec.keys)) or "none"
            raise ValueError(
                f"fault {self.kind!r} takes no {', '.join(sorted(unknown))}; its keys: {allowed}"
            )
        for key, value in self.params.items():
            if key in _NUMBER_KEYS and not (key == "retry_after" and value.lower() in ("", "none")):
                number = self.number(key, 0)
                if number < 0 or number != number:
                    raise ValueError(f"fault {self.kind!r}: {key}={value!r} must not be negative")
        status = self.params.get("status")
        if status is not None and not (status.isdigit() and 100 <= int(status) <= 599):
            raise ValueError(f"fault {self.kind!r}: status={status!r} is not an HTTP status")
        if not 0 <= self.number("at", 0) <= 1:
            raise ValueError(f"fault {self.kind!r}: at={self.params['at']!r} is not in 0..1")
        if self.params.get("url", "result_url") not in ("result_url", "metadata"):
            raise ValueError(f"fault {self.kind!r}: url= takes result_url or metadata")

    def number(self, key: str, default: float) -> float:
        """A parameter as a number, or ``default`` when absent."""
        value = self.params.get(key)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"fault {self.kind!r}: {key}={value!r} is not a number") from None

    def flag(self, key: str) -> bool:
        """A parameter as a yes/no flag (``1``, ``true``, ``yes`` are yes)."""
        return self.params.get(key, "").lower() in ("1", "true", "yes", "on")

    def text(self) -> str:
        """The fault in the header grammar, e.g. ``429;retry_after=1``."""
        parts = [self.kind, *(f"{k}={quote(v, safe='')}" for k, v in sorted(self.params.items()))]
        return ";".join(parts)


def _count(value: str | int | None, key: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{key}={value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{key}={number} must not be negative")
    return number


@attrs.define(eq=False)
class FaultRule:
    """A fault with where and how often it acts; counts what it matched and did."""

    fault: Fault
    route: RouteFilter = "any"
    #: Act on this many matching requests, then stop (None: always).
    times: int | None = None
    #: Let this many matching requests through before acting.
    after: int = 0
    #: Matching requests seen so far.
    seen: int = 0
    #: Requests it acted on so far.
    hits: int = 0
    #: Act on every Nth matching request (after `after`), let the others through.
    every: int = 1

    def __attrs_post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(f"route={self.route!r}; use one of: {', '.join(ROUTES)}")
        if self.every < 1:
            raise ValueError(f"every={self.every} must be 1 or more")

    def applies_to(self, route: Route) -> bool:
        """Whether this rule can act on a request of this route."""
        if route not in _kind(self.fault.kind).routes:
            return False
        if self.route == "any":
            return True
        if self.route == "api":
            return route in ("create", "query")
        return self.route == route

    @property
    def exhausted(self) -> bool:
        """Whether the rule has acted as often as it may."""
        return self.times is not None and self.hits >= self.times

    def take(self, route: Route) -> bool:
        """Count a request of ``route``; True when the fault acts on it."""
        if not self.applies_to(route) or self.exhausted:
            return False
        self.seen += 1
        if self.seen <= self.after or (self.seen - self.after) % self.every:
            return False
        self.hits += 1
        return True

    def fresh(self) -> FaultRule:
        """The same rule with its counters at zero."""
        return FaultRule(self.fault, self.route, self.times, self.after, every=self.every)

    def text(self) -> str:
        """The rule in the header grammar."""
        extra = (
            [f"route={self.route}"] if self.route != _kind(self.fault.kind).default_route else []
        )
        if self.times is not None:
            extra.append(f"count={self.times}")
        if self.after:
            extra.append(f"after={self.after}")
        if self.every != 1:
            extra.append(f"every={self.every}")
        return ";".join([self.fault.text(), *extra])


def make_rule(
    kind: str,
    *,
    route: str | None = None,
    times: int | str | None = None,
    after: int | str | None = None,
    every: int | str | None = None,
    params: Mapping[str, object] | None = None,
) -> FaultRule:
    """A rule from its parts; ValueError names what is wrong."""
    kind = kind.strip().lower()
    spec = _kind(kind)
    fault = Fault(kind, {k: str(v) for k, v in (params or {}).items()})
    chosen = route or spec.default_route
    if chosen not in ROUTES:
        raise ValueError(f"route={chosen!r}; use one of: {', '.join(ROUTES)}")
    return FaultRule(
        fault,
        route=chosen,
        times=_count(times, "count"),
        after=_count(after, "after") or 0,
        every=1 if every is None or every == "" else _count(every, "every") or 0,
    )


def parse_faults(text: str) -> list[FaultRule]:
    """Rules from the grammar, e.g. ``"429;count=2;retry_after=0, dialect;url=metadata"``."""
    rules = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        kind, *pairs = (p.strip() for p in chunk.split(";"))
        common: dict[str, str] = {}
        params: dict[str, str] = {}
        for pair in pairs:
            if not pair:
                continue
            key, sep, value = pair.partition("=")
            key = key.strip().lower()
            if not sep or not key:
                raise ValueError(f"{pair!r} in fault {chunk!r} is not key=value")
            (common if key in _COMMON_KEYS else params)[key] = unquote(value.strip())
        times = common.get("count", common.get("times"))
        rules.append(
            make_rule(
                kind,
                route=common.get("route"),
                times=times,
                after=common.get("after"),
                every=common.get("every"),
                params=params,
            )
        )
    return rules


FaultInput = str | FaultRule


class FaultSet:
    """The rules of one sandbox, in order; thread-safe. ``sandbox.faults`` is one of these."""

    def __init__(self, base: Iterable[FaultInput] = ()) -> None:
        self._lock = threading.Lock()
        self._base = _rules(base)
        self._rules = [r.fresh() for r in self._base]
        self._header_counts: dict[str, FaultRule] = {}

    def add(
        self,
        fault: str,
        *,
        route: str | None = None,
        times: int | None = None,
        after: int | None = None,
        every: int | None = None,
        **params: object,
    ) -> FaultRule:
        """Add a rule, e.g. ``add("503", route="create", times=1)`` or ``add("429;count=2")``.

        ``fault`` is a kind or one fault in the grammar; keyword arguments
        override what the text says.
        """
        parsed = parse_faults(fault)
        if len(parsed) != 1:
            raise ValueError(f"add() takes one fault, got {len(parsed)} in {fault!r}")
        (rule,) = parsed
        merged = {**rule.fault.params, **{k: str(v) for k, v in params.items()}}
        rule = make_rule(
            rule.fault.kind,
            route=route or rule.route,
            times=times if times is not None else rule.times,
            after=after if after is not None else rule.after,
            every=every if every is not None else rule.every,
            params=merged,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def extend(self, faults: Iterable[FaultInput]) -> list[FaultRule]:
        """Add several rules (texts in the grammar or `FaultRule` objects)."""
        rules = _rules(faults)
        with self._lock:
            self._rules.extend(rules)
        return rules

    def remove(self, rule: FaultRule) -> None:
        """Remove one rule."""
        with self._lock:
            self._rules.remove(rule)

    def clear(self) -> None:
        """Remove every rule (the server's own ones too, until `reset`)."""
        with self._lock:
            self._rules.clear()
            self._header_counts.clear()

    def reset(self, base: Iterable[FaultInput] | None = None) -> None:
        """Back to the server's own rules (or new ones), all counters at zero."""
        with self._lock:
            if base is not None:
                self._base = _rules(base)
            self._rules = [r.fresh() for r in self._base]
            self._header_counts.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A copy of the rules, in the order they are tried."""
        with self._lock:
            return list(self._rules)

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        with self._lock:
            return len(self._rules)

    def select(self, route: Route, header: str | None = None) -> list[Fault]:
        """The faults acting on one request: rules first, then the request's header.

        At most one fault that replaces the answer (a status, reset, hang, ...)
        is taken; a rule whose answer fault is not taken keeps its count.
        Raises ValueError when the header does not follow the grammar.
        """
        header_rules = parse_faults(header) if header else []
        chosen: list[Fault] = []
        with self._lock:
            candidates = list(self._rules)
            for rule in header_rules:
                # A header's counters live as long as the server state: the
                # same header text on later requests continues the count.
                candidates.append(self._header_counts.setdefault(rule.text(), rule))
            answered = False
            for rule in candidates:
                is_answer = rule.fault.kind in ANSWER_KINDS or is_status(rule.fault.kind)
                if is_answer and answered:
                    continue
                if rule.take(route):
                    chosen.append(rule.fault)
                    answered = answered or is_answer
        return chosen


def _rules(items: Iterable[FaultInput]) -> list[FaultRule]:
    rules: list[FaultRule] = []
    for item in items:
        if isinstance(item, FaultRule):
            rules.append(item.fresh())
        else:
            rules.extend(parse_faults(item))
    return rules
