"""Where a finished task's video is fetched from, in order: its result URL, the gateway, a fresh URL.

1. the task's result URL, when it names one;
2. when it names none, or its host answers 403/404/410
   (`ResultExpiredError`: result URLs expire), the gateway's own download
   proxy ``GET /v1/videos/{task_id}/content`` (the key goes there: it is the
   gateway's origin);
3. failing that, the task is queried once more and its fresh URL fetched.

Any other failure of the result URL (a page that is not a video, a 5xx after
its retries, a URL that is not http(s)) is raised as it is: the proxy would
fetch the same broken file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from .._config import ClientConfig
from ..errors import DownloadError, ResultExpiredError, WanR2VError
from ..task import Task
from ._download_plan import resolve_video_url
from ._requests import check_task_id, require_gateway, route

__all__ = ["content_url", "fetch_with_fallback"]

logger = logging.getLogger("wan_r2v")


def content_url(config: ClientConfig, task_id: str) -> str:
    """The gateway's download proxy for a task: ``{base_url}/v1/videos/{task_id}/content``."""
    checked = check_task_id(task_id)
    base_url, _ = require_gateway(config, need_key=False)
    return base_url + route("get_video_content", task_id=checked)[1]


def _usable(video_url: str | None, base_url: str | None) -> str | None:
    """The absolute URL to fetch, None when there is none; `DownloadError` for a non-http(s) one."""
    return None if video_url is None else resolve_video_url(video_url, base_url)


def fetch_with_fallback(
    task: Task,
    config: ClientConfig,
    fetch: Callable[[str], Generator[Any, Any, Path]],
    query: Callable[[str], Generator[Any, Any, Task]],
) -> Generator[Any, Any, Path]:
    """Fetch `task`'s video through `fetch(url)` (a flow), falling back as the module says.

    `query(task_id)` is the flow of one query, for the fresh URL at the end.
    """
    url = _usable(task.video_url, config.base_url)
    tried: list[str] = []
    expired: ResultExpiredError | None = None
    if url is not None:
        try:
            return (yield from fetch(url))
        except ResultExpiredError as error:
            expired = error
            tried.append(f"the result URL answered {error.status_code} (expired)")
            logger.info("task %s: %s; trying the gateway's /content", task.id, tried[-1])
    else:
        tried.append("the task names no result URL")
    proxy = content_url(config, task.id)
    try:
        return (yield from fetch(proxy))
    except WanR2VError as error:
        tried.append(f"the gateway's /content failed ({_why(error)})")
        logger.info("task %s: %s; querying it once for a fresh URL", task.id, tried[-1])
    try:
        fresh = yield from query(task.id)
    except WanR2VError as error:
        tried.append(f"a fresh query failed ({_why(error)})")
        raise _give_up(task, tried, expired) from error
    fresh_url = _usable(fresh.video_url, config.base_url)
    if fresh_url is None:
        tried.append("a fresh query names no result URL")
        raise _give_up(task, tried, expired)
    try:
        return (yield from fetch(fresh_url))
    except WanR2VError as error:
        tried.append(f"the fresh URL failed ({_why(error)})")
        last = error if isinstance(error, ResultExpiredError) else expired
        raise _give_up(task, tried, last) from error


def _why(error: WanR2VError) -> str:
    """A failure in a few words (the full messages would repeat their hints)."""
    if isinstance(error, ResultExpiredError):
        return f"HTTP {error.status_code}, expired"
    return error.message


def _give_up(task: Task, tried: list[str], expired: ResultExpiredError | None) -> DownloadError:
    """The error once every source failed: `ResultExpiredError` when the URL had expired."""
    message = (
        f"could not download the video of task {task.id}: {'; '.join(tried)}; nothing was written"
    )
    if expired is not None:
        return ResultExpiredError(message, status_code=expired.status_code)
    return DownloadError(message)
