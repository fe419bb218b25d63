"""Jobs naming local reference files: checked with the file, relative to it, uploaded before the intent."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from _batch_helpers import MODEL
from _media import png

from wan_r2v import AsyncClient
from wan_r2v.batch import JobOutcome, State, load_jobs, read_status, run_batch
from wan_r2v.batch._jobs import CREATE_FIELDS, REFERENCE_FIELDS
from wan_r2v.errors import ValidationError
from wan_r2v.presets import PRESETS
from wan_r2v.references import LocalFile, prepare_references
from wan_r2v.sandbox import Sandbox


class RecordingUploader:
    """Stores nothing; returns a URL per file and remembers which paths it was given."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def upload(self, file: LocalFile, *, expires_in: timedelta) -> str:
        self.paths.append(Path(file.path))
        return f"https://uploads.example/{Path(file.path).name}"


def _jobs(folder: Path) -> Path:
    (folder / "refs").mkdir()
    (folder / "refs" / "a.png").write_bytes(png())
    path = folder / "jobs.jsonl"
    job = {"name": "local", "model": MODEL, "prompt": "character1 smiles", "images": ["refs/a.png"]}
    path.write_text(json.dumps(job) + "\n")
    return path


def test_reference_fields_are_the_fields_that_may_name_local_files(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(png())
    limits = PRESETS[MODEL].references
    for field in CREATE_FIELDS:
        value: object = [str(image)] if field in ("videos", "images") else str(image)
        prepared = prepare_references({field: value}, limits)
        assert (prepared.local_count > 0) == (field in REFERENCE_FIELDS), field


def test_relative_paths_are_relative_to_the_jobs_file_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs_path = _jobs(tmp_path)
    monkeypatch.chdir("/")
    (job,) = load_jobs(jobs_path).jobs
    assert job.params["images"] == [str(tmp_path / "refs" / "a.png")]
    (tmp_path / "refs" / "a.png").write_bytes(b"not an image at all")
    with pytest.raises(ValidationError, match="line 1: images"):
        load_jobs(jobs_path)


def test_local_files_are_uploaded_and_the_job_runs(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path)
    uploader = RecordingUploader()
    with Sandbox(duration=0.2) as sb:

        async def go(**client: object) -> list[JobOutcome]:
            async with AsyncClient(
                api_key=sb.api_key,
                base_url=sb.base_url,
                poll_interval=0.05,
                **client,  # type: ignore[arg-type]
            ) as c:
                return [o async for o in run_batch(jobs, tmp_path / "out", client=c)]

        env = {k: v for k, v in os.environ.items() if k != "WAN_R2V_UPLOAD_URL"}
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(os, "environ", env)
            with pytest.raises(ValidationError, match=r"a\.png"):
                asyncio.run(go())  # no uploader: refused before anything is sent
        assert sb.count("create") == 0 and not Path(f"{jobs}.journal.sqlite").exists()

        (outcome,) = asyncio.run(go(uploader=uploader))
        assert outcome.state is State.DOWNLOADED
        assert uploader.paths == [tmp_path / "refs" / "a.png"]
        (create,) = [r for r in sb.requests if r.route == "create"]
        assert create.json["images"] == ["https://uploads.example/a.png"]
    assert read_status(Path(f"{jobs}.journal.sqlite")).complete
