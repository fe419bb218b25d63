"""The plugin's former home, kept for installs and conftests that still name it.

The plugin is `wan_r2v.pytest_plugin` (it must load without the sandbox extra,
and this package needs it); an editable install made before the move still
points its ``pytest11`` entry point here until it is reinstalled.
"""

from wan_r2v.pytest_plugin import (
    MARKER,
    pytest_configure,
    wan_r2v_sandbox,
    wan_r2v_sandbox_server,
)

__all__ = ["MARKER", "pytest_configure", "wan_r2v_sandbox", "wan_r2v_sandbox_server"]
