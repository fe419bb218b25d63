"""Run the sandbox gateway in this process until stdin closes: `python -m bench._sandbox_child D CLOCK [STEPS]`.

Prints the port on the first line of stdout. The benchmarks run it in a child process so that
the server's work never shares the GIL with the client being measured.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from bench._gateway import API_KEY
from wan_r2v.sandbox import Sandbox


def main() -> None:
    """Serve until stdin closes."""
    duration, clock = float(sys.argv[1]), sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 4  # queries to finish a per_poll task
    with Sandbox(api_key=API_KEY, duration=duration, clock=clock, poll_steps=steps) as sandbox:
        print(urlsplit(sandbox.base_url).port, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
