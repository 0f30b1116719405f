"""A city's worth of leads, made with set-based SQL (PostgreSQL): the services would take hours.

`leads` leads over every district and zone, newest first in time; 90 % negotiate with a running
no-progress clock, the rest are spread over the other states. Grants are what `_sync_grants`
gives each state (view to the unit's officers and leaders; work and approve where the unit works
the lead). Of the running clocks, `due` have passed their deadline (their warnings already sent);
the others are months away. Extra idle clocks bring the running total to `clocks`.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

# lead i's state is STATES[i % 100]: 90 negotiating, then a little of everything else
STATES = ["negotiating"] * 90 + ["draft"] * 3 + ["pending_confirmation"] * 2 + ["progress_review"]
STATES += ["progressing", "landed", "landed", "closed"]
WORKED = ("draft", "negotiating", "progress_review", "push_requested", "progressing")


def build(*, leads: int, clocks: int, due: int) -> dict[str, int]:
    from cases.models import Lead
    from workflow.models import Level, OrgUnit, RoleGroup

    now = timezone.now()
    units = list(OrgUnit.objects.exclude(level=Level.CITY).order_by("id").values_list("id", flat=True))
    officer = OrgUnit.objects.get(code="haidian").memberships.filter(role="officer").first().user_id
    ct = ContentType.objects.get_for_model(Lead)
    perms = dict(Permission.objects.filter(content_type=ct).values_list("codename", "id"))
    groups = {(rg.unit_id, rg.role): rg.group_id for rg in RoleGroup.objects.all()}
    with transaction.atomic(), connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_unit (k int, unit_id int, officer int, leader int) ON COMMIT DROP")
        c.executemany(
            "INSERT INTO bench_unit VALUES (%s, %s, %s, %s)",
            [(k, u, groups[(u, "officer")], groups[(u, "leader")]) for k, u in enumerate(units)],
        )
        c.execute("CREATE TEMP TABLE bench_state (k int, state text) ON COMMIT DROP")
        c.executemany("INSERT INTO bench_state VALUES (%s, %s)", list(enumerate(STATES)))
        # Clocks first (ids = lead ids), so each lead is inserted already pointing at its clock.
        c.execute(
            """
            INSERT INTO workflow_clock (id, kind, subject_type_id, subject_id, status, started_at,
                warning_days, base_deadline_at, paused_seconds, deadline_at, due_at, warnings_sent, note, rule)
            SELECT i, 'lead_no_progress', %(ct)s, i, 'running', d - interval '3 months', '[30, 7]',
                   d, 0, d, CASE WHEN n <= %(due)s THEN d ELSE d - interval '30 days' END,
                   CASE WHEN n <= %(due)s THEN '[30, 7]'::jsonb ELSE '[]'::jsonb END, '', ''
            FROM (SELECT i, n, CASE WHEN n <= %(due)s THEN %(now)s - interval '1 hour'
                                 ELSE %(now)s + interval '40 days' + (i %% 1000) * interval '1 minute' END AS d
                  FROM (SELECT i, row_number() OVER (ORDER BY i) AS n
                        FROM generate_series(1, %(leads)s) i WHERE i %% 100 < 90) g) s
            """,
            {"ct": ct.pk, "due": due, "now": now, "leads": leads},
        )
        c.execute("SELECT count(*) FROM workflow_clock")
        running = c.fetchone()[0]
        c.execute(
            """
            INSERT INTO cases_lead (id, name, company_name, credit_code, sector_id, segment, total_investment_cny,
                strategic, source, contacts, notes, state, unit_id, discovering_unit_id, first_negotiation,
                first_negotiation_reason, first_negotiation_unit_id, first_negotiation_confirmed_at, clock_id,
                reward_reason, closed_reason, created_by_id, created_at, updated_at, home_registration_number,
                home_country)
            SELECT i, '项目 ' || i, '企业 ' || i, lpad(i::text, 18, '0'), 'integrated_circuits', 'rnd_design',
                   150000000, false, 'district', '', '', s.state,
                   CASE WHEN s.state IN ('draft', 'pending_confirmation') THEN NULL ELSE u.unit_id END,
                   u.unit_id, true, '', u.unit_id, %(now)s, CASE WHEN s.state = 'negotiating' THEN i END,
                   '', '', %(officer)s, %(now)s - i * interval '90 seconds', %(now)s, '', ''
            FROM generate_series(1, %(leads)s) i
            JOIN bench_unit u ON u.k = i %% %(units)s
            JOIN bench_state s ON s.k = i %% 100
            """,
            {"now": now, "leads": leads, "units": len(units), "officer": officer},
        )
        for codename, roles, states in (
            ("view_lead", ("officer", "leader"), None),
            ("work_lead", ("officer", "leader"), WORKED),
            ("approve_lead", ("leader",), WORKED),
        ):
            for role in roles:
                c.execute(
                    f"""
                    INSERT INTO cases_leadgroupobjectpermission (content_object_id, group_id, permission_id)
                    SELECT l.id, u.{role}, %(perm)s FROM cases_lead l JOIN bench_unit u
                      ON u.unit_id = l.discovering_unit_id
                    {"WHERE l.state = ANY(%(states)s)" if states else ""}
                    """,  # noqa: S608 - role is one of two literals above
                    {"perm": perms[codename], "states": list(states or ())},
                )
        extra = clocks - running
        if extra > 0:  # running clocks of other cases, never due in this run
            c.execute(
                """
                INSERT INTO workflow_clock (id, kind, subject_type_id, subject_id, status, started_at,
                    warning_days, base_deadline_at, paused_seconds, deadline_at, due_at, warnings_sent, note, rule)
                SELECT %(base)s + i, 'bench_idle', %(ct)s, 0, 'running', %(now)s, '[]', d, 0, d, d, '[]', '', ''
                FROM (SELECT i, %(now)s + interval '200 days' AS d FROM generate_series(1, %(extra)s) i) s
                """,
                {"base": leads, "ct": ct.pk, "now": now, "extra": extra},
            )
        for table in ("workflow_clock", "cases_lead", "cases_leadgroupobjectpermission"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )  # noqa: S608
    with connection.cursor() as c:
        for table in ("workflow_clock", "cases_lead", "cases_leadgroupobjectpermission"):
            c.execute(f"VACUUM ANALYZE {table}")
    return {"leads": leads, "clocks": max(clocks, running), "due": due}
