from enum import StrEnum


class TaskStatusWord(StrEnum):
    CANCELED = "canceled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    ERROR = "error"
    EXPIRED = "expired"
    FAILED = "failed"
    FAILURE = "failure"
    IN_PROGRESS = "in_progress"
    NOT_START = "not_start"
    PENDING = "pending"
    PROCESSING = "processing"
    QUEUED = "queued"
    RUNNING = "running"
    SUBMITTED = "submitted"
    SUCCEEDED = "succeeded"
    SUCCESS = "success"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return str(self.value)
