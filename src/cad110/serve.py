"""The ASGI application uvicorn imports (`cad110.serve:app`)."""

from __future__ import annotations

from cad110.app import create_app
from cad110.runtime import build_runtime
from cad110.settings import get_settings

app = create_app(build_runtime(get_settings()))
