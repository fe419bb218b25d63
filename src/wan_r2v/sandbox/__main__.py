"""``wan-r2v-sandbox`` / ``python -m wan_r2v.sandbox``: run the sandbox gateway in the foreground."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._faults import KINDS, parse_faults
from ._lifecycle import CLOCK_MODES
from ._server import bind_socket, make_server
from ._state import DEFAULT_API_KEY, DIALECTS, SandboxConfig, SandboxState
from .app import SandboxApp

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    kinds = ", ".join(KINDS)
    parser = argparse.ArgumentParser(
        prog="wan-r2v-sandbox",
        description=(
            "A local sandbox of the Wan 2.6 R2V gateway: create and query tasks, download "
            "real MP4 results, inject faults. No key and no network needed."
        ),
        epilog=(
            "Fault grammar: KIND[;key=value...][,KIND...] with keys route=create|query|"
            f"download|api|any, count=N, after=N and each kind's own. Kinds: {kinds}, or any "
            "status 400..599. Per request: the X-Sandbox-Fault header, same grammar. "
            "Control: POST /_sandbox/reset, POST /_sandbox/advance?seconds=S, "
            "GET /_sandbox/requests, GET /_sandbox/count?route=create, GET|POST|DELETE "
            "/_sandbox/faults."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks a free one)")
    parser.add_argument(
        "--api-key", default=DEFAULT_API_KEY, help=f"bearer key to accept ({DEFAULT_API_KEY})"
    )
    parser.add_argument(
        "--duration", type=float, default=2.0, help="seconds from queued to completed (2)"
    )
    parser.add_argument(
        "--clock",
        choices=CLOCK_MODES,
        default="wall",
        help="wall: real time; manual: only /_sandbox/advance; per_poll: each query is a step",
    )
    parser.add_argument(
        "--poll-steps", type=int, default=4, help="queries to completion with --clock per_poll (4)"
    )
    parser.add_argument(
        "--url-ttl", type=float, default=3600.0, help="seconds a result URL stays valid (3600)"
    )
    parser.add_argument("--fps", type=int, default=2, help="frame rate of the result MP4s (2)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="a fault rule for every request, e.g. '429;count=2;retry_after=1' (repeatable)",
    )
    parser.add_argument(
        "--dialect",
        choices=DIALECTS,
        default="uniall",
        help="uniall: the gateway's own answers; new-api: the relay's exactly (envelope, "
        "flat errors, 400 task_not_exist, X-Oneapi-Request-Id, no Retry-After)",
    )
    parser.add_argument(
        "--public-url", default=None, help="base of result URLs (default: the request's Host)"
    )
    parser.add_argument(
        "--check-references",
        action="store_true",
        help="fetch each reference URL as the provider does (without the key) and fail the "
        "task when one cannot be fetched or is not the media it claims",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (warning)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until interrupted; the exit code."""
    parser = build_parser()
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        for spec in args.fault:
            parse_faults(spec)
        config = SandboxConfig(
            api_key=args.api_key,
            duration=args.duration,
            clock=args.clock,
            poll_steps=args.poll_steps,
            url_ttl=args.url_ttl,
            fps=args.fps,
            public_url=args.public_url,
            dialect=args.dialect,
            check_references=args.check_references,
        )
    except ValueError as exc:
        parser.error(str(exc))
    app = SandboxApp(SandboxState(config, args.fault))
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"wan-r2v-sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    base_url = f"http://{host}:{port}"
    faults = "; ".join(args.fault) or "none"
    print(
        f"wan-r2v sandbox gateway on {base_url} (clock={config.clock}, "
        f"duration={config.duration:g} s, dialect={config.dialect}, faults: {faults}"
        f"{', references checked' if config.check_references else ''})\n"
        f"  export WAN_R2V_BASE_URL={base_url}\n"
        f"  export WAN_R2V_API_KEY={config.api_key}\n"
        "Press Ctrl+C to stop.",
        flush=True,
    )
    server = make_server(app, host=args.host, port=port, log_level=args.log_level)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
