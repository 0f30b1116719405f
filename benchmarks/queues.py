"""queue: the first page (50 rows) of an officer's queue and of the city's lead list, at scale.

Each page is fetched through the API as its user would (session login, DRF, the serializer),
median and p95 over repeated requests, with the number of SQL queries one request makes. The
baseline is the same 50 rows by one hand-written indexed SQL query, run on the same database.

    python -m benchmarks.queues --db URL [--leads 1000000] [--repeat 50]
"""

import time

from benchmarks import common

# the columns and joins of a list row, as one hand-written query would fetch them
PAGE_SQL = """
SELECT l.id, l.name, l.company_name, l.credit_code, l.sector_id, l.total_investment_cny, l.strategic,
       l.source, l.state, u.code, d.code, l.first_negotiation, c.deadline_at, c.status, l.created_at
FROM cases_lead l
LEFT JOIN workflow_orgunit u ON u.id = l.unit_id
JOIN workflow_orgunit d ON d.id = l.discovering_unit_id
LEFT JOIN workflow_clock c ON c.id = l.clock_id
{where}
ORDER BY l.created_at DESC, l.id DESC LIMIT 50
"""
OFFICER_SQL = PAGE_SQL.format(
    where="""WHERE l.state IN ('draft', 'negotiating') AND EXISTS (
    SELECT 1 FROM cases_leadgroupobjectpermission g
    WHERE g.content_object_id = l.id AND g.group_id = %(group)s AND g.permission_id = %(perm)s)"""
)
CITY_SQL = PAGE_SQL.format(where="")


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(3):
        fn()  # warm caches, the connection, the plan
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    a = common.arguments(__doc__, leads=1_000_000, repeat=50).parse_args()
    common.django_setup(a.db, CONN_MAX_AGE="600", ALLOWED_HOSTS="testserver")
    from django.contrib.auth.models import Permission

    from benchmarks import data
    from workflow.models import RoleGroup

    t0 = time.perf_counter()
    built = data.build(leads=a.leads, clocks=0, due=0)
    print(f"# built {built['leads']:,} leads in {time.perf_counter() - t0:.1f} s", flush=True)
    group = RoleGroup.objects.get(unit__code="haidian", role="officer").group_id
    work = Permission.objects.get(codename="work_lead").pk
    measure("officer queue", "haidian_officer", "/api/queue/", OFFICER_SQL, {"group": group, "perm": work}, a)
    measure("city lead list", "city_officer", "/api/leads/", CITY_SQL, {}, a)


def measure(who: str, username: str, path: str, sql: str, params: dict, a) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))

    def page() -> None:
        response = client.get(path)
        assert response.status_code == 200 and len(response.json()["results"]) == 50, response.content[:300]

    def baseline() -> None:
        with connection.cursor() as c:
            c.execute(sql, params)
            assert len(c.fetchall()) == 50

    seen: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        page()
    ours, base = timed(page, a.repeat), timed(baseline, a.repeat)
    extra = {"queries": len(seen), "leads": a.leads}
    common.result(
        f"queue {who} median", common.median(ours), "ms", common.median(base), "ms one query", **extra
    )
    common.result(
        f"queue {who} p95",
        common.percentile(ours, 95),
        "ms",
        common.percentile(base, 95),
        "ms one query",
        **extra,
    )
    print(f"queue {who} queries: {len(seen)} per page (baseline 1)", flush=True)
    for q in seen:
        print(f"#   {' '.join(q.split())[:200]}")  # one line, whatever the statement's layout


if __name__ == "__main__":
    main()
