"""A client library for accessing Wan 2.6 R2V task API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
