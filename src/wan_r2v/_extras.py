"""The optional extras: which modules each brings and the command that installs it."""

from __future__ import annotations

__all__ = ["SANDBOX_INSTALL", "SANDBOX_MODULES", "sandbox_missing"]

#: Top-level modules that `wan_r2v.sandbox` imports from the ``sandbox`` extra (pyproject.toml).
SANDBOX_MODULES = frozenset({"uvicorn", "h11", "jsonschema", "referencing", "yaml", "av"})
SANDBOX_INSTALL = 'pip install "wan-r2v[sandbox]"'


def sandbox_missing(exc: ImportError) -> str:
    """What to tell a user whose import of the sandbox failed with `exc`."""
    text = str(exc)
    if SANDBOX_INSTALL in text:
        return text
    return f"the wan-r2v sandbox is not installed ({text}); install it with: {SANDBOX_INSTALL}"
