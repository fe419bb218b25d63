"""The generated client builds the seed's requests and parses the gateway's answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wan_r2v_api.models import (
    CreateVideoRequest,
    ErrorResponse,
    ExtraBody,
    ShotType,
    TaskError,
    TaskResult,
    TaskStatusWord,
    VideoMetadata,
    VideoTask,
)
from wan_r2v_api.types import UNSET

ROOT = Path(__file__).resolve().parents[2]
SEED_EXAMPLES = json.loads((ROOT / "tests" / "fixtures" / "seed_examples.json").read_text())

CREATE_ANSWER = {
    "id": "task_abc",
    "task_id": "task_abc",
    "object": "video.generation.job",
    "model": "wan2.6-r2v-flash-720p-audio",
    "status": "in_progress",
    "progress": 5,
    "created_at": 1773984104,
}
QUERY_ANSWER = {
    **CREATE_ANSWER,
    "status": "completed",
    "progress": 100,
    "error": None,
    "result": {"outputs": ["https://cdn.example/1.mp4"], "video_url": "https://cdn.example/1.mp4"},
    "video_url": "https://cdn.example/1.mp4",
    "raw_status": "COMPLETED",
}


def test_seed_example_1_builds_through_generated_models() -> None:
    request = CreateVideoRequest(
        model="wan2.6-r2v-flash-720p-audio",
        prompt=" subject and style, generate a newcamera. ",
        videos=["https://example.com/reference-shot-1.mp4"],
        size="1280*720",
        duration=5,
        extra_body=ExtraBody(
            negative_prompt="watermark, blur, flicker",
            audio="https://example.com/guide-audio.mp3",
            shot_type=ShotType.SINGLE,
            enable_prompt_expansion=False,
            seed=-1,
        ),
    )
    assert json.loads(json.dumps(request.to_dict())) == SEED_EXAMPLES["video_reference"]


def test_seed_example_2_builds_through_generated_models() -> None:
    request = CreateVideoRequest(
        model="wan2.6-r2v-flash-1080p-silent",
        prompt=" andstyle, generate a video. ",
        images=["https://example.com/ref-1.png", "https://example.com/ref-2.png"],
        size="1920*1080",
        duration=10,
        extra_body=ExtraBody(
            negative_prompt="watermark, blur",
            shot_type=ShotType.MULTI,
            enable_prompt_expansion=True,
            seed=42,
        ),
    )
    assert json.loads(json.dumps(request.to_dict())) == SEED_EXAMPLES["image_references"]


@pytest.mark.parametrize("name", ["video_reference", "image_references"])
def test_seed_examples_round_trip(name: str) -> None:
    example = SEED_EXAMPLES[name]
    assert CreateVideoRequest.from_dict(example).to_dict() == example


def test_create_answer_parses() -> None:
    task = VideoTask.from_dict(CREATE_ANSWER)
    assert task.id == "task_abc"
    assert task.status == TaskStatusWord.IN_PROGRESS
    assert task.progress == 5
    assert task.object_ == "video.generation.job"
    assert task.error is UNSET and task.result is UNSET


def test_query_answer_parses() -> None:
    task = VideoTask.from_dict(QUERY_ANSWER)
    assert task.status == TaskStatusWord.COMPLETED
    assert task.error is None
    assert isinstance(task.result, TaskResult)
    assert task.result.outputs == ["https://cdn.example/1.mp4"]
    assert task.video_url == "https://cdn.example/1.mp4"
    assert task.raw_status == "COMPLETED"
    assert task.to_dict() == QUERY_ANSWER


@pytest.mark.parametrize("word", ["teleporting", "SUCCESS", "IN_PROGRESS", "NOT_START", ""])
def test_unknown_status_word_parses_as_string(word: str) -> None:
    task = VideoTask.from_dict({**CREATE_ANSWER, "status": word})
    assert task.status == word
    assert not isinstance(task.status, TaskStatusWord)


def test_extra_fields_are_kept() -> None:
    answer: dict[str, Any] = {
        **QUERY_ANSWER,
        "metadata": {"url": "https://x/1.mp4"},
        "seconds": "5",
    }
    task = VideoTask.from_dict(answer)
    assert task.additional_properties == {"seconds": "5"}
    assert isinstance(task.metadata, VideoMetadata) and task.metadata.url == "https://x/1.mp4"
    assert task.to_dict() == answer


def test_failed_task_error_object_parses() -> None:
    answer = {
        **CREATE_ANSWER,
        "status": "failed",
        "error": {"message": "content policy", "code": "DataInspectionFailed"},
    }
    task = VideoTask.from_dict(answer)
    assert isinstance(task.error, TaskError)
    assert (task.error.message, task.error.code) == ("content policy", "DataInspectionFailed")


def test_minimal_answer_with_only_required_fields_parses() -> None:
    task = VideoTask.from_dict({"id": "t", "status": "queued"})
    assert (task.id, task.status) == ("t", TaskStatusWord.QUEUED)
    assert task.model is UNSET and task.video_url is UNSET


def test_error_answer_parses() -> None:
    body = {
        "error": {"message": "bad key", "type": "auth", "code": "invalid_api_key", "param": None}
    }
    error = ErrorResponse.from_dict(body)
    assert error.error.message == "bad key"
    assert error.error.code == "invalid_api_key"
    assert error.error.param is None


def test_generated_models_are_plain_classes_that_behave_as_attrs_made_them() -> None:
    """The model template writes slots, __init__, repr and equality out (no attrs at import)."""
    body = CreateVideoRequest("m", "p", videos=["https://example.com/a.mp4"])
    assert not hasattr(body, "__dict__") and not hasattr(CreateVideoRequest, "__attrs_attrs__")
    assert repr(body).startswith(
        "CreateVideoRequest(model='m', prompt='p', videos=['https://example.com/a.mp4'], images="
    )
    assert repr(body).endswith(", additional_properties={})")
    assert body == CreateVideoRequest.from_dict(body.to_dict()) != CreateVideoRequest("m", "q")
    assert body != body.to_dict()
    body["x"] = 1  # keys outside the spec, as before
    assert body.to_dict()["x"] == 1 and body != CreateVideoRequest.from_dict(
        {"model": "m", "prompt": "p"}
    )
    with pytest.raises(TypeError):
        hash(body)  # mutable, so unhashable (as attrs' define made it)
    with pytest.raises(AttributeError):
        body.not_a_field = 1  # type: ignore[attr-defined]
