"""deliveries: a transition that tells ten people by e-mail answers without waiting for the mail server.

The embedded server (`manage.py run_embedded`, its due loop woken by each commit) serves the API on
loopback; a mail server on loopback takes `--delay` seconds per message (benchmarks/smtp.py). An
officer submits `--transitions` drafts over HTTP, each telling the city's ten officers. The figure is
the p95 of those answers; the baseline is the same submission in the same run while the ten have
e-mail turned off (nothing to send). Then every e-mail must arrive: the count and how long the
server's loop took to send them all.

    python -m benchmarks.deliveries --db URL [--transitions 10] [--recipients 10] [--delay 2.0]
"""

import json
import subprocess
import sys
import time
import urllib.request

from benchmarks import common
from benchmarks.smtp import SlowSMTP


def people(recipients: int) -> list[int]:
    """The city's officers, `recipients` of them, each with an address."""
    from django.contrib.auth import get_user_model

    from workflow.models import Level, Membership, OrgUnit, Role
    from workflow.services import member_add

    User = get_user_model()  # noqa: N806
    city = OrgUnit.objects.get(level=Level.CITY)
    have = list(Membership.objects.filter(unit=city, role=Role.OFFICER).values_list("user_id", flat=True))
    for i in range(len(have), recipients):
        user = User.objects.create_user(f"bench_city_{i}", email=f"bench_city_{i}@example.org", password="x")
        member_add(user=user, unit=city, role=Role.OFFICER)
        have.append(user.pk)
    return have


def email_on(users: list[int], on: bool) -> None:
    from notifications.models import Preference

    for pk in users:
        Preference.objects.update_or_create(user_id=pk, defaults={"email": on})


def drafts(n: int, serial: int) -> list[int]:
    from django.contrib.auth import get_user_model

    from cases.demo import lead_data
    from cases.leads import services

    officer = get_user_model().objects.get(username="haidian_officer")
    return [services.lead_create(actor=officer, data=lead_data(serial + i)).pk for i in range(n)]


def post(url: str, key: str) -> float:
    """One submission over HTTP; milliseconds until the answer."""
    request = urllib.request.Request(
        url, data=b"{}", headers={"Content-Type": "application/json", "Authorization": f"Token {key}"}
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        response.read()
        if response.status != 200:
            raise SystemExit(f"submit answered {response.status}")
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    a = common.arguments(__doc__, transitions=10, recipients=10, delay=2.0).parse_args()
    smtp = SlowSMTP(delay=a.delay)
    env = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp.port), "ALLOWED_HOSTS": "127.0.0.1,localhost", "REDIS_URL": ""}  # fmt: skip
    common.django_setup(a.db, **env)
    from django.db import connection

    city = people(a.recipients)
    quiet, loud = drafts(a.transitions, 7_000_000), drafts(a.transitions, 7_100_000)
    connection.close()
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", f"127.0.0.1:{port}", "--interval", "3600"],
        cwd=common.ROOT, env=common.process_env(a.db, **env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"{base}/api/auth/token/",
                    data=json.dumps(
                        {"username": "haidian_officer", "password": "shoutan-demo-2026"}
                    ).encode(),
                    headers={"Content-Type": "application/json"},
                )
                key = json.load(urllib.request.urlopen(request, timeout=5))["token"]  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not come up") from None
                time.sleep(0.2)
        email_on(city, False)
        without = [post(f"{base}/api/leads/{pk}/transitions/submit/", key) for pk in quiet]
        email_on(city, True)
        t0 = time.perf_counter()
        with_email = [post(f"{base}/api/leads/{pk}/transitions/submit/", key) for pk in loud]
        expected = a.transitions * len(city)
        wait_until = time.monotonic() + expected * a.delay * 2 + 60
        while smtp.count() < expected and time.monotonic() < wait_until:
            time.sleep(0.1)
        arrived, seconds = smtp.count(), time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(20)
        smtp.close()
    common.result(
        f"transition telling {len(city)} by e-mail (SMTP {a.delay:g} s/message), p95",
        common.percentile(with_email, 95),
        "ms",
        common.percentile(without, 95),
        "the same with e-mail off",
        median=common.median(with_email),
    )
    common.result(f"e-mails arrived of {expected}", arrived, "e-mails", expected, "sent", seconds=seconds)
    print(f"# all e-mails sent {seconds:.1f} s after the first submission", flush=True)
    if arrived != expected:
        raise SystemExit(f"{expected - arrived} e-mails did not arrive")


if __name__ == "__main__":
    main()
