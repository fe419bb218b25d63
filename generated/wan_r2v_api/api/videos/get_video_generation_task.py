from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.flat_error import FlatError
from ...models.task_envelope import TaskEnvelope
from ...models.video_task import VideoTask
from ...types import Response


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/video/generations/{task_id}".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | FlatError | TaskEnvelope | VideoTask | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> TaskEnvelope | VideoTask:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = TaskEnvelope.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = VideoTask.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

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

    if response.status_code == 404:

        def _parse_response_404(data: object) -> ErrorResponse | FlatError:
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

        response_404 = _parse_response_404(response.json())

        return response_404

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
) -> Response[ErrorResponse | FlatError | TaskEnvelope | VideoTask]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | FlatError | TaskEnvelope | VideoTask]:
    """Query a task (the variant path other gateways of the family use)

     new-api wraps the task in an envelope whose `data.id` is the
    database row number (an integer) and `data.task_id` the task id;
    status words are upper case, progress is text like `"30%"`, the URL
    is `result_url` and the failure text `fail_reason`. Gateways that
    answer here as on `/v1/videos/{task_id}` send the flat task.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FlatError | TaskEnvelope | VideoTask]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | FlatError | TaskEnvelope | VideoTask | None:
    """Query a task (the variant path other gateways of the family use)

     new-api wraps the task in an envelope whose `data.id` is the
    database row number (an integer) and `data.task_id` the task id;
    status words are upper case, progress is text like `"30%"`, the URL
    is `result_url` and the failure text `fail_reason`. Gateways that
    answer here as on `/v1/videos/{task_id}` send the flat task.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FlatError | TaskEnvelope | VideoTask
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | FlatError | TaskEnvelope | VideoTask]:
    """Query a task (the variant path other gateways of the family use)

     new-api wraps the task in an envelope whose `data.id` is the
    database row number (an integer) and `data.task_id` the task id;
    status words are upper case, progress is text like `"30%"`, the URL
    is `result_url` and the failure text `fail_reason`. Gateways that
    answer here as on `/v1/videos/{task_id}` send the flat task.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FlatError | TaskEnvelope | VideoTask]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | FlatError | TaskEnvelope | VideoTask | None:
    """Query a task (the variant path other gateways of the family use)

     new-api wraps the task in an envelope whose `data.id` is the
    database row number (an integer) and `data.task_id` the task id;
    status words are upper case, progress is text like `"30%"`, the URL
    is `result_url` and the failure text `fail_reason`. Gateways that
    answer here as on `/v1/videos/{task_id}` send the flat task.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FlatError | TaskEnvelope | VideoTask
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
