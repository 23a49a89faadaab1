"""Screenshots of the explorer for the README: the seeds loaded into a throwaway SQLite database, served by
`aikb serve`, photographed by Debian's Chromium through Playwright.

    python scripts/ui_screenshots.py [--out docs/screenshots]

Needs /usr/bin/chromium (`apt-get install chromium`) and playwright (a dev dependency); shrinks the PNGs
with pngquant when it is installed (`apt-get install pngquant`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
AIKB = str(Path(sys.executable).parent / "aikb")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"aikb serve exited with {process.returncode}")
        try:
            get_json(f"{base}/health")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("aikb serve did not answer within 60 s")


def shoot(page: Page, base: str, path: str, out: Path, *, wait_for: str = "main") -> None:
    page.goto(base + path, wait_until="networkidle")
    page.wait_for_selector(wait_for, timeout=20_000)
    page.screenshot(path=str(out))
    if shutil.which("pngquant"):  # a palette of 256 colours: a third of the size, no visible change
        subprocess.run(
            ["pngquant", "--force", "--skip-if-larger", "--output", str(out), str(out)], check=False
        )
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {out.stat().st_size // 1024} KB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="aikb_shots_"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'kb.db'}", "AIKB_LOG_LEVEL": "WARNING"}
    subprocess.run([AIKB, "load", str(ROOT / "seeds")], env=env, check=True, cwd=tmp, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [AIKB, "serve", "--no-seeds", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(base, server)
        claim = get_json(f"{base}/claims?topic=chips&entity=huawei&limit=1")["items"][0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            tall = browser.new_page(viewport={"width": 1280, "height": 1380})
            shoot(tall, base, "/ui/", args.out / "overview.png")
            wide = browser.new_page(viewport={"width": 1280, "height": 860})
            shoot(wide, base, "/ui/claims?topic=chips", args.out / "claims.png")
            shoot(wide, base, f"/ui/claims/{claim['id']}", args.out / "claim.png")
            shoot(wide, base, f"/ui/sources/{claim['source']}", args.out / "reader.png")
            shoot(wide, base, "/ui/entities/huawei", args.out / "entity.png")
            shoot(wide, base, "/ui/conflicts", args.out / "conflicts.png")
            shoot(wide, base, "/docs", args.out / "docs.png", wait_for=".swagger-ui .opblock")
            narrow = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            shoot(narrow, base, "/ui/claims?topic=chips&kind=quote", args.out / "claims-390px.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
