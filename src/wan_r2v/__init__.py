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

from typing import TYPE_CHECKING

from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DownloadError,
    InvalidResponseError,
    InvalidTargetError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    ResultExpiredError,
    ServerError,
    TargetExistsError,
    TaskFailedError,
    TaskMayExistError,
    UploadError,
    ValidationError,
    WaitTimeoutError,
    WanR2VError,
)
from .presets import PRESETS, Preset, ReferenceLimits, find_preset, get_preset
from .task import GenerationResult, Task, TaskStatus

#: Names loaded on first use (PEP 562): they bring in httpx, the generated client and
#: the core, which a program that only reads presets, tasks or errors does not need.
_LAZY = {
    "AsyncClient": "wan_r2v.aclient",
    "Client": "wan_r2v.client",
    "ShotType": "wan_r2v_api.models",
}

if TYPE_CHECKING:  # type checkers see plain imports (and no __getattr__ that would hide typos)
    from wan_r2v_api.models import ShotType

    from .aclient import AsyncClient
    from .client import Client
else:

    def __getattr__(name: str) -> object:
        """Load `Client`, `AsyncClient` and `ShotType` on first use."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'wan_r2v' has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))


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
    "InvalidTargetError",
    "NotFoundError",
    "PermissionDeniedError",
    "Preset",
    "Problem",
    "RateLimitError",
    "ReferenceLimits",
    "ResultExpiredError",
    "ServerError",
    "ShotType",
    "TargetExistsError",
    "Task",
    "TaskFailedError",
    "TaskMayExistError",
    "TaskStatus",
    "UploadError",
    "ValidationError",
    "WaitTimeoutError",
    "WanR2VError",
    "__version__",
    "find_preset",
    "get_preset",
]
