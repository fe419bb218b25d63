"""The pure core: build requests, read answers, decide retries and polls; no I/O anywhere.

`Client` and `AsyncClient` drive the flows of `_flows` and do only the I/O.
"""

from ._answers import (
    Exchange,
    Outcome,
    error_for_status,
    error_for_transport,
    read_task,
    retry_after_of,
)
from ._create_body import CreateParams, build_create_body, pick_preset
from ._download_plan import (
    accept_download_head,
    download_request,
    resolve_video_url,
    safe_filename,
    same_origin,
)
from ._flows import (
    Action,
    Flow,
    FlowContext,
    Report,
    Send,
    Sleep,
    Stream,
    create_flow,
    download_flow,
    finish,
    generate_flow,
    get_flow,
    wait_flow,
)
from ._polling import poll_delay
from ._redact import redact
from ._requests import (
    RequestSpec,
    build_create_request,
    build_get_request,
    check_task_id,
    clip_timeout,
)
from ._retry import Failure, backoff_delay, final_error, is_transient, retry_delay
from ._task_parsing import (
    STATUS_WORDS,
    map_status,
    parse_progress,
    parse_task,
    parse_time,
    unwrap_task,
)

__all__ = [
    "STATUS_WORDS",
    "Action",
    "CreateParams",
    "Exchange",
    "Failure",
    "Flow",
    "FlowContext",
    "Outcome",
    "Report",
    "RequestSpec",
    "Send",
    "Sleep",
    "Stream",
    "accept_download_head",
    "backoff_delay",
    "build_create_body",
    "build_create_request",
    "build_get_request",
    "check_task_id",
    "clip_timeout",
    "create_flow",
    "download_flow",
    "download_request",
    "error_for_status",
    "error_for_transport",
    "final_error",
    "finish",
    "generate_flow",
    "get_flow",
    "is_transient",
    "map_status",
    "parse_progress",
    "parse_task",
    "parse_time",
    "pick_preset",
    "poll_delay",
    "read_task",
    "redact",
    "resolve_video_url",
    "retry_after_of",
    "retry_delay",
    "safe_filename",
    "same_origin",
    "unwrap_task",
    "wait_flow",
]
