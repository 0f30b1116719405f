"""Take the screenshots in docs/screenshots/ from the running product (Debian chromium, Playwright).

.venv/bin/python scripts/screenshots.py
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.servers import EmbeddedServer, launch_chromium  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "shoutan-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/queue/")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        server = EmbeddedServer(var).start()
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
                login(page, server.url, "city_officer")
                page.screenshot(path=OUT / "queue.png", full_page=True)
                page.goto(f"{server.url}/cases/leads/4/")
                page.screenshot(path=OUT / "lead_detail.png", full_page=True)
                page.goto(f"{server.url}/cases/chart/")
                page.wait_for_timeout(800)
                page.screenshot(path=OUT / "state_chart.png", full_page=True)
                page.context.clear_cookies()
                login(page, server.url, "haidian_officer")
                page.goto(f"{server.url}/cases/leads/new/")
                page.fill("#id_credit_code", "91110108000000099C")
                page.fill("#id_total_investment_cny", "15000")
                page.select_option("#id_segment", "rnd_design")
                page.screenshot(path=OUT / "register.png", full_page=True)
                browser.close()
        finally:
            server.stop()
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
