import pytest

from cases import demo
from tests.fixtures import *  # noqa: F403
from tests.servers import redis_server  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Every test but the browser ones uses the test database (browser tests drive a server with
    its own database, from inside Playwright's event loop, and must not touch it)."""
    for item in items:
        if item.get_closest_marker("browser") is None and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _fresh_memories():  # type: ignore[no-untyped-def]
    """Each test starts with no remembered reference rows (workflow.refcache): a rolled-back test
    leaves its database as it found it, and the memories must not remember more."""
    from workflow import refcache

    refcache.forget()


@pytest.fixture(autouse=True)
def _org(request, _fresh_memories):  # type: ignore[no-untyped-def]
    """Every test starts with Beijing's units loaded from the project's data files."""
    if request.node.get_closest_marker("browser"):
        return
    from workflow.services import org_load

    org_load()


@pytest.fixture(autouse=True)
def _calendar_alert_sent(request):  # type: ignore[no-untyped-def]
    """The statutory calendar ends with 2026 (chinese-calendar 1.11.0), so any due run after early
    November 2026 warns that it runs out (workflow.statutory). Tests of other things run as if that
    warning had gone out already; tests of the warning itself use `calendar_alert_unsent`."""
    if request.node.get_closest_marker("browser") or "calendar_alert_unsent" in request.fixturenames:
        return
    from django.utils import timezone

    from workflow.models import CalendarAlert
    from workflow.workdays import package_years

    CalendarAlert.objects.bulk_create(
        [CalendarAlert(last_year=y, alerted_at=timezone.now()) for y in range(package_years()[0], 2101)]
    )


@pytest.fixture
def calendar_alert_unsent():  # type: ignore[no-untyped-def]
    """Marks a test of the calendar's warning: it starts unsent (see _calendar_alert_sent)."""


@pytest.fixture
def make_lead():  # type: ignore[no-untyped-def]
    """Register a lead as `actor` (default: the Haidian officer) with demo data plus overrides."""
    from cases.leads import services

    counter = iter(range(1000, 100000))

    def make(actor, serial=None, **overrides):  # type: ignore[no-untyped-def]
        return services.lead_create(actor=actor, data=demo.lead_data(serial or next(counter), **overrides))

    return make


@pytest.fixture
def make_negotiating(make_lead, haidian_officer, city_officer):  # type: ignore[no-untyped-def]
    """A Haidian first-negotiation lead, submitted and confirmed: negotiating, its clock running."""
    from tests.helpers import fire

    def make(serial=None, now=None):  # type: ignore[no-untyped-def]
        lead = fire(make_lead(haidian_officer, serial=serial), "submit", haidian_officer, now=now)
        return fire(lead, "confirm", city_officer, now=now)

    return make
