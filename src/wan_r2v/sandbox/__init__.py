"""A local sandbox of the gateway: a real HTTP server for offline development and tests.

Install with ``pip install "wan-r2v[sandbox]"``. Start it three ways:

- ``wan-r2v-sandbox --port 8000`` (or ``python -m wan_r2v.sandbox``);
- ``with Sandbox() as sb:`` in Python (a background thread on a free port);
- the pytest fixture ``wan_r2v_sandbox`` (with the ``wan_r2v_sandbox`` marker).

It answers the create call and both query paths of ``openapi/wan-r2v.yaml``
as the gateway does, checks requests against the spec and the preset table,
runs a deterministic, time-compressed task lifecycle, serves real MP4 results
with Range support and expiring URLs, and injects faults on request (see
`wan_r2v.sandbox._faults` for the grammar).
"""

import sys

from .._extras import SANDBOX_INSTALL, SANDBOX_MODULES

try:
    from ._faults import KINDS as FAULT_KINDS
    from ._faults import Fault, FaultRule, FaultSet, parse_faults
    from ._lifecycle import ClockMode
    from ._sandbox import Sandbox
    from ._state import DEFAULT_API_KEY, ReceivedRequest, SandboxConfig, TaskRecord
    from .app import FAULT_HEADER, SandboxApp, create_app
except ModuleNotFoundError as _missing:
    if (_missing.name or "").partition(".")[0] not in SANDBOX_MODULES:
        raise
    _hint = (
        f"the wan-r2v sandbox needs the 'sandbox' extra (module {_missing.name!r} is missing); "
        f"install it with: {SANDBOX_INSTALL}"
    )
    if sys.argv[:1] == ["-m"]:
        # `python -m wan_r2v.sandbox`: Python imports this package while sys.argv[0] is
        # still "-m", before __main__ could catch anything. A command line gets the
        # hint and exit status 2, like `wan-r2v-sandbox`, not a traceback.
        print(f"wan-r2v-sandbox: error: {_hint}", file=sys.stderr)
        raise SystemExit(2) from None
    raise ModuleNotFoundError(_hint, name=_missing.name) from None

__all__ = [
    "DEFAULT_API_KEY",
    "FAULT_HEADER",
    "FAULT_KINDS",
    "ClockMode",
    "Fault",
    "FaultRule",
    "FaultSet",
    "ReceivedRequest",
    "Sandbox",
    "SandboxApp",
    "SandboxConfig",
    "TaskRecord",
    "create_app",
    "parse_faults",
]
