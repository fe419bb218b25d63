"""Contains all the data models used in inputs/outputs"""

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
