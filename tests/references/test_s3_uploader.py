"""`S3Uploader` against moto's S3 over real HTTP on 127.0.0.1: content names, once only, signed URLs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import _media
import httpx
import pytest
from _s3server import SECRET_KEY, S3TestServer

from wan_r2v import ReferenceLimits, UploadError
from wan_r2v.references import (
    LocalFile,
    S3Uploader,
    UploadProgress,
    check_local_file,
    sha256_of,
    upload_all,
    upload_all_async,
    url_lifetime,
)

HOUR = timedelta(hours=1)


def _file(path: Path, kind: str = "video", field: str = "videos[0]") -> LocalFile:
    problems: list[object] = []
    checked = check_local_file(path, kind, field, ReferenceLimits(), problems)  # type: ignore[arg-type]
    assert checked is not None, problems
    return checked


def test_upload_names_by_content_and_signs_a_url_anyone_can_get(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    data = _media.mp4(4.0)
    file = _file(_media.write(tmp_path, "my clip.mp4", data))
    uploader = S3Uploader(bucket, prefix="wan/refs", **s3_kwargs)
    url = uploader.upload(file, expires_in=HOUR)
    parts = urlsplit(url)
    assert parts.path == f"/{bucket}/wan/refs/{sha256_of(file)}.mp4"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert "X-Amz-Signature" in query
    answer = httpx.get(url, timeout=10)  # no key, no header: only the URL
    assert answer.status_code == 200
    assert answer.content == data
    assert answer.headers["content-type"] == "video/mp4"


def test_a_file_the_store_holds_is_not_sent_again(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    events: list[UploadProgress] = []
    uploader = S3Uploader(bucket, on_progress=events.append, **s3_kwargs)
    first = _file(_media.write(tmp_path, "a.png", _media.png()), "image", "images[0]")
    same = _file(_media.write(tmp_path, "copy-of-a.png", _media.png()), "image", "images[0]")
    uploader.upload(first, expires_in=HOUR)
    writes = len(s3_server.uploads())
    url = uploader.upload(same, expires_in=HOUR)
    assert len(s3_server.uploads()) == writes, "the second upload of the same content wrote again"
    assert [e.state for e in events] == ["checking", "uploaded", "checking", "reused"]
    assert httpx.get(url, timeout=10).content == _media.png()


def test_a_large_file_goes_up_in_parts_with_progress(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    data = _media.mp4(5.0, pad=12 * 1024 * 1024)
    file = _file(_media.write(tmp_path, "big.mp4", data))
    events: list[UploadProgress] = []
    url = S3Uploader(bucket, on_progress=events.append, **s3_kwargs).upload(file, expires_in=HOUR)
    sent = [e.sent for e in events if e.state == "uploading"]
    assert len(sent) >= 3 and sent == sorted(sent) and sent[-1] == len(data)
    assert events[-1].state == "uploaded" and events[-1].sent == events[-1].total == len(data)
    assert httpx.get(url, timeout=30).content == data


def test_a_store_that_refuses_raises_upload_error_without_the_secret(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    file = _file(_media.write(tmp_path, "clip.mp4", _media.mp4()))
    s3_server.refuse_uploads = True
    try:
        with pytest.raises(UploadError) as caught:
            S3Uploader(bucket, **s3_kwargs).upload(file, expires_in=HOUR)
    finally:
        s3_server.refuse_uploads = False
    assert "clip.mp4" in str(caught.value) and bucket in str(caught.value)
    assert SECRET_KEY not in str(caught.value)


def test_a_store_failing_with_503_is_given_up_on_soon(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    """obstore retries 5xx; the uploader bounds it (3 retries), so the user hears back in seconds."""
    import time

    file = _file(_media.write(tmp_path, "clip.mp4", _media.mp4()))
    s3_server.refuse_uploads, s3_server.refusal = True, "503 Service Unavailable"
    before = len(s3_server.uploads())
    started = time.monotonic()
    try:
        with pytest.raises(UploadError):
            S3Uploader(bucket, **s3_kwargs).upload(file, expires_in=HOUR)
    finally:
        s3_server.refuse_uploads, s3_server.refusal = False, "403 Forbidden"
    assert len(s3_server.uploads()) - before == 4  # the first try and 3 retries
    assert time.monotonic() - started < 30


def test_uploads_of_one_request_run_at_once_and_keep_their_order(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str]
) -> None:
    files = [_file(_media.write(tmp_path, f"c{i}.mp4", _media.mp4(2.0 + i))) for i in range(3)]
    uploader = S3Uploader(bucket, **s3_kwargs)
    urls = upload_all(uploader, files, expires_in=HOUR)
    assert [urlsplit(u).path.rsplit("/", 1)[1] for u in urls] == [
        f"{sha256_of(f)}.mp4" for f in files
    ]


def test_one_failed_upload_fails_the_whole_batch_naming_it(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str]
) -> None:
    good = _file(_media.write(tmp_path, "good.mp4", _media.mp4()))
    gone = _file(_media.write(tmp_path, "gone.png", _media.png()), "image", "images[0]")
    gone.path.unlink()  # vanishes between the check and the upload
    with pytest.raises(UploadError) as caught:
        upload_all(S3Uploader(bucket, **s3_kwargs), [good, gone], expires_in=HOUR)
    assert "1 reference upload failed" in str(caught.value)
    assert "images[0] (gone.png)" in str(caught.value)


@pytest.mark.anyio
async def test_async_uploads(tmp_path: Path, bucket: str, s3_kwargs: dict[str, str]) -> None:
    files = [_file(_media.write(tmp_path, f"c{i}.mp4", _media.mp4(3.0 + i))) for i in range(2)]
    urls = await upload_all_async(S3Uploader(bucket, **s3_kwargs), files, expires_in=HOUR)
    async with httpx.AsyncClient(timeout=10) as http:
        bodies = [(await http.get(u)).content for u in urls]
    assert bodies == [f.path.read_bytes() for f in files]


def test_a_file_changed_after_its_check_is_not_stored_under_a_wrong_name(
    tmp_path: Path, bucket: str, s3_kwargs: dict[str, str], s3_server: S3TestServer
) -> None:
    path = _media.write(tmp_path, "clip.mp4", _media.mp4())
    file = _file(path)
    path.write_bytes(_media.mp4(7.0, pad=999))  # other content, other size
    before = len(s3_server.uploads())
    with pytest.raises(UploadError, match="changed since it was checked"):
        S3Uploader(bucket, **s3_kwargs).upload(file, expires_in=HOUR)
    assert len(s3_server.uploads()) == before


def test_the_url_lives_as_long_as_the_wait_plus_a_margin() -> None:
    assert url_lifetime(900) == timedelta(seconds=900) + timedelta(minutes=30)
    assert url_lifetime(30 * 86400) == timedelta(days=7)  # SigV4's longest


def test_repr_and_location_show_no_credentials(s3_kwargs: dict[str, str]) -> None:
    uploader = S3Uploader.from_url("s3://my-bucket/some/prefix/", **s3_kwargs)
    assert uploader.location == "s3://my-bucket/some/prefix"
    assert SECRET_KEY not in repr(uploader) and "my-bucket" in repr(uploader)


def test_from_env_reads_the_upload_url_and_the_usual_variables(
    monkeypatch: pytest.MonkeyPatch, s3_server: S3TestServer, bucket: str, tmp_path: Path
) -> None:
    for name, value in s3_server.credentials_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WAN_R2V_UPLOAD_URL", f"s3://{bucket}/env-prefix")
    uploader = S3Uploader.from_env()
    url = uploader.upload(_file(_media.write(tmp_path, "c.mp4", _media.mp4())), expires_in=HOUR)
    assert f"/{bucket}/env-prefix/" in url and httpx.get(url, timeout=10).status_code == 200


def test_bad_store_urls_and_plain_http_elsewhere_are_refused(s3_kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        S3Uploader.from_url("https://my-bucket/prefix")
    with pytest.raises(ValueError, match="plain http"):
        S3Uploader("b", **{**s3_kwargs, "endpoint": "http://store.example:9000"})
    S3Uploader("b", **{**s3_kwargs, "endpoint": "http://store.example:9000"}, allow_http=True)


def test_without_the_extra_the_message_says_what_to_install(tmp_path: Path) -> None:
    """The plain install (no obstore): the library imports and works; S3 asks for the extra."""
    script = (
        "import sys; sys.modules['obstore'] = None\n"
        "import wan_r2v, wan_r2v.references as r\n"
        "wan_r2v.Client(api_key='sk-x', base_url='http://127.0.0.1:9')\n"
        "try:\n"
        "    r.S3Uploader('bucket')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert "pip install 'wan-r2v[s3]'" in out.stdout
