"""Configuration: arguments over environment, bounded timeouts, the key kept out of sight."""

from __future__ import annotations

import httpx
import pytest

from wan_r2v import AsyncClient, Client, ValidationError
from wan_r2v._config import DEFAULT_TIMEOUT, Secret, make_config

KEY = "sk-config-test-abcdef"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAN_R2V_API_KEY", raising=False)
    monkeypatch.delenv("WAN_R2V_BASE_URL", raising=False)


def test_environment_fills_in_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAN_R2V_API_KEY", "sk-from-env")
    monkeypatch.setenv("WAN_R2V_BASE_URL", "https://env.example/")
    with Client() as client:
        assert client.base_url == "https://env.example"
        assert client._config.api_key == Secret("sk-from-env")
    with Client("sk-arg", "https://arg.example") as client:
        assert client.base_url == "https://arg.example"
        assert client._config.api_key == Secret("sk-arg")


def test_timeouts_are_bounded_by_default() -> None:
    with Client(KEY, "https://gw.example") as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert client._http.timeout == DEFAULT_TIMEOUT
    with Client(KEY, "https://gw.example", timeout=5) as client:
        assert client.timeout.read == 5.0 and client.timeout.connect == 5.0
    with Client(KEY, "https://gw.example", timeout=None) as client:
        assert client.timeout == DEFAULT_TIMEOUT


def test_a_passed_in_client_keeps_its_timeout_unless_unbounded() -> None:
    mine = httpx.Client(timeout=7.0)
    assert Client(KEY, "https://gw.example", http_client=mine).timeout.read == 7.0
    unbounded = httpx.Client(timeout=None)
    assert Client(KEY, "https://gw.example", http_client=unbounded).timeout == DEFAULT_TIMEOUT
    assert (
        AsyncClient(KEY, "https://gw.example", http_client=httpx.AsyncClient(timeout=None)).timeout
        == DEFAULT_TIMEOUT
    )


def test_a_passed_in_client_is_not_closed() -> None:
    mine = httpx.Client()
    with Client(KEY, "https://gw.example", http_client=mine):
        pass
    assert not mine.is_closed
    with Client(KEY, "https://gw.example") as client:
        own = client._http
    assert own.is_closed


@pytest.mark.parametrize(
    ("base_url", "fragment"),
    [
        ("https://gw.example/v1", "without '/v1'"),
        ("https://gw.example/v1/", "without '/v1'"),
        ("ftp://gw.example", "http(s) URL"),
        ("gw.example", "http(s) URL"),
        ("https://gw.example/?x=1", "query"),
        ("http://gw.example", "allow_insecure_http"),
    ],
)
def test_bad_base_urls_are_refused_with_the_fix(base_url: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        Client(KEY, base_url)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:8000"]
)
def test_plain_http_to_loopback_is_fine(base_url: str) -> None:
    assert Client(KEY, base_url).base_url == base_url


def test_plain_http_elsewhere_needs_the_explicit_opt_in() -> None:
    assert (
        Client(KEY, "http://gw.example", allow_insecure_http=True).base_url == "http://gw.example"
    )
    assert (
        Client(None, "http://gw.example").base_url == "http://gw.example"
    )  # no key, nothing to leak


def test_other_settings_are_checked() -> None:
    with pytest.raises(ValidationError) as info:
        make_config(
            api_key=KEY,
            base_url=None,
            timeout=None,
            own_client=True,
            max_retries=-1,
            poll_interval=0,
            max_download_bytes=0,
            task_path="tasks",  # type: ignore[arg-type]
        )
    assert [p.field for p in info.value.problems] == [
        "max_retries",
        "poll_interval",
        "max_download_bytes",
        "task_path",
    ]


def test_the_key_never_shows() -> None:
    client = Client(KEY, "https://gw.example")
    for text in (
        repr(client),
        str(client),
        repr(client._config),
        repr(vars(client)),
        repr(client._ctx),
    ):
        assert KEY not in text
    assert "api_key=<set>" in repr(client)
    assert repr(Secret(KEY)) == "Secret('***')"
