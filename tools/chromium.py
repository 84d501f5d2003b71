"""Debian's headless Chromium driven by Playwright, as the tests and the screenshot tool use it."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def launch(playwright, profile: str, width: int = 1440, height: int = 900):
    """A persistent context with a fresh profile; Playwright never downloads a browser here."""
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=FLAGS, headless=True, viewport={"width": width, "height": height}
    )
