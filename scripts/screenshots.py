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


def shot(page, name: str, url: str | None = None, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_timeout(500)  # the bell's websocket and the charts settle
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        server = EmbeddedServer(var).start()
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
                login(page, server.url, "city_officer")
                shot(page, "queue")
                shot(page, "lead_detail", f"{server.url}/cases/leads/4/")
                shot(page, "assign_recommendation", f"{server.url}/cases/leads/5/do/assign/")
                shot(page, "kpis", f"{server.url}/cases/kpis/")
                shot(page, "state_chart", f"{server.url}/cases/chart/")
                page.context.clear_cookies()
                login(page, server.url, "haidian_officer")
                page.goto(f"{server.url}/cases/leads/new/")
                page.fill("#id_credit_code", "91110108000000099C")
                page.fill("#id_total_investment_cny", "15000")
                page.select_option("#id_segment", "rnd_design")
                shot(page, "register")
                page.context.clear_cookies()
                login(page, server.url, "city_admin")
                shot(page, "people", f"{server.url}/cases/people/")
                phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
                login(phone, server.url, "haidian_leader")
                shot(phone, "phone_queue", full_page=False)
                shot(phone, "phone_lead", f"{server.url}/cases/leads/4/", full_page=False)
                browser.close()
        finally:
            server.stop()
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
