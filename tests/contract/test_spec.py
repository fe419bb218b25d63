"""The spec is valid, is what the generator reads, and agrees with the seed and the preset table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from wan_r2v.presets import PRESETS, SEED_MAX, SEED_MIN

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "wan-r2v.yaml"
SEED_EXAMPLES = json.loads((ROOT / "tests" / "fixtures" / "seed_examples.json").read_text())
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "000_0051ed8605f9eb54.txt"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any violation


def test_generator_reads_this_spec() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^SPEC\s*:=\s*openapi/wan-r2v.yaml$", makefile, re.M)
    assert "--path $(SPEC)" in makefile
    assert "--fail-on-warning" in makefile


def test_every_operation_has_security_id_and_tag(spec: dict[str, Any]) -> None:
    operation_ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation.get("security") == [{"bearerAuth": []}], (method, path)
            assert operation.get("tags"), (method, path)
            operation_ids.append(operation["operationId"])
    assert sorted(operation_ids) == [
        "createVideoGeneration",
        "getVideoContent",
        "getVideoGenerationTask",
        "getVideoTask",
    ]


def test_query_paths_and_error_codes(spec: dict[str, Any]) -> None:
    for path in ("/v1/videos/{task_id}", "/v1/video/generations/{task_id}"):
        codes = set(spec["paths"][path]["get"]["responses"])
        assert {"200", "401", "404", "429", "500", "502", "503"} <= codes
    create_codes = set(spec["paths"]["/v1/video/generations"]["post"]["responses"])
    assert {"200", "400", "401", "403", "429", "500", "502", "503"} <= create_codes


def test_status_is_an_open_enum(spec: dict[str, Any]) -> None:
    status = spec["components"]["schemas"]["VideoTask"]["properties"]["status"]
    assert {"type": "string"} in status["anyOf"], "a new status word must still parse"


def test_spec_examples_are_the_seed_examples(spec: dict[str, Any]) -> None:
    examples = spec["paths"]["/v1/video/generations"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    assert examples["videoReference"]["value"] == SEED_EXAMPLES["video_reference"]
    assert examples["imageReferences"]["value"] == SEED_EXAMPLES["image_references"]


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_fixture_matches_the_gateway_page() -> None:
    text = SHARED_SEED.read_text()
    decoder = json.JSONDecoder()
    found = [
        decoder.raw_decode(text[text.index("{", m.end()) :])[0]
        for m in re.finditer(r"Example \d+: [^\n]*\n", text)
    ]
    assert found == [SEED_EXAMPLES["video_reference"], SEED_EXAMPLES["image_references"]]


def test_seed_range_agrees_with_presets(spec: dict[str, Any]) -> None:
    seed = spec["components"]["schemas"]["ExtraBody"]["properties"]["seed"]
    assert (seed["minimum"], seed["maximum"]) == (SEED_MIN, SEED_MAX)


def test_every_preset_size_matches_the_size_pattern(spec: dict[str, Any]) -> None:
    pattern = spec["components"]["schemas"]["CreateVideoRequest"]["properties"]["size"]["pattern"]
    for preset in PRESETS.values():
        for size in preset.sizes.values():
            assert re.fullmatch(pattern, size), size
    assert not re.fullmatch(pattern, "1280x720")
