"""Contains all the data models used in inputs/outputs (each one loaded on first use)"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .create_video_request import CreateVideoRequest
    from .error_detail import ErrorDetail
    from .error_response import ErrorResponse
    from .extra_body import ExtraBody
    from .flat_error import FlatError
    from .relay_task import RelayTask
    from .shot_type import ShotType
    from .task_envelope import TaskEnvelope
    from .task_error import TaskError
    from .task_result import TaskResult
    from .task_status_word import TaskStatusWord
    from .video_metadata import VideoMetadata
    from .video_task import VideoTask

#: The module of each model: imported on first use (PEP 562), so a program loads only the models it uses.
_MODULES = {
    "CreateVideoRequest": ".create_video_request",
    "ErrorDetail": ".error_detail",
    "ErrorResponse": ".error_response",
    "ExtraBody": ".extra_body",
    "FlatError": ".flat_error",
    "RelayTask": ".relay_task",
    "ShotType": ".shot_type",
    "TaskEnvelope": ".task_envelope",
    "TaskError": ".task_error",
    "TaskResult": ".task_result",
    "TaskStatusWord": ".task_status_word",
    "VideoMetadata": ".video_metadata",
    "VideoTask": ".video_task",
}

__all__ = (
    "CreateVideoRequest",
    "ErrorDetail",
    "ErrorResponse",
    "ExtraBody",
    "FlatError",
    "RelayTask",
    "ShotType",
    "TaskEnvelope",
    "TaskError",
    "TaskResult",
    "TaskStatusWord",
    "VideoMetadata",
    "VideoTask",
)

if not TYPE_CHECKING:  # type checkers see the imports above

    def __getattr__(name: str) -> object:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
