"""What a request is, as the error answers need to know it."""

from typing import Any

API_PREFIX = "/api/"


def is_api_request(request: Any) -> bool:
    """A request to the JSON API (`/api/…`): its errors are answered in JSON, not pages."""
    return bool(request.path.startswith(API_PREFIX))
