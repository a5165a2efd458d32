"""The built frontend: files from STATIC_DIR, and index.html for client-side routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, PlainTextResponse, Response

from bff.problems import http_error

NOT_BUILT = (
    "The frontend is not built, so there is nothing to show here yet.\n"
    "Build it (cd frontend && npm run build) or set BFF_STATIC_DIR to the folder with index.html.\n"
    "The API is available under /api.\n"
)
# Vite puts content-hashed files under assets/: they never change, so browsers may keep them.
IMMUTABLE = "public, max-age=31536000, immutable"


def add_frontend_routes(app: FastAPI, static_dir: Path) -> None:
    root = static_dir.resolve()

    @app.api_route("/{full_path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def frontend(full_path: str) -> Response:
        if full_path == "api" or full_path.startswith("api/"):
            raise http_error(404)
        index = root / "index.html"
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=200 if full_path == "" else 404)
        if full_path:
            candidate = (root / full_path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                cache = IMMUTABLE if candidate.parent.name == "assets" else "no-cache"
                return FileResponse(candidate, headers={"cache-control": cache})
            if "." in full_path.rsplit("/", 1)[-1]:  # a missing file, not a client-side route
                return PlainTextResponse("Not found\n", status_code=404)
        return FileResponse(index, headers={"cache-control": "no-cache"})
