from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_video_request import CreateVideoRequest
from ...models.error_response import ErrorResponse
from ...models.flat_error import FlatError
from ...models.video_task import VideoTask
from ...types import Response


def _get_kwargs(
    *,
    body: CreateVideoRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/video/generations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | FlatError | VideoTask | None:
    if response.status_code == 200:
        response_200 = VideoTask.from_dict(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 429:

        def _parse_response_429(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 502:

        def _parse_response_502(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_502 = _parse_response_502(response.json())

        return response_502

    if response.status_code == 503:

        def _parse_response_503(data: object) -> ErrorResponse | FlatError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_answer_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_error_answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_answer_type_1 = FlatError.from_dict(data)

            return componentsschemas_error_answer_type_1

        response_503 = _parse_response_503(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | FlatError | VideoTask]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateVideoRequest,
) -> Response[ErrorResponse | FlatError | VideoTask]:
    """Create a reference-to-video task

     Answers at once with a task; the video is made in the background.

    Args:
        body (CreateVideoRequest): The R2V create body. `extra_body` is a literal JSON key the
            gateway
            reads. The limits are the upstream's (and the default preset table's):
            at most 5 references in all, of which at most 3 videos.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FlatError | VideoTask]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateVideoRequest,
) -> ErrorResponse | FlatError | VideoTask | None:
    """Create a reference-to-video task

     Answers at once with a task; the video is made in the background.

    Args:
        body (CreateVideoRequest): The R2V create body. `extra_body` is a literal JSON key the
            gateway
            reads. The limits are the upstream's (and the default preset table's):
            at most 5 references in all, of which at most 3 videos.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FlatError | VideoTask
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateVideoRequest,
) -> Response[ErrorResponse | FlatError | VideoTask]:
    """Create a reference-to-video task

     Answers at once with a task; the video is made in the background.

    Args:
        body (CreateVideoRequest): The R2V create body. `extra_body` is a literal JSON key the
            gateway
            reads. The limits are the upstream's (and the default preset table's):
            at most 5 references in all, of which at most 3 videos.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FlatError | VideoTask]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateVideoRequest,
) -> ErrorResponse | FlatError | VideoTask | None:
    """Create a reference-to-video task

     Answers at once with a task; the video is made in the background.

    Args:
        body (CreateVideoRequest): The R2V create body. `extra_body` is a literal JSON key the
            gateway
            reads. The limits are the upstream's (and the default preset table's):
            at most 5 references in all, of which at most 3 videos.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FlatError | VideoTask
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
