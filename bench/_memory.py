"""Resident memory of this process from /proc (Linux), in KiB; no psutil needed."""

from __future__ import annotations

from pathlib import Path


def status_kib(field: str) -> int:
    """A `kB` field of /proc/self/status, such as VmRSS (now) or VmHWM (peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); False where the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True
