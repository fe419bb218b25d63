"""The credentials of signed URLs (S3, OSS, GCS, Azure, CloudFront) are scrubbed from texts; nothing else is."""

from __future__ import annotations

import pytest

from wan_r2v._core import redact
from wan_r2v._signed_urls import scrub_signed_urls


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        (
            "https://b.s3.amazonaws.com/k.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIA123%2F20261130%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20261130T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
            "&X-Amz-Security-Token=FQoG123&X-Amz-Signature=deadbeef01",
            ["AKIA123", "FQoG123", "deadbeef01"],
        ),
        (
            "https://b.oss-cn-beijing.aliyuncs.com/k.png?OSSAccessKeyId=LTAI5t&Expires=1&Signature=abc%2Bdef%3D",
            ["LTAI5t", "abc%2Bdef%3D"],
        ),
        (
            "https://storage.googleapis.com/b/k?X-Goog-Algorithm=GOOG4-RSA-SHA256"
            "&X-Goog-Credential=svc%40p.iam&X-Goog-Signature=0a1b2c",
            ["svc%40p.iam", "0a1b2c"],
        ),
        ("https://a.blob.core.windows.net/c/k?sv=2022&se=2026&sp=r&sig=Zm9vYmFy%3D", ["Zm9vYmFy"]),
        (
            "https://d.cloudfront.net/k?Expires=1&Policy=eyJTdGF0&Signature=QWxp&Key-Pair-Id=K2JC",
            ["eyJTdGF0", "QWxp", "K2JC"],
        ),
    ],
)
def test_every_credential_in_the_query_is_masked(url: str, secrets: list[str]) -> None:
    text = f'the provider said: could not fetch "{url}" (status 403)'
    scrubbed = scrub_signed_urls(text)
    for secret in secrets:
        assert secret not in scrubbed
    assert scrubbed.startswith('the provider said: could not fetch "https://')
    assert scrubbed.endswith('" (status 403)')
    assert redact(text, None) == scrubbed  # redact() scrubs them even with no API key


def test_text_without_signed_urls_is_left_alone() -> None:
    text = "size=1280*720 is not allowed; see https://example.com/a.mp4?width=3&designation=x"
    assert scrub_signed_urls(text) == text
