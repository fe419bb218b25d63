"""Plan a download without doing it: the URL, which headers, where to, and which answers to accept.

The API key goes only to the gateway's own origin (scheme, host and port all
equal); redirects are followed hop by hop under the same rule. A body that
breaks off is resumed with ``Range`` + ``If-Range`` when the server takes
ranges and names the file with a strong ETag (or Last-Modified); otherwise the
next attempt starts over. Nothing here touches a file: the shells stream into
a temporary file as a `BodyPlan` says and report an `Interrupted` body back.
"""

from __future__ import annotations

import os
import re
import struct
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import httpx

from .._config import ClientConfig
from .._frozen import Frozen, field_setter
from ..errors import APIConnectionError, APITimeoutError, DownloadError, ResultExpiredError
from ._answers import Exchange, error_for_status, error_for_transport
from ._requests import RequestSpec, gateway_headers

__all__ = [
    "MAX_REDIRECTS",
    "BodyPlan",
    "BoxWalk",
    "Interrupted",
    "Pace",
    "PartialFile",
    "Redirect",
    "Resume",
    "Target",
    "TooSlow",
    "download_request",
    "plan_body",
    "read_download",
    "resolve_video_url",
    "resume_point",
    "safe_filename",
    "same_origin",
    "target_of",
]

MAX_REDIRECTS = 5
_EXPIRED_STATUSES = (403, 404, 410)
#: Content-Types a video may come with; any other (text/*, JSON, XML, images, audio, ...)
#: is refused before a byte is written. No Content-Type at all is let through to the
#: first-bytes check (an MP4/MOV begins with an ``ftyp`` box).
_VIDEO_TYPES = frozenset(
    {
        "application/mp4",
        "application/octet-stream",
        "binary/octet-stream",  # S3's default
        "application/download",
        "application/force-download",
        "application/x-download",
    }
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_CONTENT_RANGE = re.compile(
    r"bytes\s+(?P<first>\d+)-(?P<last>\d+)/(?P<total>\d+|\*)", re.IGNORECASE
)


class Target(Frozen):
    """Where a download goes: a file, or a folder that gets ``<task id>.mp4``."""

    __slots__ = ("folder", "path")
    path: Path
    #: Written as a folder (a trailing separator, as in ``out/``): a folder even when it does
    #: not exist yet (it is then created). An existing folder is a folder either way.
    folder: bool

    def __init__(self, path: Path, folder: bool = False) -> None:
        set_field = field_setter(self)
        set_field("path", path)
        set_field("folder", folder)


def target_of(path: str | os.PathLike[str]) -> Target:
    """The `Target` a user means by `path`: ``out/`` (trailing separator) is a folder; ``~`` expanded."""
    text = os.fspath(path)
    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return Target(Path(os.path.expanduser(text)), folder=text.endswith(separators))


class Redirect(Frozen):
    """A download hop answered 3xx: go on at `url`."""

    __slots__ = ("url",)
    url: str

    def __init__(self, url: str) -> None:
        set_field = field_setter(self)
        set_field("url", url)


class Resume(Frozen):
    """Where an interrupted download stands: bytes kept, and what proves the file unchanged."""

    __slots__ = ("offset", "total", "validator")
    offset: int
    #: A strong ETag or a Last-Modified date, sent back as ``If-Range``.
    validator: str
    #: The whole file's size, when the server said it.
    total: int | None

    def __init__(self, offset: int, validator: str, total: int | None = None) -> None:
        set_field = field_setter(self)
        set_field("offset", offset)
        set_field("validator", validator)
        set_field("total", total)


class BodyPlan(Frozen):
    """How to store one answer's body: at which offset, how long it must be, how to resume it."""

    __slots__ = ("encoded", "length", "offset", "total", "validator")
    #: 0 for a whole file (200); the resume offset for the rest of one (206).
    offset: int
    #: This answer's Content-Length, when given.
    length: int | None
    #: The whole file's size, when known.
    total: int | None
    #: What a later ``If-Range`` may send, or None when this body cannot be resumed.
    validator: str | None
    #: The body comes with a Content-Encoding (gzip...): `length` counts the encoded bytes,
    #: the file gets the decoded ones, and nothing can be resumed (ranges count encoded bytes).
    encoded: bool

    def __init__(
        self,
        offset: int,
        length: int | None,
        total: int | None,
        validator: str | None,
        encoded: bool = False,
    ) -> None:
        set_field = field_setter(self)
        set_field("offset", offset)
        set_field("length", length)
        set_field("total", total)
        set_field("validator", validator)
        set_field("encoded", encoded)


class PartialFile(Protocol):
    """The shell's temporary file that a resumed download goes on writing (opaque to the core)."""

    def discard(self) -> None:
        """Remove the temporary file."""


class Interrupted(Frozen):
    """A body that broke off or came up short; the part kept when it can be resumed."""

    __slots__ = ("error", "expected", "part", "received", "resume", "why")
    _uncompared = frozenset({"part", "error"})
    received: int
    expected: int | None
    resume: Resume | None
    part: PartialFile | None
    error: httpx.TransportError | None
    #: Why the body is not a whole video although the transport said nothing (e.g. cut inside a box).
    why: str | None

    def __init__(
        self,
        received: int,
        expected: int | None,
        resume: Resume | None,
        part: PartialFile | None = None,
        error: httpx.TransportError | None = None,
        why: str | None = None,
    ) -> None:
        set_field = field_setter(self)
        set_field("received", received)
        set_field("expected", expected)
        set_field("resume", resume)
        set_field("part", part)
        set_field("error", error)
        set_field("why", why)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (default ports filled in)."""
    try:
        return _origin(httpx.URL(url)) == _origin(httpx.URL(other))
    except (httpx.InvalidURL, ValueError):
        return False


def resolve_video_url(video_url: str, base_url: str | None) -> str:
    """An absolute http(s) URL for a result (a relative one is the gateway's); `DownloadError` otherwise."""
    try:
        url = httpx.URL(video_url)
        if url.is_relative_url and base_url is not None:
            url = httpx.URL(base_url).join(video_url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise DownloadError(f"the result URL {video_url!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise DownloadError(
            f"the result URL {video_url!r} is not an absolute http(s) URL; nothing was downloaded"
        )
    return str(url)


def download_request(
    url: str,
    config: ClientConfig,
    *,
    user_agent: str,
    timeout: httpx.Timeout,
    resume: Resume | None = None,
    budget: float | None = None,
) -> RequestSpec:
    """A GET for a result URL: Authorization only on the gateway's own origin; a Range to resume.

    `budget`: the download's time left (its wait for a turn in the client ends within it).
    """
    # identity, as curl asks: the file is the bytes as stored, and ranges count those bytes.
    # One connection per attempt: a server whose body ran past its Content-Length leaves
    # the rest in the connection, where the next request would read it as its answer.
    plain = {"Accept": "*/*", "Accept-Encoding": "identity", "Connection": "close"}
    headers = {"User-Agent": user_agent, **plain}
    if (
        config.base_url is not None
        and config.api_key is not None
        and same_origin(url, config.base_url)
    ):
        headers = {**gateway_headers(config.api_key.reveal(), user_agent), **plain}
    if resume is not None:
        headers["Range"] = f"bytes={resume.offset}-"
        headers["If-Range"] = resume.validator
    return RequestSpec(method="GET", url=url, headers=headers, timeout=timeout, budget=budget)


def safe_filename(task_id: str, suffix: str = ".mp4") -> str:
    """A file name from a task id that cannot climb out of its folder."""
    name = _UNSAFE_NAME.sub("_", task_id).strip("._") or "video"
    return name[:200] + suffix


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def _content_range(headers: httpx.Headers) -> tuple[int, int, int | None] | None:
    """(first, last, total) of ``Content-Range: bytes first-last/total`` (total None for ``*``)."""
    match = _CONTENT_RANGE.fullmatch(headers.get("content-range", "").strip())
    if match is None:
        return None
    total = match["total"]
    return int(match["first"]), int(match["last"]), None if total == "*" else int(total)


def _validator(status_code: int, headers: httpx.Headers) -> str | None:
    """What ``If-Range`` may send back: only when the server takes byte ranges."""
    takes_ranges = status_code == 206 or headers.get("accept-ranges", "").strip().lower() == "bytes"
    if not takes_ranges:
        return None
    etag: str = headers.get("etag", "").strip()
    if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
        return etag
    modified: str = headers.get("last-modified", "").strip()
    return modified or None


def _content_type(headers: httpx.Headers) -> str:
    return str(headers.get("content-type", "")).split(";")[0].strip().lower()


def _head_problem(
    status_code: int, headers: httpx.Headers, size: int | None, max_bytes: int | None
) -> DownloadError | None:
    """Why a 200/206 answer cannot be (the rest of) the video, or None."""
    content_type = _content_type(headers)
    if content_type and not content_type.startswith("video/") and content_type not in _VIDEO_TYPES:
        return DownloadError(
            f"the result URL answered with {content_type[:80]!r}, not a video (it may have expired: "
            "query the task again for a fresh URL); nothing was written",
            status_code=status_code,
        )
    if status_code == 200 and size == 0:
        return DownloadError(
            "the result URL answered with an empty body, not a video; nothing was written",
            status_code=status_code,
        )
    if max_bytes is not None and size is not None and size > max_bytes:
        return DownloadError(
            f"the video is {size} bytes, more than max_download_bytes={max_bytes}; "
            "raise the limit to download it; nothing was written",
            status_code=status_code,
        )
    return None


def _range_fits(headers: httpx.Headers, resume: Resume) -> tuple[int, int | None] | None:
    """(length, total) of a 206 that carries exactly the rest asked for, else None."""
    content_range = _content_range(headers)
    if content_range is None:
        return None
    first, last, total = content_range
    if first != resume.offset or last < first:
        return None
    if total is not None and (last + 1 > total or resume.total not in (None, total)):
        return None
    return last - first + 1, total if total is not None else resume.total


def plan_body(
    status_code: int, headers: httpx.Headers, *, max_bytes: int | None, resume: Resume | None
) -> BodyPlan | None:
    """How to store this answer's body, or None when it is not the video (the flow says why)."""
    length = _number(headers.get("content-length"))
    encoding = str(headers.get("content-encoding", "")).strip().lower()
    encoded = encoding not in ("", "identity")
    if status_code == 200:
        if _head_problem(status_code, headers, None if encoded else length, max_bytes) is not None:
            return None
        if encoded:
            return BodyPlan(0, length, None, None, encoded=True)
        return BodyPlan(0, length, length, _validator(status_code, headers))
    if status_code != 206 or resume is None or encoded:
        return None
    fits = _range_fits(headers, resume)
    if fits is None:
        return None
    range_length, total = fits
    if _head_problem(status_code, headers, total, max_bytes) is not None:
        return None
    return BodyPlan(resume.offset, length or range_length, total, resume.validator)


def resume_point(plan: BodyPlan, size: int) -> Resume | None:
    """Where to go on after a body stopped at `size` bytes, or None: start over."""
    if plan.validator is None or size <= 0 or (plan.total is not None and size >= plan.total):
        return None
    return Resume(size, plan.validator, plan.total)


class TooSlow(httpx.ReadTimeout):
    """An attempt ended by `Pace`: it stalled, or the download ran past its time limit.

    A read timeout to the flows (retried and resumed as one), with `Pace`'s reason as its text.
    """


class Pace:
    """One download attempt's clocks: the whole download's deadline and the stall rule (pure).

    The stall rule is curl's ``--speed-limit``/``--speed-time``: an attempt whose
    bytes came in slower than `min_speed` bytes/s on average over the last
    `stall_time` seconds has stalled. The window starts when the request is
    sent. `feed` is called with each chunk and says why the attempt must end
    (or None); a silent server is bounded by the read timeout, which the flow
    clips to `stall_time` and to the deadline.
    """

    __slots__ = ("_clock", "_deadline", "_min_speed", "_received", "_samples", "_step", "_window")

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        deadline: float | None,
        min_speed: float | None,
        stall_time: float,
    ) -> None:
        self._clock = clock
        self._deadline = deadline
        self._min_speed = min_speed or 0.0
        self._window = stall_time
        self._step = stall_time / 16  # samples kept: at most ~17, whatever the chunk rate
        self._received = 0
        self._samples: deque[tuple[float, int]] = deque([(clock(), 0)])

    def feed(self, size: int) -> str | None:
        """Count `size` more bytes; why the attempt must end now, or None."""
        now = self._clock()
        self._received += size
        if self._deadline is not None and now >= self._deadline:
            return "the download ran past its time limit (download_timeout)"
        if not self._min_speed:
            return None
        samples = self._samples
        if now - samples[-1][0] >= self._step:
            samples.append((now, self._received))
        while len(samples) > 1 and samples[1][0] <= now - self._window:
            samples.popleft()
        since, then = samples[0]
        span = now - since
        if span >= self._window and self._received - then < self._min_speed * span:
            return (
                f"the body stalled: below {self._min_speed:g} bytes/s for {self._window:g} s "
                "(download_min_speed, download_stall_time)"
            )
        return None


class BoxWalk:
    """Checks, as the bytes stream by, that a body is an MP4/MOV file and that it is whole (pure).

    An ISO media file is a run of top-level boxes (32-bit size, 4-byte type;
    size 1: a 64-bit size follows; size 0: to the end), the first an ``ftyp``.
    `feed` refuses a body whose first box is not ``ftyp`` (an HTML page, JSON,
    another format) at its first bytes; `end_problem` refuses a body that ends
    inside a box: the file is cut short even if the transport's length agreed
    (a ``Content-Length`` smaller than the file, on a real socket, does so),
    or that has no ``moov`` box (cut at a box boundary before it). Fewer than
    8 stray bytes after the last box are tolerated.
    """

    __slots__ = ("_head", "_kind", "_moov", "_next", "_to_end", "boxes", "offset")

    def __init__(self) -> None:
        #: Bytes seen so far.
        self.offset = 0
        #: Whole top-level box headers read.
        self.boxes = 0
        self._next = 0  # where the next top-level box begins
        self._head = b""  # the header of that box, as far as it has arrived
        self._kind = b""
        self._to_end = False  # the last box runs to the end of the file (size 0)
        self._moov = False  # the movie box, without which no player opens the file

    def feed(self, chunk: bytes) -> str | None:
        """Walk over `chunk`; why the body is not an MP4/MOV, or None.

        `_head` holds the bytes from `_next` on (at most 16) that arrived so far:
        when a feed ends, either the next box begins past the bytes seen, or
        `_head` holds every byte from it to the end of what was seen.
        """
        start = self.offset
        self.offset += len(chunk)
        while not self._to_end and self._next < self.offset:
            held = self._next + len(self._head)  # where the bytes `_head` lacks begin
            if len(self._head) < 16 and held < self.offset:
                at = max(0, held - start)
                self._head += chunk[at : at + 16 - len(self._head)]
            if len(self._head) < 8:
                return None
            size, kind = struct.unpack(">I4s", self._head[:8])
            if self.boxes == 0 and kind != b"ftyp":
                return "its first bytes are not an MP4/MOV file (no 'ftyp' box)"
            header = 8
            if size == 1:  # a 64-bit size follows
                if len(self._head) < 16:
                    return None
                (size,) = struct.unpack(">Q", self._head[8:16])
                header = 16
            self.boxes += 1
            self._kind = kind
            self._moov = self._moov or kind == b"moov"
            if size == 0:
                self._to_end = True
                return None
            if size < header:
                return f"its box {kind!r} at byte {self._next} has an impossible size ({size})"
            self._next += size
            self._head = self._head[size:]
        return None

    def end_problem(self) -> str | None:
        """At the end of the body: why it is not a whole MP4/MOV, or None."""
        if self.boxes == 0:
            return f"its {self.offset} bytes are not an MP4/MOV file"
        if not self._to_end and self._next > self.offset:
            return (
                f"it ends inside its {self._kind.decode('latin-1')!r} box, at byte {self.offset} "
                f"of {self._next}: the file is cut short"
            )
        if not self._moov:
            return f"it has no 'moov' box (the file is cut short after {self.offset} bytes)"
        return None


def read_download(
    outcome: Path | Interrupted | Exchange | httpx.TransportError,
    url: str,
    *,
    resume: Resume | None = None,
    max_bytes: int | None = None,
    secret: str | None = None,
) -> Path | Redirect:
    """The saved file, the next hop, or the typed error a download answer means."""
    if isinstance(outcome, Path):
        return outcome
    if isinstance(outcome, Interrupted):
        of = f" of {outcome.expected}" if outcome.expected is not None else ""
        if outcome.why is not None:
            raise APIConnectionError(f"the result's body is not a whole video: {outcome.why}")
        if isinstance(outcome.error, TooSlow):
            raise APITimeoutError(f"{outcome.error} after {outcome.received}{of} bytes")
        how = f" ({type(outcome.error).__name__})" if outcome.error is not None else ""
        raise APIConnectionError(
            f"the result's body broke off after {outcome.received}{of} bytes{how}"
        )
    if isinstance(outcome, httpx.TransportError):
        raise error_for_transport(outcome, secret=secret, what="the result's server") from None
    status = outcome.status_code
    location = outcome.headers.get("location")
    if 300 <= status < 400 and location:
        try:
            return Redirect(str(httpx.URL(url).join(location)))
        except (httpx.InvalidURL, ValueError):
            raise DownloadError(
                f"the result URL redirected to {location!r}, which is not an http(s) URL; "
                "nothing was written",
                status_code=status,
            ) from None
    if status in _EXPIRED_STATUSES:
        raise ResultExpiredError(
            f"the result URL answered {status}: it has probably expired; query the task again for a fresh URL",
            status_code=status,
        )
    if status in (200, 206):
        content_range = _content_range(outcome.headers)
        size = content_range[2] if status == 206 and content_range else None
        if status == 200:
            size = _number(outcome.headers.get("content-length"))
        problem = _head_problem(status, outcome.headers, size, max_bytes)
        if problem is not None:
            raise problem
        asked = f"bytes {resume.offset}-" if resume is not None else "the whole file"
        raise DownloadError(
            f"the result URL answered {status} with a range that does not fit {asked}; "
            "nothing was written",
            status_code=status,
        )
    if status == 416:
        raise DownloadError(
            "the result URL refused the range of an interrupted download (416): the file "
            "changed on the server; download it again; nothing was written",
            status_code=status,
        )
    error = error_for_status(outcome, secret=secret)
    if status in (408, 429) or status >= 500:
        raise error
    raise DownloadError(f"the result URL answered {status}: {error.message}", status_code=status)
