"""The ASGI application uvicorn imports (`cad110.serve:app`)."""

from __future__ import annotations

from cad110.app import create_app
from cad110.runtime import Runtime
from cad110.settings import get_settings

app = create_app(Runtime.build(get_settings()))
