"""Debian's headless Chromium driven by Playwright, as the tests and the screenshot tool use it."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def launch(playwright, profile: str, width: int = 1440, height: int = 900, *, bypass_csp: bool = True):
    """A persistent context with a fresh profile; Playwright never downloads a browser here.

    Playwright evaluates polled predicates (``wait_for_function``) with ``eval``, which the app's
    Content-Security-Policy forbids, so by default the context ignores the page's CSP;
    ``tests/browser/test_security.py`` launches with ``bypass_csp=False`` to test the app under it.
    """
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        args=FLAGS,
        headless=True,
        viewport={"width": width, "height": height},
        bypass_csp=bypass_csp,
    )
