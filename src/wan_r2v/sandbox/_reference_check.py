"""What the provider does with reference URLs, when the sandbox is asked to (``check_references``).

It fetches each reference (``videos``, ``images``, ``extra_body.audio``) with a
plain HTTP client that never carries the gateway key, and judges the bytes with
the library's own file checks (`wan_r2v.references.check_local_file`), so the
rules live in one place: the media must be what its field claims, within the
model's `ReferenceLimits`. The first refusal fails the task, with the
provider's error code for data inspection.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from wan_r2v.errors import Problem
from wan_r2v.presets import ReferenceLimits
from wan_r2v.references import Kind, check_local_file

__all__ = ["INSPECTION_CODE", "inspect_references", "references_of"]

#: The upstream provider's error code when it cannot fetch or accept a reference.
INSPECTION_CODE = "InvalidParameter.DataInspection"
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_MAX_REDIRECTS = 5


def references_of(body: Mapping[str, Any]) -> Iterator[tuple[str, Kind, str]]:
    """``(field, kind, url)`` of every reference a create body holds, in order."""
    for name, kind in (("videos", "video"), ("images", "image")):
        values = body.get(name)
        if isinstance(values, list):
            for index, url in enumerate(values):
                if isinstance(url, str):
                    yield f"{name}[{index}]", kind, url  # type: ignore[misc]
    extra = body.get("extra_body")
    if isinstance(extra, Mapping) and isinstance(extra.get("audio"), str):
        yield "audio", "audio", extra["audio"]


def _limit(kind: Kind, limits: ReferenceLimits) -> int:
    # audio has no size limit of its own upstream; 100 MiB bounds what the sandbox reads
    return {"video": limits.max_video_bytes, "image": limits.max_image_bytes}.get(
        kind, 100 * 1024 * 1024
    )


def _fetch(http: httpx.Client, url: str, into: Path, limit: int) -> str | None:
    """Download `url` into a file (at most `limit` + 1 bytes); why it failed, or None."""
    try:
        with http.stream("GET", url) as answer:
            if answer.status_code != 200:
                return f"the server answered HTTP {answer.status_code}"
            size = 0
            with into.open("wb") as out:
                for chunk in answer.iter_raw():
                    size += len(chunk)
                    out.write(chunk)
                    if size > limit:
                        break
    except httpx.HTTPError as exc:
        return f"it could not be downloaded ({type(exc).__name__})"
    return None


def inspect_references(body: Mapping[str, Any], limits: ReferenceLimits) -> tuple[str, str] | None:
    """``(error_code, message)`` for the first reference the provider would refuse, or None when all pass."""
    # A fresh client: no gateway key, no cookies; redirects followed as a fetcher would.
    with (
        httpx.Client(timeout=_TIMEOUT, follow_redirects=True, max_redirects=_MAX_REDIRECTS) as http,
        tempfile.TemporaryDirectory(prefix="wan-r2v-sandbox-refs-") as folder,
    ):
        for index, (field, kind, url) in enumerate(references_of(body)):
            path = Path(folder) / f"reference-{index}"
            failure = _fetch(http, url, path, _limit(kind, limits))
            if failure is not None:
                return (
                    INSPECTION_CODE,
                    f"Download the media resource failed during the data inspection process: "
                    f"{field}: {failure}.",
                )
            problems: list[Problem] = []
            check_local_file(path, kind, field, limits, problems, shown=f"the {kind} fetched")
            if problems:
                return (
                    INSPECTION_CODE,
                    "The media format is not supported or incorrect for the data inspection: "
                    f"{problems[0]}.",
                )
    return None
