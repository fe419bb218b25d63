"""Keep the credentials of signed URLs (presigned S3/OSS/GCS/Azure links) out of messages and output.

A signed URL carries its credential in the query string; the path before it
says nothing secret. Every such parameter's value becomes ``***``, whoever
signed the URL, so a reference URL echoed back in a gateway's error stays safe.
"""

from __future__ import annotations

import re

__all__ = ["SIGNED_QUERY_PARAMETERS", "scrub_signed_urls"]

#: Query parameters that hold a signature, an access key or a session token.
SIGNED_QUERY_PARAMETERS = (
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "X-Goog-Signature",
    "X-Goog-Credential",
    "X-OSS-Signature",
    "X-OSS-Credential",
    "X-OSS-Security-Token",
    "Signature",
    "AWSAccessKeyId",
    "OSSAccessKeyId",
    "GoogleAccessId",
    "security-token",
    "Policy",
    "Key-Pair-Id",
    "sig",
)
_MASK = "***"
_PATTERN = re.compile(
    r"(?i)([?&](?:amp;)?(?:"
    + "|".join(re.escape(p) for p in SIGNED_QUERY_PARAMETERS)
    + r")=)[^&\s\"'<>#\\]+"
)


def scrub_signed_urls(text: str) -> str:
    """The text with every signature, access key and token in a URL's query replaced by ``***``."""
    if "=" not in text:
        return text
    return _PATTERN.sub(lambda m: m.group(1) + _MASK, text)
