from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..models.task_status_word import TaskStatusWord
from ..types import UNSET, Unset

T = TypeVar("T", bound="RelayTask")


class RelayTask:
    """new-api's task row, as its envelope carries it.

    Attributes:
        task_id (str): The task id.
        status (str | TaskStatusWord): Upper case (NOT_START, SUBMITTED, QUEUED, IN_PROGRESS, SUCCESS, FAILURE,
            UNKNOWN); an open set.
        id (int | Unset): The database row number, not the task id.
        action (str | Unset):
        model (str | Unset):
        progress (str | Unset): Percent done as text, e.g. `"30%"`.
        fail_reason (str | Unset):
        result_url (str | Unset): The result's URL once succeeded (empty before).
        submit_time (int | Unset):
        start_time (int | Unset):
        finish_time (int | Unset): Unix seconds once finished, 0 before.
        created_at (int | Unset):
        updated_at (int | Unset):
    """

    __slots__ = (
        "task_id",
        "status",
        "id",
        "action",
        "model",
        "progress",
        "fail_reason",
        "result_url",
        "submit_time",
        "start_time",
        "finish_time",
        "created_at",
        "updated_at",
        "additional_properties",
    )

    task_id: str
    status: str | TaskStatusWord
    id: int | Unset
    action: str | Unset
    model: str | Unset
    progress: str | Unset
    fail_reason: str | Unset
    result_url: str | Unset
    submit_time: int | Unset
    start_time: int | Unset
    finish_time: int | Unset
    created_at: int | Unset
    updated_at: int | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        task_id: str,
        status: str | TaskStatusWord,
        id: int | Unset = UNSET,
        action: str | Unset = UNSET,
        model: str | Unset = UNSET,
        progress: str | Unset = UNSET,
        fail_reason: str | Unset = UNSET,
        result_url: str | Unset = UNSET,
        submit_time: int | Unset = UNSET,
        start_time: int | Unset = UNSET,
        finish_time: int | Unset = UNSET,
        created_at: int | Unset = UNSET,
        updated_at: int | Unset = UNSET,
    ) -> None:
        self.task_id = task_id
        self.status = status
        self.id = id
        self.action = action
        self.model = model
        self.progress = progress
        self.fail_reason = fail_reason
        self.result_url = result_url
        self.submit_time = submit_time
        self.start_time = start_time
        self.finish_time = finish_time
        self.created_at = created_at
        self.updated_at = updated_at
        self.additional_properties = {}

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"task_id={self.task_id!r}, "
            f"status={self.status!r}, "
            f"id={self.id!r}, "
            f"action={self.action!r}, "
            f"model={self.model!r}, "
            f"progress={self.progress!r}, "
            f"fail_reason={self.fail_reason!r}, "
            f"result_url={self.result_url!r}, "
            f"submit_time={self.submit_time!r}, "
            f"start_time={self.start_time!r}, "
            f"finish_time={self.finish_time!r}, "
            f"created_at={self.created_at!r}, "
            f"updated_at={self.updated_at!r}, "
            f"additional_properties={self.additional_properties!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, RelayTask):
            return NotImplemented
        return (
            self.task_id,
            self.status,
            self.id,
            self.action,
            self.model,
            self.progress,
            self.fail_reason,
            self.result_url,
            self.submit_time,
            self.start_time,
            self.finish_time,
            self.created_at,
            self.updated_at,
            self.additional_properties,
        ) == (
            other.task_id,
            other.status,
            other.id,
            other.action,
            other.model,
            other.progress,
            other.fail_reason,
            other.result_url,
            other.submit_time,
            other.start_time,
            other.finish_time,
            other.created_at,
            other.updated_at,
            other.additional_properties,
        )

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        status: str
        if isinstance(self.status, TaskStatusWord):
            status = self.status.value
        else:
            status = self.status

        id = self.id

        action = self.action

        model = self.model

        progress = self.progress

        fail_reason = self.fail_reason

        result_url = self.result_url

        submit_time = self.submit_time

        start_time = self.start_time

        finish_time = self.finish_time

        created_at = self.created_at

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "status": status,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if action is not UNSET:
            field_dict["action"] = action
        if model is not UNSET:
            field_dict["model"] = model
        if progress is not UNSET:
            field_dict["progress"] = progress
        if fail_reason is not UNSET:
            field_dict["fail_reason"] = fail_reason
        if result_url is not UNSET:
            field_dict["result_url"] = result_url
        if submit_time is not UNSET:
            field_dict["submit_time"] = submit_time
        if start_time is not UNSET:
            field_dict["start_time"] = start_time
        if finish_time is not UNSET:
            field_dict["finish_time"] = finish_time
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        task_id = d.pop("task_id")

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

        id = d.pop("id", UNSET)

        action = d.pop("action", UNSET)

        model = d.pop("model", UNSET)

        progress = d.pop("progress", UNSET)

        fail_reason = d.pop("fail_reason", UNSET)

        result_url = d.pop("result_url", UNSET)

        submit_time = d.pop("submit_time", UNSET)

        start_time = d.pop("start_time", UNSET)

        finish_time = d.pop("finish_time", UNSET)

        created_at = d.pop("created_at", UNSET)

        updated_at = d.pop("updated_at", UNSET)

        relay_task = cls(
            task_id=task_id,
            status=status,
            id=id,
            action=action,
            model=model,
            progress=progress,
            fail_reason=fail_reason,
            result_url=result_url,
            submit_time=submit_time,
            start_time=start_time,
            finish_time=finish_time,
            created_at=created_at,
            updated_at=updated_at,
        )

        relay_task.additional_properties = d
        return relay_task

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
