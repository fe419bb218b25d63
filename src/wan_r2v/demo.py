"""`python -m wan_r2v.demo` (`make demo`): the seed's first example, end to end, offline.

Starts the embedded sandbox gateway on a free port, runs the gateway page's
first example (a reference video plus guide audio on
``wan2.6-r2v-flash-720p-audio``) through ``wan-r2v generate``, shows its
progress, writes a playable MP4 under ``./out/`` and prints its path, size and
duration. No key and no network needed.

``--gateway`` runs the same command against a real gateway instead (base URL
and key from ``WAN_R2V_BASE_URL`` and ``WAN_R2V_API_KEY``); the example's
reference URLs are placeholders, so pass your own with ``--video``/``--audio``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shlex
import sys
from collections.abc import Sequence
from typing import Any

from ._extras import sandbox_missing
from .cli import run
from .cli._args import ENV_API_KEY, ENV_BASE_URL
from .cli._exit_codes import ExitCode

__all__ = ["SEED_EXAMPLE_ARGS", "main", "seed_example_args"]

#: The seed's first example ("video reference") as `wan-r2v generate` flags.
SEED_EXAMPLE_ARGS: tuple[str, ...] = (
    "--model", "wan2.6-r2v-flash-720p-audio",
    "--prompt", " subject and style, generate a newcamera. ",
    "--video", "https://example.com/reference-shot-1.mp4",
    "--size", "1280*720",
    "--duration", "5",
    "--negative", "watermark, blur, flicker",
    "--audio", "https://example.com/guide-audio.mp3",
    "--shot", "single",
    "--no-expand-prompt",
    "--seed", "-1",
)  # fmt: skip

_SANDBOX_POLL_INTERVAL = "0.5"


def seed_example_args(*, video: str | None = None, audio: str | None = None) -> list[str]:
    """The seed example's flags, with the reference video and guide audio optionally replaced."""
    args = list(SEED_EXAMPLE_ARGS)
    for flag, value in (("--video", video), ("--audio", audio)):
        if value is not None:
            args[args.index(flag) + 1] = value
    return args


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wan_r2v.demo",
        description="Generate the seed's first example as an MP4, offline through the sandbox.",
    )
    parser.add_argument(
        "-o", "--output", default="out", metavar="DIR", help="where the MP4 goes (default: out)"
    )
    parser.add_argument(
        "--task-seconds",
        type=float,
        default=4.0,
        metavar="S",
        help="how long the sandbox takes to 'generate' (default: 4)",
    )
    parser.add_argument(
        "--gateway",
        action="store_true",
        help=f"use the real gateway in ${ENV_BASE_URL} with the key in ${ENV_API_KEY}",
    )
    parser.add_argument("--video", metavar="URL", help="your reference video (with --gateway)")
    parser.add_argument("--audio", metavar="URL", help="your guide audio (with --gateway)")
    return parser


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _generate(cli_args: list[str], environ: dict[str, str]) -> tuple[int, dict[str, Any] | None]:
    """Run `wan-r2v --json generate ...`; progress shows on stderr, the result is parsed."""
    shown = [arg for arg in cli_args if arg != "--json"]
    _say("$ wan-r2v " + shlex.join(shown) + f"   # key from ${ENV_API_KEY}")
    buffer = io.StringIO()
    code = run(["--json", *cli_args], stdout=buffer, environ=environ)
    try:
        document = json.loads(buffer.getvalue())
    except ValueError:
        document = None
    return code, document if isinstance(document, dict) else None


def _report(code: int, document: dict[str, Any] | None) -> int:
    if code != ExitCode.OK or document is None or "file" not in document:
        if document is not None:
            print(json.dumps(document, indent=2), file=sys.stderr)
        _say(f"demo failed (exit code {code})")
        return code or ExitCode.ERROR
    facts = document["file"]
    duration = facts.get("duration")
    print(f"MP4 written: {facts['path']}")
    print(f"  size:     {facts['bytes']} bytes")
    print(f"  duration: {'unknown' if duration is None else f'{duration:.2f} s'}")
    if facts.get("width"):
        print(f"  video:    {facts['width']}x{facts['height']}")
    if facts.get("sound") is not None:
        print(f"  sound:    {'yes (audio track)' if facts['sound'] else 'none (silent)'}")
    print(f"  task:     {document['task']['id']}")
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; return the exit code of `wan-r2v generate`."""
    args = _parser().parse_args(argv)
    example = seed_example_args(video=args.video, audio=args.audio)
    output = args.output.rstrip("/") + "/"
    if args.gateway:
        environ = dict(os.environ)
        if not environ.get(ENV_BASE_URL) or not environ.get(ENV_API_KEY):
            _say(f"--gateway needs ${ENV_BASE_URL} and ${ENV_API_KEY} in the environment")
            return ExitCode.USAGE
        os.makedirs(output, exist_ok=True)
        return _report(*_generate(["generate", *example, "-o", output], environ))
    try:
        from .sandbox import Sandbox
    except ImportError as exc:
        _say(f"the demo runs on the sandbox: {sandbox_missing(exc)}")
        return ExitCode.USAGE
    os.makedirs(output, exist_ok=True)
    api_key = "sk-demo-" + secrets.token_hex(8)
    _say("starting the sandbox gateway ...")
    with Sandbox(api_key=api_key, duration=args.task_seconds, clock="wall") as sandbox:
        _say(f"sandbox gateway at {sandbox.base_url}")
        environ = {**os.environ, ENV_API_KEY: api_key}
        cli_args = [
            "--base-url",
            sandbox.base_url,
            "generate",
            *example,
            "--poll-interval",
            _SANDBOX_POLL_INTERVAL,
            "-o",
            output,
        ]
        result = _generate(cli_args, environ)
    return _report(*result)


if __name__ == "__main__":
    sys.exit(main())
