from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..models.task_status_word import TaskStatusWord
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_error import TaskError
    from ..models.task_result import TaskResult
    from ..models.video_metadata import VideoMetadata


T = TypeVar("T", bound="VideoTask")


class VideoTask:
    """A video generation task, as the create and query calls answer (flat).

    Attributes:
        id (str): The task id.
        status (str | TaskStatusWord): The gateway's status word (an open set, see TaskStatusWord).
        task_id (str | Unset): The task id again (the gateway sends both; it wins when they differ).
        object_ (str | Unset): `video.generation.job` on this gateway, `video` on new-api.
        model (str | Unset):
        progress (int | Unset): Percent done.
        created_at (int | Unset): Unix seconds.
        completed_at (int | None | Unset): Unix seconds, once the task ended. new-api sets it to the row's
            last update, so it is also set while the task runs.
        raw_status (None | str | Unset): The upstream's own word (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED,
            UNKNOWN).
        video_url (None | str | Unset): The result's URL once completed; it expires (upstream 24 h).
        metadata (None | Unset | VideoMetadata): new-api's place for the result URL.
        error (None | TaskError | Unset): Why the task failed, or null.
        result (None | TaskResult | Unset): The result once completed, or null.
    """

    __slots__ = (
        "id",
        "status",
        "task_id",
        "object_",
        "model",
        "progress",
        "created_at",
        "completed_at",
        "raw_status",
        "video_url",
        "metadata",
        "error",
        "result",
        "additional_properties",
    )

    id: str
    status: str | TaskStatusWord
    task_id: str | Unset
    object_: str | Unset
    model: str | Unset
    progress: int | Unset
    created_at: int | Unset
    completed_at: int | None | Unset
    raw_status: None | str | Unset
    video_url: None | str | Unset
    metadata: None | Unset | VideoMetadata
    error: None | TaskError | Unset
    result: None | TaskResult | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        id: str,
        status: str | TaskStatusWord,
        task_id: str | Unset = UNSET,
        object_: str | Unset = UNSET,
        model: str | Unset = UNSET,
        progress: int | Unset = UNSET,
        created_at: int | Unset = UNSET,
        completed_at: int | None | Unset = UNSET,
        raw_status: None | str | Unset = UNSET,
        video_url: None | str | Unset = UNSET,
        metadata: None | Unset | VideoMetadata = UNSET,
        error: None | TaskError | Unset = UNSET,
        result: None | TaskResult | Unset = UNSET,
    ) -> None:
        self.id = id
        self.status = status
        self.task_id = task_id
        self.object_ = object_
        self.model = model
        self.progress = progress
        self.created_at = created_at
        self.completed_at = completed_at
        self.raw_status = raw_status
        self.video_url = video_url
        self.metadata = metadata
        self.error = error
        self.result = result
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"status={self.status!r}, "
            f"task_id={self.task_id!r}, "
            f"object_={self.object_!r}, "
            f"model={self.model!r}, "
            f"progress={self.progress!r}, "
            f"created_at={self.created_at!r}, "
            f"completed_at={self.completed_at!r}, "
            f"raw_status={self.raw_status!r}, "
            f"video_url={self.video_url!r}, "
            f"metadata={self.metadata!r}, "
            f"error={self.error!r}, "
            f"result={self.result!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, VideoTask):
            return NotImplemented
        return (
            self.id,
            self.status,
            self.task_id,
            self.object_,
            self.model,
            self.progress,
            self.created_at,
            self.completed_at,
            self.raw_status,
            self.video_url,
            self.metadata,
            self.error,
            self.result,
            self.additional_properties,
        ) == (
            other.id,
            other.status,
            other.task_id,
            other.object_,
            other.model,
            other.progress,
            other.created_at,
            other.completed_at,
            other.raw_status,
            other.video_url,
            other.metadata,
            other.error,
            other.result,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        from ..models.task_error import TaskError  # noqa: PLC0415
        from ..models.task_result import TaskResult  # noqa: PLC0415
        from ..models.video_metadata import VideoMetadata  # noqa: PLC0415

        id = self.id

        status: str
        if isinstance(self.status, TaskStatusWord):
            status = self.status.value
        else:
            status = self.status

        task_id = self.task_id

        object_ = self.object_

        model = self.model

        progress = self.progress

        created_at = self.created_at

        completed_at: int | None | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        raw_status: None | str | Unset
        if isinstance(self.raw_status, Unset):
            raw_status = UNSET
        else:
            raw_status = self.raw_status

        video_url: None | str | Unset
        if isinstance(self.video_url, Unset):
            video_url = UNSET
        else:
            video_url = self.video_url

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, VideoMetadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, TaskError):
            error = self.error.to_dict()
        else:
            error = self.error

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, TaskResult):
            result = self.result.to_dict()
        else:
            result = self.result

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
            }
        )
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if object_ is not UNSET:
            field_dict["object"] = object_
        if model is not UNSET:
            field_dict["model"] = model
        if progress is not UNSET:
            field_dict["progress"] = progress
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if raw_status is not UNSET:
            field_dict["raw_status"] = raw_status
        if video_url is not UNSET:
            field_dict["video_url"] = video_url
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if error is not UNSET:
            field_dict["error"] = error
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_error import TaskError  # noqa: PLC0415
        from ..models.task_result import TaskResult  # noqa: PLC0415
        from ..models.video_metadata import VideoMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_status(data: object) -> str | TaskStatusWord:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = TaskStatusWord(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | TaskStatusWord, data)

        status = _parse_status(d.pop("status"))

        task_id = d.pop("task_id", UNSET)

        object_ = d.pop("object", UNSET)

        model = d.pop("model", UNSET)

        progress = d.pop("progress", UNSET)

        created_at = d.pop("created_at", UNSET)

        def _parse_completed_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_raw_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        raw_status = _parse_raw_status(d.pop("raw_status", UNSET))

        def _parse_video_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        video_url = _parse_video_url(d.pop("video_url", UNSET))

        def _parse_metadata(data: object) -> None | Unset | VideoMetadata:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = VideoMetadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VideoMetadata, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_error(data: object) -> None | TaskError | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = TaskError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskError | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_result(data: object) -> None | TaskResult | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = TaskResult.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskResult | Unset, data)

        result = _parse_result(d.pop("result", UNSET))

        video_task = cls(
            id=id,
            status=status,
            task_id=task_id,
            object_=object_,
            model=model,
            progress=progress,
            created_at=created_at,
            completed_at=completed_at,
            raw_status=raw_status,
            video_url=video_url,
            metadata=metadata,
            error=error,
            result=result,
        )

        video_task.additional_properties = d
        return video_task

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
