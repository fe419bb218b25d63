"""Hostile and bad arguments (hypothesis): invalid ones raise ValidationError and send nothing.

Valid combinations are drawn from the preset table (its data, not a copy of
its rules) and must reach the sandbox, whose spec check is independent of
the facade's; invalid ones are a valid combination with one to three
breakages, each of which the API notes forbid, and must never cause a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from _harness import KEY, Facade, open_facade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_r2v import PRESETS, AsyncClient, Client, Preset, ShotType, ValidationError
from wan_r2v.presets import SEED_MAX, SEED_MIN
from wan_r2v.sandbox import Sandbox

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hosts = st.sampled_from(["example.com", "cdn.example.org", "10.0.0.7", "[2001:db8::1]", "a.b.c.d"])
paths = st.text(
    alphabet=st.characters(categories=["Ll", "Lu", "Nd"], include_characters="-_./%~"),
    max_size=30,
)
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    st.sampled_from(["", ":443", ":8080"]),
    paths,
)
#: Any Unicode text a user may type, lone surrogates aside (they are tested as invalid).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
prompts = texts.filter(lambda s: s.strip() != "")


@st.composite
def valid_cases(draw: st.DrawFn) -> tuple[Preset, dict[str, Any]]:
    """A valid create call and its preset: any model of the table, within its limits, in any spelling."""
    preset: Preset = draw(st.sampled_from(list(PRESETS.values())))
    params: dict[str, Any] = {
        "model": draw(st.sampled_from([preset.model, preset])),
        "prompt": draw(prompts),
    }
    videos = draw(st.integers(0, preset.max_videos))
    images = draw(
        st.integers(max(0, preset.min_references - videos), preset.max_references - videos)
    )
    if videos or draw(st.booleans()):
        params["videos"] = draw(st.lists(urls, min_size=videos, max_size=videos))
    if images or draw(st.booleans()):
        params["images"] = draw(st.lists(urls, min_size=images, max_size=images))
    how = draw(st.sampled_from(["size", "aspect", "both", "none"]))
    aspect = draw(st.sampled_from(sorted(preset.sizes)))
    if how in ("size", "both"):
        params["size"] = preset.sizes[aspect]
    if how in ("aspect", "both"):
        params["aspect"] = aspect
    optional = {
        "duration": st.integers(preset.min_duration, preset.max_duration),
        "negative_prompt": st.text(
            st.characters(exclude_categories=["Cs"]), max_size=preset.max_negative_prompt_chars
        ),
        "shot_type": st.sampled_from(["single", "multi", ShotType.SINGLE, ShotType.MULTI]),
        "enable_prompt_expansion": st.booleans(),
        "seed": st.integers(SEED_MIN, SEED_MAX),
    }
    if preset.accepts_audio:
        optional["audio"] = urls
    for name, values in optional.items():
        if draw(st.booleans()):
            params[name] = draw(values)
    return preset, params


valid_params = valid_cases().map(lambda case: case[1])


def _other_tier_size(preset: Preset) -> str:
    other = next(p for p in PRESETS.values() if p.resolution != preset.resolution)
    return other.default_size


#: A breakage changes a valid call (of that preset) so that it breaks one rule.
Breakage = Callable[[dict[str, Any], Preset, st.DrawFn], None]


def _set(name: str, values: st.SearchStrategy[Any]) -> Breakage:
    def change(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
        params[name] = draw(values)

    return change


def _no_references(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params.pop("videos", None)
    params.pop("images", None)


def _too_many_videos(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params["videos"] = ["https://example.com/v.mp4"] * (preset.max_videos + 1)


def _too_many_references(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params.pop("videos", None)
    params["images"] = ["https://example.com/i.png"] * (preset.max_references + 1)


def _bad_reference(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    field = draw(st.sampled_from(["videos", "images"]))
    bad = draw(
        st.sampled_from(
            [
                "",
                "not a url",
                "ftp://example.com/v.mp4",
                "file:///etc/passwd",
                "javascript:alert(1)",
                "//example.com/v.mp4",
                "http://",
                "https://exa mple.com/v.mp4",
                "https://example.com/\n.mp4",
                "https://example.com:99999/v.mp4",
                "https://[::1/v.mp4",
                "https://example.com/\ud800.mp4",
            ]
        )
    )
    params[field] = [*params.get(field, []), bad]


def _references_not_a_list(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params["videos"] = "https://example.com/v.mp4"


def _size_of_other_tier(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params.pop("aspect", None)
    params["size"] = _other_tier_size(preset)


def _size_and_aspect_disagree(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    aspects = sorted(preset.sizes)
    params["aspect"] = aspects[0]
    params["size"] = preset.sizes[aspects[1]]


def _duration_outside(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params["duration"] = draw(
        st.one_of(
            st.integers(max_value=preset.min_duration - 1),
            st.integers(min_value=preset.max_duration + 1),
        )
    )


def _negative_prompt_too_long(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params["negative_prompt"] = "x" * (preset.max_negative_prompt_chars + 1)


def _audio_on_a_silent_model(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    silent = draw(st.sampled_from([p for p in PRESETS.values() if p.audio is False]))
    params["model"] = silent.model
    params.pop("size", None)
    params.pop("aspect", None)
    params.pop("duration", None)
    params.pop("negative_prompt", None)
    params["audio"] = "https://example.com/a.mp3"


def _contradicting_part(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    part = draw(st.sampled_from(["tier", "resolution", "sound"]))
    if part == "tier":
        params["tier"] = "standard" if preset.tier == "flash" else "flash"
    elif part == "resolution":
        params["resolution"] = "720p" if preset.resolution == "1080p" else "1080p"
    else:
        params["sound"] = not preset.audio if preset.audio is not None else True


def _unknown_argument(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    params[draw(st.sampled_from(["durration", "negativePrompt", "extra_body", "n", "fps"]))] = 1


def _lone_surrogate(params: dict[str, Any], preset: Preset, draw: st.DrawFn) -> None:
    field = draw(st.sampled_from(["prompt", "negative_prompt"]))
    params[field] = "a \ud83d b"
    if field == "negative_prompt":
        params.setdefault("prompt", "p")


BREAKAGES: list[Breakage] = [
    _set("model", st.sampled_from(["", "wan2.6-t2v", "gpt-4o", "WAN2.6-R2V-720P", 42, None])),
    _set("prompt", st.sampled_from(["", "   ", "\n\t", None, 7, ["a"]])),
    _no_references,
    _too_many_videos,
    _too_many_references,
    _bad_reference,
    _references_not_a_list,
    _set("size", st.sampled_from(["1280x720", "1280*", "*720", "big", "1281*720", 1280, "-1*720"])),
    _size_of_other_tier,
    _set("aspect", st.sampled_from(["21:9", "16x9", "", "4:5"])),
    _size_and_aspect_disagree,
    _duration_outside,
    _set("duration", st.sampled_from([5.5, "5", True, float("nan"), [5]])),
    _negative_prompt_too_long,
    _set("negative_prompt", st.sampled_from([5, ["x"], b"bytes"])),
    _audio_on_a_silent_model,
    _set("audio", st.sampled_from(["not a url", "ftp://x/a.mp3", 5])),
    _set("shot_type", st.sampled_from(["triple", "SINGLE ", "", 1, True])),
    _set("enable_prompt_expansion", st.sampled_from(["yes", 1, 0, "true"])),
    _set(
        "seed",
        st.one_of(
            st.integers(max_value=SEED_MIN - 1),
            st.integers(min_value=SEED_MAX + 1),
            st.sampled_from([1.5, "42", True, False]),
        ),
    ),
    _contradicting_part,
    _unknown_argument,
    _lone_surrogate,
]


def recording_client() -> tuple[Client, list[httpx.Request]]:
    """A `Client` whose transport records every request (and answers 500)."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    http = httpx.Client(transport=httpx.MockTransport(record))
    return Client(KEY, "https://gw.test", http_client=http), sent


@st.composite
def invalid_params(draw: st.DrawFn) -> dict[str, Any]:
    """A valid call broken in one to three ways."""
    preset, params = draw(valid_cases())
    for breakage in draw(st.lists(st.sampled_from(BREAKAGES), min_size=1, max_size=3)):
        breakage(params, preset, draw)
    return params


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: getattr(b, "__name__", "set"))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_each_breakage_alone_is_refused_before_sending(
    breakage: Breakage, data: st.DataObject
) -> None:
    """Every breakage on its own (hypothesis combines them, and may hide one behind another)."""
    preset, params = data.draw(valid_cases())
    breakage(params, preset, data.draw)
    client, sent = recording_client()
    with pytest.raises(ValidationError):
        client.create(**params)
    assert sent == []


BAD_URLS = [
    "",
    "not a url",
    "ftp://example.com/v.mp4",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:video/mp4;base64,AAAA",
    "//example.com/v.mp4",
    "http://",
    "https://exa mple.com/v.mp4",
    "https://example.com/\n.mp4",
    "https://example.com:99999/v.mp4",
    "https://example.com:-1/v.mp4",
    "https://[::1/v.mp4",
    "https://example.com/\ud800.mp4",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("field", ["videos", "images", "audio"])
def test_each_bad_url_is_refused_before_sending(field: str, url: str) -> None:
    params: dict[str, Any] = {
        "model": "wan2.6-r2v-flash-720p-audio",
        "prompt": "character1 waves",
        "images": ["https://example.com/ref.png"],
    }
    params[field] = url if field == "audio" else [url]
    client, sent = recording_client()
    with pytest.raises(ValidationError) as caught:
        client.create(**params)
    assert caught.value.problems[0].field.startswith(field)
    assert sent == []


@pytest.fixture
def refusing_facade(mode: str) -> Iterator[tuple[Facade, list[httpx.Request]]]:
    """A facade whose transport records (and refuses) every request it is asked to send."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(record)
    http = httpx.Client(transport=transport) if mode == "sync" else None
    with open_facade(
        mode, base_url="https://gw.test", http_client=http or httpx.AsyncClient(transport=transport)
    ) as facade:
        yield facade, sent


@SETTINGS
@given(params=invalid_params())
def test_invalid_arguments_raise_validation_error_and_send_nothing(
    refusing_facade: tuple[Facade, list[httpx.Request]], params: dict[str, Any]
) -> None:
    facade, sent = refusing_facade
    with pytest.raises(ValidationError) as caught:
        facade.create(**params)
    assert caught.value.problems
    for method in ("build_request",):
        with pytest.raises(ValidationError):
            getattr(facade.client, method)(**params)
    assert sent == []


@SETTINGS
@given(params=valid_params)
def test_valid_arguments_reach_the_gateway_once(
    facade: Facade, sandbox: Sandbox, params: dict[str, Any]
) -> None:
    before = sandbox.count("create")
    task = facade.create(**params)
    assert task.id
    assert sandbox.count("create") == before + 1
    (request,) = [r for r in sandbox.requests if r.route == "create"][before:]
    assert request.status == 200


@pytest.mark.parametrize("client_class", [Client, AsyncClient])
@pytest.mark.parametrize(
    "task_id",
    [
        "../admin",
        "a/b",
        "..",
        "task?x=1",
        "task#frag",
        "task%2F..%2Fadmin",
        "%2e%2e",
        "task\\x",
        "task\n",
        "task\r\nX-Injected: 1",
        "task\x00",
        "task\x7f",
        " task",
        "task id",
        "task\u00a0id",
        "task\u2028",
        "t" * 257,
        "",
        ".",
        "...",
        "task\ud800",
        "task\u200bid",
        "task\u202eid",
        "task\x85",
    ],
)
def test_hostile_task_ids_are_refused_before_sending(
    client_class: type[Client] | type[AsyncClient], task_id: str, tmp_path: Any
) -> None:
    """Every call that takes a task id refuses one that could reach another path."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(record)
    for name, args in (
        ("get", (task_id,)),
        ("wait", (task_id,)),
        ("download", (task_id, tmp_path)),
    ):
        with (
            open_facade(
                "sync" if client_class is Client else "async",
                base_url="https://gw.test",
                http_client=httpx.Client(transport=transport)
                if client_class is Client
                else httpx.AsyncClient(transport=transport),
            ) as facade,
            pytest.raises(ValidationError) as caught,
        ):
            facade.call(name, *args)
        assert caught.value.problems[0].field == "task_id", name
    assert sent == []
    assert list(tmp_path.iterdir()) == []


@SETTINGS
@given(
    task_id=st.text(
        st.characters(exclude_categories=()),  # lone surrogates included
        min_size=1,
        max_size=300,
    )
    | st.text(st.sampled_from("./%?#\\ ~;:@!$&'()*+,=-_azAZ09\x00\x7f\u00e9\u200b"), min_size=1)
)
def test_any_task_id_either_is_refused_or_stays_one_path_segment(
    facade: Facade, sandbox: Sandbox, task_id: str
) -> None:
    """Fuzzed ids: refused before sending, or sent as exactly /v1/videos/<that id>."""
    before = len(sandbox.requests)
    try:
        facade.get(task_id)
    except ValidationError:
        assert len(sandbox.requests) == before
        return
    except Exception as exc:  # the gateway's answer: 404 for an unknown id
        assert type(exc).__name__ == "NotFoundError", exc
    (request,) = sandbox.requests[before:]
    assert request.route == "query"
    assert request.task_id == task_id
    assert request.query == ""
