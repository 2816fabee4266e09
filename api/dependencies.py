"""What handlers get from the app, as FastAPI dependencies: the workspace and the settings
that `create_app` puts on `app.state`. Handlers are plain module-level functions, so a test
can import one and call it with a workspace of its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.limits import check_writer
from api.settings import Settings
from api.workspace import Workspace


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def require_writer(request: Request) -> None:
    """401/403 unless the request carries the write token (`api.limits.check_writer`)."""
    check_writer(settings_of(request), request.headers.get("authorization", ""))


WorkspaceDep = Annotated[Workspace, Depends(workspace_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
