"""The floor: a bare Starlette route answering a small JSON body, served like the fake."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def reviews(request: Request) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": {"list": []}})


app = Starlette(routes=[Route("/api/v1/openapi/get_reviews", reviews, methods=["GET", "POST"])])
