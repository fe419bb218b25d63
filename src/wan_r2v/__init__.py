"""wan-r2v: a client for the Wan 2.6 reference-to-video task API.

from wan_r2v import Client

with Client(api_key="sk-...", base_url="https://gateway.example") as client:
    result = client.generate(
        model="wan2.6-r2v-flash-720p-audio",
        prompt="character1 walks through the rain",
        videos=["https://example.com/reference-shot-1.mp4"],
        aspect="16:9",
        duration=5,
    )
    print(result.path)
"""

from wan_r2v_api.models import ShotType

from ._base_client import VERSION as __version__
from .aclient import AsyncClient
from .client import Client
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DownloadError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    ResultExpiredError,
    ServerError,
    TaskFailedError,
    TaskMayExistError,
    ValidationError,
    WaitTimeoutError,
    WanR2VError,
)
from .presets import PRESETS, Preset, find_preset, get_preset
from .task import GenerationResult, Task, TaskStatus

__all__ = [
    "PRESETS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "DownloadError",
    "GenerationResult",
    "InvalidResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "Preset",
    "Problem",
    "RateLimitError",
    "ResultExpiredError",
    "ServerError",
    "ShotType",
    "Task",
    "TaskFailedError",
    "TaskMayExistError",
    "TaskStatus",
    "ValidationError",
    "WaitTimeoutError",
    "WanR2VError",
    "__version__",
    "find_preset",
    "get_preset",
]
