"""Contains endpoint functions for accessing the API"""

#: Each endpoint's HTTP method and path template, by module name: enough to build a request
#: without importing the endpoint modules (which load the client and every answer model).
#: Path parameters are percent-encoded, ``quote(str(value), safe="")``, as ``_get_kwargs`` does.
ROUTES: dict[str, tuple[str, str]] = {
    "create_video_generation": ("post", "/v1/video/generations"),
    "get_video_task": ("get", "/v1/videos/{task_id}"),
    "get_video_generation_task": ("get", "/v1/video/generations/{task_id}"),
    "get_video_content": ("get", "/v1/videos/{task_id}/content"),
}
