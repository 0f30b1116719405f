"""What the journeys do on every lead page: open an action's form, read the lead's state."""

from playwright.sync_api import Page


def open_action(page: Page, name: str) -> None:
    page.click(f"#actions [data-action={name}]")
    page.wait_for_selector("form.sc-form")


def state_of(page: Page) -> str:
    return page.get_attribute("#lead-state", "data-state") or ""
