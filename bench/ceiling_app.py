"""The ceiling for bench/load_test.py: a bare FastAPI app, one `async def` endpoint, a constant body.

bench/load_test.py saves the real `GET /claims?topic=chips&limit=50` response body to a file and starts this
app with CEILING_BODY_FILE pointing at it, and CEILING_HEADERS holding the real response's own headers (Link,
ETag, Cache-Control, ... as a JSON object), so both servers send the same bytes: the difference between them
is everything the real endpoint does per request.

    CEILING_BODY_FILE=/tmp/body.json uvicorn --app-dir bench ceiling_app:app --port 8001
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI, Response

_body_file = os.environ.get("CEILING_BODY_FILE")
BODY = Path(_body_file).read_bytes() if _body_file else b'{"items":[],"next_cursor":null}'
HEADERS: dict[str, str] = json.loads(os.environ.get("CEILING_HEADERS") or "{}")

app = FastAPI()


@app.get("/claims")
async def claims() -> Response:
    return Response(content=BODY, media_type="application/json", headers=HEADERS)
