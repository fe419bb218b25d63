"""The sandbox's pure pieces: lifecycle, fault grammar, request checks, MP4 files."""

from __future__ import annotations

import av
import pytest
from _mp4probe import Mp4Error, probe_mp4, probe_mp4_bytes
from _sandbox_helpers import SEED_EXAMPLES, seed
from hypothesis import given
from hypothesis import strategies as st

from wan_r2v.presets import PRESETS, SEED_MAX
from wan_r2v.sandbox import FaultSet, parse_faults
from wan_r2v.sandbox._lifecycle import ManualClock, TaskPlan, snapshot
from wan_r2v.sandbox._mp4 import video_bytes, video_file
from wan_r2v.sandbox._spec import create_body_problems, spec_path

# lifecycle


def test_a_task_is_queued_then_runs_with_rising_progress_then_completes() -> None:
    plan = TaskPlan(total=2.0)
    states = [snapshot(plan, t / 10) for t in range(0, 21)]
    assert states[0].status == "queued" and states[0].progress == 0
    assert states[0].raw_status == "PENDING"
    running = [s for s in states if s.status == "in_progress"]
    assert running and all(s.raw_status == "RUNNING" for s in running)
    progress = [s.progress for s in running]
    assert progress == sorted(progress) and progress[0] < progress[-1] <= 95
    assert states[-1].status == "completed" and states[-1].progress == 100
    assert states[-1].raw_status == "SUCCEEDED" and states[-1].ended_at == 2.0
    assert not any(s.done for s in states[:-1])


@given(total=st.floats(0.01, 1000), steps=st.integers(1, 50))
def test_n_polls_of_a_nth_of_the_time_always_reach_the_end(total: float, steps: int) -> None:
    plan = TaskPlan(total=total)
    assert snapshot(plan, steps * (total / steps)).status == "completed"
    if steps > 1:
        assert not snapshot(plan, (steps - 1) * (total / steps)).done


@given(elapsed=st.floats(0, 100), total=st.floats(0.01, 50))
def test_progress_never_goes_back(elapsed: float, total: float) -> None:
    plan = TaskPlan(total=total)
    earlier, later = snapshot(plan, elapsed), snapshot(plan, elapsed + total / 7)
    assert 0 <= earlier.progress <= later.progress <= 100


def test_a_failing_task_stops_at_its_failure_point() -> None:
    plan = TaskPlan(total=4.0, outcome="failed", fail_at=0.5)
    assert snapshot(plan, 1.9).status == "in_progress"
    failed = snapshot(plan, 2.0)
    assert (failed.status, failed.raw_status, failed.ended_at) == ("failed", "FAILED", 2.0)
    assert 0 < failed.progress < 100
    assert snapshot(plan, 100).status == "failed"


def test_an_odd_word_replaces_the_waiting_words_and_can_be_final() -> None:
    plan = TaskPlan(total=1.0, odd_word="warming_up")
    assert snapshot(plan, 0).status == "warming_up"
    assert snapshot(plan, 0.5).status == "warming_up"
    assert snapshot(plan, 1).status == "completed"
    final = TaskPlan(total=1.0, odd_word="limbo", outcome="unknown")
    assert (snapshot(final, 5).status, snapshot(final, 5).raw_status) == ("limbo", "UNKNOWN")


def test_the_manual_clock_moves_only_forward_and_only_when_told() -> None:
    clock = ManualClock()
    assert clock.now() == 0
    clock.advance(1.5)
    assert clock.now() == 1.5
    with pytest.raises(ValueError):
        clock.advance(-1)


# fault grammar


def test_the_grammar_reads_kinds_common_keys_and_params() -> None:
    rules = parse_faults(
        "429;count=2;retry_after=1, dialect;url=metadata ,failed;message=no%20luck"
    )
    assert [r.fault.kind for r in rules] == ["429", "dialect", "failed"]
    assert rules[0].times == 2 and rules[0].fault.params == {"retry_after": "1"}
    assert rules[1].fault.params == {"url": "metadata"}
    assert rules[2].fault.params == {"message": "no luck"}
    assert rules[2].route == "any" and parse_faults("truncate")[0].route == "download"
    assert parse_faults("520")[0].fault.kind == "520"


@pytest.mark.parametrize(
    "text",
    [
        "nope",
        "429;x=1",
        "503;count=-1",
        "503;route=elsewhere",
        "503;count",
        "200",
        "hang;after=z",
        "hang;seconds=soon",
        "slow;factor=-2",
        "failed;at=2",
        "html;status=999",
        "dialect;url=body",
    ],
)
def test_the_grammar_refuses_mistakes(text: str) -> None:
    with pytest.raises(ValueError):
        parse_faults(text)


def test_a_rule_acts_after_its_skips_and_as_often_as_it_may() -> None:
    faults = FaultSet()
    faults.add("503", route="create", times=2, after=1)
    acted = [bool(faults.select("create")) for _ in range(5)]
    assert acted == [False, True, True, False, False]
    assert faults.select("query") == []


def test_a_header_fault_counts_across_requests_carrying_it_until_reset() -> None:
    faults = FaultSet()
    header = "429;count=2;retry_after=0"
    assert [len(faults.select("create", header)) for _ in range(3)] == [1, 1, 0]
    faults.reset()
    assert len(faults.select("create", header)) == 1


def test_only_one_answer_fault_acts_on_a_request_and_the_other_keeps_its_count() -> None:
    faults = FaultSet(["503;count=1", "500;count=1", "dialect"])
    first = [f.kind for f in faults.select("create")]
    second = [f.kind for f in faults.select("create")]
    assert first == ["503", "dialect"]
    assert second == ["500", "dialect"]


def test_task_faults_act_only_on_creates() -> None:
    faults = FaultSet(["failed;count=1"])
    assert faults.select("query") == [] and faults.select("download") == []
    assert [f.kind for f in faults.select("create")] == ["failed"]


# request checks


def test_the_spec_is_found_from_the_checkout() -> None:
    assert spec_path().name == "wan-r2v.yaml" and spec_path().is_file()


@pytest.mark.parametrize("name", sorted(SEED_EXAMPLES))
def test_the_seed_examples_have_no_problems(name: str) -> None:
    assert create_body_problems(SEED_EXAMPLES[name]) == []


def test_every_problem_is_listed_once_with_the_rules_names() -> None:
    body = seed(model="nope", prompt="", size="12x3", videos=["not a url"])
    body["extra_body"]["seed"] = SEED_MAX + 1
    fields = [p.field for p in create_body_problems(body)]
    assert fields == ["model", "prompt", "videos[0]", "size", "seed"]


def test_schema_only_problems_are_reported_too() -> None:
    body = seed(unknown_is_fine=1)
    body["extra_body"]["shot_type"] = "single"
    assert create_body_problems(body) == []
    # a size the rules accept for a model they do not know, but the spec's pattern refuses
    other = seed(model="other-gateway-model", size="0*720")
    assert create_body_problems(other, strict=False)[0].field == "size"
    assert "does not match" in create_body_problems(other, strict=False)[0].message
    assert [p.field for p in create_body_problems([1, 2])] == ["body"]


def test_the_preset_table_is_the_one_source_of_limits() -> None:
    tight = {
        model: preset.replace(max_duration=6) if model == "wan2.6-r2v-flash-720p-audio" else preset
        for model, preset in PRESETS.items()
    }
    assert create_body_problems(seed(duration=8)) == []
    assert [p.field for p in create_body_problems(seed(duration=8), presets=tight)] == ["duration"]


# MP4 files


@pytest.mark.parametrize(("width", "height", "seconds"), [(1280, 720, 5), (720, 1280, 2)])
def test_generated_files_have_the_exact_size_and_duration(
    width: int, height: int, seconds: int
) -> None:
    info = probe_mp4(video_file(width, height, seconds))
    assert (info.width, info.height) == (width, height)
    assert info.duration == pytest.approx(seconds, abs=0.01)
    assert info.codec in ("avc1", "mp4v")
    assert info.frame_count == seconds * 2


def test_generated_files_decode_with_ffmpeg() -> None:
    path = video_file(960, 960, 3, fps=3)
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    assert len(frames) == 9
    assert (frames[0].width, frames[0].height) == (960, 960)
    assert bytes(frames[0].planes[0]) != bytes(frames[-1].planes[0])  # the picture moves


def test_files_are_cached_and_the_probe_refuses_non_mp4() -> None:
    assert video_file(1280, 720, 5) == video_file(1280, 720, 5)
    assert video_bytes(1280, 720, 5) == video_file(1280, 720, 5).read_bytes()
    with pytest.raises(Mp4Error):
        probe_mp4_bytes(b"<html>not a video</html>")
    with pytest.raises(Mp4Error):
        probe_mp4_bytes(video_bytes(1280, 720, 5)[:2000])
    with pytest.raises(ValueError):
        video_file(1281, 720, 5)
