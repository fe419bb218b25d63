"""Every rule is checked before anything is sent: each broken rule raises with zero requests made."""

from __future__ import annotations

from typing import Any

import pytest
from _facade_fakes import Gateway, make_async_client, make_client, ok, task_json

from wan_r2v import ValidationError

VALID: dict[str, Any] = {
    "model": "wan2.6-r2v-flash-720p-audio",
    "prompt": "character1 waves",
    "videos": ["https://example.com/v.mp4"],
}

RULES = [
    ({"model": None}, "model"),
    ({"model": "wan2.6-t2v"}, "model"),
    ({"model": None, "tier": "flash", "resolution": "1080p"}, "model"),
    ({"resolution": "1080p"}, "resolution"),
    ({"prompt": "   "}, "prompt"),
    ({"videos": None}, "videos/images"),
    ({"videos": "https://example.com/v.mp4"}, "videos"),
    ({"videos": ["file:///etc/passwd"]}, "videos[0]"),
    ({"images": ["not a url"]}, "images[0]"),
    ({"videos": [f"https://e.com/{i}.mp4" for i in range(4)]}, "videos"),
    ({"images": [f"https://e.com/{i}.png" for i in range(5)]}, "videos/images"),
    ({"size": "1920*1080"}, "size"),
    ({"size": "1280x720"}, "size"),
    ({"aspect": "2:1"}, "aspect"),
    ({"aspect": "9:16", "size": "1280*720"}, "size"),
    ({"duration": 1}, "duration"),
    ({"duration": 11}, "duration"),
    ({"duration": 5.5}, "duration"),
    ({"negative_prompt": "x" * 501}, "negative_prompt"),
    ({"audio": "ftp://e.com/a.mp3"}, "audio"),
    ({"model": "wan2.6-r2v-flash-720p-silent", "audio": "https://e.com/a.mp3"}, "audio"),
    ({"shot_type": "pan"}, "shot_type"),
    ({"enable_prompt_expansion": "yes"}, "enable_prompt_expansion"),
    ({"seed": -2}, "seed"),
    ({"seed": 2**31}, "seed"),
    ({"seed": True}, "seed"),
    ({"modle": "x"}, "modle"),
]


def _args(change: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {**VALID, **change}.items() if v is not None}


@pytest.mark.parametrize(("change", "field"), RULES)
@pytest.mark.parametrize("method", ["create", "generate", "build_request"])
def test_each_rule_sends_nothing(
    change: dict[str, Any], field: str, method: str, tmp_path: Any
) -> None:
    gateway = Gateway(ok(task_json()))
    client = make_client(gateway)
    extra = {"path": tmp_path} if method == "generate" else {}
    with pytest.raises(ValidationError) as info:
        getattr(client, method)(**_args(change), **extra)
    assert field in [p.field for p in info.value.problems]
    assert gateway.requests == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
@pytest.mark.parametrize(("change", "field"), RULES[::4])
async def test_each_rule_sends_nothing_async(change: dict[str, Any], field: str) -> None:
    gateway = Gateway(ok(task_json()))
    async with make_async_client(gateway) as client:
        with pytest.raises(ValidationError) as info:
            await client.create(**_args(change))
    assert field in [p.field for p in info.value.problems]
    assert gateway.requests == []


@pytest.mark.parametrize(
    "task_id", ["", "../admin", "a/b", "t?x", "t#f", "t%2e", "t x", "t\x00", "x" * 300]
)
def test_unsafe_task_ids_send_nothing(task_id: str, tmp_path: Any) -> None:
    gateway = Gateway(ok(task_json()))
    client = make_client(gateway)
    for call in (
        lambda: client.get(task_id),
        lambda: client.wait(task_id, timeout=5),
        lambda: client.download(task_id, tmp_path),
    ):
        with pytest.raises(ValidationError):
            call()
    assert gateway.requests == []


def test_missing_configuration_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAN_R2V_API_KEY", raising=False)
    import httpx

    from wan_r2v import Client

    gateway = Gateway(ok(task_json()))
    client = Client(
        None, "https://gw.test", http_client=httpx.Client(transport=httpx.MockTransport(gateway))
    )
    with pytest.raises(ValidationError, match="WAN_R2V_API_KEY"):
        client.create(**VALID)
    assert gateway.requests == []
