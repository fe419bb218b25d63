"""The spec is the one home of every request field, status word and request limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from _wiring import unwired
from wan_r2v_api.models import (
    CreateVideoRequest,
    ErrorResponse,
    FlatError,
    TaskEnvelope,
    VideoTask,
)

from wan_r2v._core import STATUS_WORDS
from wan_r2v._core._fields import request_field_names, request_fields
from wan_r2v.presets import PRESETS
from wan_r2v.sandbox._spec import extra_body_keys

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "wan-r2v.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def test_request_fields_are_the_specs_properties(spec: dict[str, Any]) -> None:
    body = _schemas(spec)["CreateVideoRequest"]["properties"]
    extra = _schemas(spec)["ExtraBody"]["properties"]
    expected = [n for n in body if n != "extra_body"] + list(extra)
    assert list(request_field_names()) == expected
    assert [f.name for f in request_fields() if f.required] == ["model", "prompt"]
    assert {f.name for f in request_fields() if f.parent == ("extra_body",)} == set(extra)
    assert {f.name for f in request_fields() if f.is_list} == {"videos", "images"}


def test_every_request_field_is_wired() -> None:
    assert unwired() == []


def test_sandbox_knows_exactly_the_extra_body_keys() -> None:
    assert extra_body_keys() == {f.name for f in request_fields() if f.parent == ("extra_body",)}


def test_status_words_of_spec_and_parser_are_one_set(spec: dict[str, Any]) -> None:
    assert set(_schemas(spec)["TaskStatusWord"]["enum"]) == set(STATUS_WORDS)


def test_request_limits_are_the_default_presets(spec: dict[str, Any]) -> None:
    body = _schemas(spec)["CreateVideoRequest"]["properties"]
    negative = _schemas(spec)["ExtraBody"]["properties"]["negative_prompt"]
    for preset in PRESETS.values():
        assert body["videos"]["maxItems"] == preset.max_videos
        assert body["images"]["maxItems"] == preset.max_references
        assert (body["duration"]["minimum"], body["duration"]["maximum"]) == (
            preset.min_duration,
            preset.max_duration,
        )
        assert negative["maxLength"] == preset.max_negative_prompt_chars
    assert body["prompt"]["pattern"] == "\\S"


def _examples(content: dict[str, Any]) -> list[Any]:
    media = content["application/json"]
    found = [e["value"] for e in media.get("examples", {}).values()]
    return found + ([media["example"]] if "example" in media else [])


def test_each_query_path_has_its_own_answer_schema(spec: dict[str, Any]) -> None:
    videos = spec["paths"]["/v1/videos/{task_id}"]["get"]["responses"]["200"]["content"]
    generations = spec["paths"]["/v1/video/generations/{task_id}"]["get"]["responses"]["200"][
        "content"
    ]
    assert videos["application/json"]["schema"] == {"$ref": "#/components/schemas/VideoTask"}
    refs = [s["$ref"] for s in generations["application/json"]["schema"]["anyOf"]]
    assert refs[0] == "#/components/schemas/TaskEnvelope"
    assert "metadata" in _schemas(spec)["VideoTask"]["properties"]
    # new-api's examples are there, and the generated models read them
    envelopes = [e for e in _examples(generations) if "data" in e]
    assert envelopes and all(isinstance(e["data"]["id"], int) for e in envelopes)
    for example in envelopes:
        assert TaskEnvelope.from_dict(example).data.task_id == "task_01HZX3"
    assert any("metadata" in e for e in _examples(videos))
    for example in _examples(videos):
        assert VideoTask.from_dict(example).to_dict() == example


def test_both_error_shapes_are_declared_with_examples(spec: dict[str, Any]) -> None:
    responses = spec["components"]["responses"]
    shapes = {"#/components/schemas/ErrorResponse", "#/components/schemas/FlatError"}
    assert {s["$ref"] for s in _schemas(spec)["ErrorAnswer"]["anyOf"]} == shapes
    not_exist = _examples(responses["TaskNotExist"]["content"])
    assert FlatError.from_dict(not_exist[0]).code == "task_not_exist"
    for name in ("BadRequest", "TooManyRequests"):
        examples = _examples(responses[name]["content"])
        assert any("error" in e for e in examples) and any("data" in e for e in examples), name
        for example in examples:
            model = ErrorResponse if "error" in example else FlatError
            assert model.from_dict(example).to_dict() == example
    for path in ("/v1/videos/{task_id}", "/v1/video/generations/{task_id}"):
        headers = spec["paths"][path]["get"]["responses"]["200"]["headers"]
        assert {"X-Request-Id", "X-Oneapi-Request-Id"} <= set(headers)


def test_content_download_is_an_operation(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/videos/{task_id}/content"]["get"]
    assert operation["operationId"] == "getVideoContent"
    assert operation["security"] == [{"bearerAuth": []}]
    assert "video/mp4" in operation["responses"]["200"]["content"]
    from wan_r2v_api.api.videos import get_video_content

    assert get_video_content._get_kwargs(task_id="task_1") == {
        "method": "get",
        "url": "/v1/videos/task_1/content",
    }


@pytest.mark.parametrize("task_id", ["task_1", "a b+c&d=é~_.-*'()"])
def test_the_routes_table_builds_what_the_endpoint_modules_build(task_id: str) -> None:
    """The facade's requests read the generated ROUTES table; each module's _get_kwargs agrees."""
    import importlib

    from wan_r2v_api.api.videos import ROUTES

    from wan_r2v._core._requests import route

    assert set(ROUTES) == {
        "create_video_generation",
        "get_video_task",
        "get_video_generation_task",
        "get_video_content",
    }
    for name, (_, template) in ROUTES.items():
        module = importlib.import_module(f"wan_r2v_api.api.videos.{name}")
        if "{task_id}" in template:
            expected = module._get_kwargs(task_id=task_id)
            method, path = route(name, task_id=task_id)
        else:
            expected = module._get_kwargs(body=CreateVideoRequest(model="m", prompt="p"))
            method, path = route(name)
        assert (method, path) == (expected["method"].upper(), expected["url"]), name


def test_create_examples_parse(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/video/generations"]["post"]
    for example in _examples(operation["requestBody"]["content"]):
        assert CreateVideoRequest.from_dict(example).to_dict() == example
    created = _examples(operation["responses"]["200"]["content"])
    assert {e["object"] for e in created} == {"video.generation.job", "video"}
