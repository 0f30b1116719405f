"""Writes of the engine: organisation, members, object grants, clocks, history.

Each function is keyword-only and runs inside the caller's transaction when there is one.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from guardian.utils import get_group_obj_perms_model

from workflow import clockmath, deadlines, history, workdays
from workflow.models import (
    Clock,
    ClockPause,
    ClockRule,
    ClockStatus,
    Level,
    Membership,
    OrgUnit,
    PilotZone,
    Role,
    RoleGroup,
    Sector,
    TransitionRecord,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
# The city-level unit is not in the districts file (it lists what lies *in* the city); it is the
# one fixed root every district and zone hangs from.
CITY = {"code": "beijing", "name_zh": "北京市", "name_en": "Beijing Municipality"}
_KIND_TO_LEVEL = {"district": Level.DISTRICT, "development_zone": Level.ZONE, "zone": Level.ZONE}


# --- organisation -----------------------------------------------------------------------------


@transaction.atomic
def org_load(*, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Create or update sectors, units, pilot zones and role groups from the data files. Idempotent."""
    sectors = json.loads((data_dir / "sectors.json").read_text(encoding="utf-8"))["sectors"]
    for s in sectors:
        Sector.objects.update_or_create(
            slug=s["slug"], defaults={"name_zh": s["name_zh"], "name_en": s["name_en"], "tier": s["tier"]}
        )
    city, _ = OrgUnit.objects.update_or_create(
        code=CITY["code"],
        defaults={"name_zh": CITY["name_zh"], "name_en": CITY["name_en"], "level": Level.CITY},
    )
    districts = json.loads((data_dir / "beijing_districts.json").read_text(encoding="utf-8"))["districts"]
    zones: dict[str, dict] = {}
    for d in districts:
        unit, _ = OrgUnit.objects.update_or_create(
            code=d["code"],
            defaults={
                "name_zh": d["name_zh"],
                "name_en": d["name_en"],
                "level": _KIND_TO_LEVEL[d["kind"]],
                "parent": city,
            },
        )
        unit.leading_industries.set(d["leading_industries"])
        for z in d.get("pilot_zones", []):
            zones.setdefault(z["slug"], {"zone": z, "units": []})["units"].append(unit)
    for slug, entry in zones.items():
        zone, _ = PilotZone.objects.update_or_create(
            slug=slug, defaults={"name_zh": entry["zone"]["name_zh"], "name_en": entry["zone"]["name_en"]}
        )
        zone.units.set(entry["units"])
    # §6b: the departments the measures name as responsible, and the city government (never hand-typed)
    departments = json.loads((data_dir / "city_departments.json").read_text(encoding="utf-8"))["departments"]
    for d in departments:
        OrgUnit.objects.update_or_create(
            code=d["code"],
            defaults={"name_zh": d["name_zh"], "name_en": d["name_en"], "level": d["level"], "parent": city},
        )
    for unit in OrgUnit.objects.all():
        for role in Role.values:
            _role_group(unit=unit, role=role)
    return {
        "sectors": len(sectors),
        "units": OrgUnit.objects.count(),
        "pilot_zones": len(zones),
        "departments": len(departments),
    }


def unit_add(*, code: str, level: str, name_zh: str, name_en: str = "") -> OrgUnit:
    """Add a unit that is not in the data files — a financial institution (§13), or another zone —
    with its role groups. Refuses a code in use and the levels the data files own."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug

    if level not in (Level.BANK, Level.ZONE):
        raise ValueError(
            f"only bank and zone units are added by hand; {level!r} units come from the data files"
        )
    validate_slug(code)
    if not name_zh.strip():
        raise ValidationError("a unit needs its Chinese name")
    if OrgUnit.objects.filter(code=code).exists():
        raise ValueError(f"a unit with the code {code!r} exists already")
    with transaction.atomic():
        unit = OrgUnit.objects.create(
            code=code, level=level, name_zh=name_zh.strip(), name_en=name_en.strip() or code,
            parent=OrgUnit.objects.filter(level=Level.CITY).first(),
        )  # fmt: skip
        for role in Role.values:
            _role_group(unit=unit, role=role)
    return unit


def _role_group(*, unit: OrgUnit, role: str) -> Group:
    rg = RoleGroup.objects.select_related("group").filter(unit=unit, role=role).first()
    if rg is None:
        group, _ = Group.objects.get_or_create(name=f"{unit.code}:{role}")
        rg = RoleGroup.objects.create(group=group, unit=unit, role=role)
    if unit.level == Level.CITY:
        rg.group.permissions.set(_permissions(settings.CITY_ROLE_PERMISSIONS.get(role, [])))
    return rg.group


def _permissions(names: Iterable[str]) -> list[Permission]:
    perms = []
    for name in names:
        app_label, codename = name.split(".", 1)
        try:
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        except Permission.DoesNotExist as exc:
            raise ValueError(f"no permission {name!r}: is the app migrated?") from exc
    return perms


@transaction.atomic
def member_add(*, user: Any, unit: OrgUnit, role: str) -> Membership:
    """Give `user` a role in `unit` (idempotent). The user joins the unit's role group."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    user.groups.add(_role_group(unit=unit, role=role))
    return membership


def member_remove(*, user: Any, unit: OrgUnit, role: str) -> bool:
    """Take `user`'s role in `unit` (member_add's twin): the membership goes and the user leaves the
    unit's role group. False when they did not hold it."""
    deleted, _ = Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if deleted:
        user.groups.remove(_role_group(unit=unit, role=role))
    return bool(deleted)


# --- object grants (django-guardian, direct foreign-key tables) -------------------------------

# Per-process memories of rows that do not change while the product runs: a model's permissions
# (made by migrate) and the group of each unit's role (made once, when the unit or role first
# appears, never changed). Both are forgotten when the tables are emptied and made again (flush,
# migrate: Django's post_migrate) or a role group is deleted, so an id is never used after its row
# is gone.
_permission_ids: dict[int, dict[str, int]] = {}
_role_groups: dict[tuple[int, str], int] = {}


def permission_ids(content_type_id: int) -> dict[str, int]:
    """codename → id of a model's permissions."""
    if content_type_id not in _permission_ids:
        _permission_ids[content_type_id] = dict(
            Permission.objects.filter(content_type_id=content_type_id).values_list("codename", "id")
        )
    return _permission_ids[content_type_id]


def role_groups(units: Iterable[int]) -> dict[tuple[int, str], int]:
    """(unit id, role) → group id, for every role group of these units."""
    units = set(units)
    if not units <= _role_groups_known:
        for unit_id, role, group_id in RoleGroup.objects.filter(
            unit_id__in=units - _role_groups_known
        ).values_list("unit_id", "role", "group_id"):
            _role_groups[(unit_id, role)] = group_id
        _role_groups_known.update(units)
    return {key: group for key, group in _role_groups.items() if key[0] in units}


_role_groups_known: set[int] = set()


def forget_reference_rows(**kwargs: Any) -> None:
    """Drop the per-process memories above (connected to post_migrate and to RoleGroup changes)."""
    _permission_ids.clear()
    _role_groups.clear()
    _role_groups_known.clear()


def grants_sync(*, obj: models.Model, desired: Mapping[tuple[int, str], Iterable[str]]) -> None:
    """Make the group object permissions on `obj` exactly `desired`.

    `desired` maps (unit id, role) to permission codenames of obj's model. Rows that are missing
    are inserted, rows that are no longer wanted are deleted, the rest are left alone, so calling
    it after every assignment change keeps guardian the single source of truth.
    """
    grants_sync_many({obj: desired})


def grants_sync_many(desired: Mapping[models.Model, Mapping[tuple[int, str], Iterable[str]]]) -> None:
    """grants_sync for several objects of one model at once, in a fixed number of statements."""
    if not desired:
        return
    first = next(iter(desired))
    model = get_group_obj_perms_model(first)
    ct = ContentType.objects.get_for_model(first)
    units = {unit for wanted in desired.values() for unit, _ in wanted}
    groups = role_groups(units)
    if any(key not in groups for wanted in desired.values() for key in wanted):
        forget_reference_rows()  # a role group made since (by another process): read them again
        groups = role_groups(units)
    perm_ids = permission_ids(ct.pk)
    want = {
        (obj.pk, groups[key], perm_ids[codename])
        for obj, wanted in desired.items()
        for key, codenames in wanted.items()
        for codename in codenames
    }
    have = {
        (obj_id, group_id, perm_id): pk
        for pk, obj_id, group_id, perm_id in model._default_manager.filter(
            content_object__in=list(desired)
        ).values_list("pk", "content_object_id", "group_id", "permission_id")
    }
    stale = [pk for key, pk in have.items() if key not in want]
    if stale:
        model._default_manager.filter(pk__in=stale).delete()
    model._default_manager.bulk_create(
        [model(content_object_id=o, group_id=g, permission_id=p) for o, g, p in sorted(want - have.keys())]
    )


# --- history ----------------------------------------------------------------------------------


def history_records(rows: list[dict]) -> list[TransitionRecord]:
    """Append history rows, each chained to its case's previous row (workflow.history). Rows are never
    updated or deleted. Each dict: subject, transition, source, target, actor_id, at, params, rule."""
    records, subjects, known = [], [], {}
    for row in rows:
        row = dict(row)
        subject = row.pop("subject")
        ct = ContentType.objects.get_for_model(subject)
        records.append(TransitionRecord(subject_type=ct, subject_id=subject.pk, **row))
        subjects.append(subject)
        if hasattr(subject, history.LAST_HASH):  # read with its lock (workflow.engine)
            known[(ct.pk, subject.pk)] = getattr(subject, history.LAST_HASH)
    history.chain(records, known)
    for subject, record in zip(subjects, records, strict=True):
        setattr(subject, history.LAST_HASH, record.hash)
    return TransitionRecord.objects.bulk_create(records)


# --- clocks -----------------------------------------------------------------------------------


def clock_start(
    *,
    kind: str,
    subject: models.Model,
    at: datetime,
    warning_days: list[int],
    deadline: datetime | None = None,
    months: int | None = None,
    working_days: int | None = None,
    policy_version: int | None = None,
    note: str = "",
) -> Clock:
    """Start a clock running from `at`, warning `warning_days` days before its deadline. The deadline
    is `deadline` (a fixed moment), or `months` as the Civil Code counts them, or `working_days` on
    the statutory calendar (workflow.deadlines); `policy_version` names the parameters it keeps."""
    row = {"kind": kind, "subject": subject, "at": at, "warning_days": warning_days, "note": note}
    row |= {"deadline": deadline, "months": months, "working_days": working_days}
    return clocks_start([row | {"policy_version": policy_version}])[0]


def clocks_start(rows: list[dict]) -> list[Clock]:
    """Start several clocks at once (clock_start's keyword arguments, one dict each). The statutory
    calendar is read once for all of them, and only if one of them counts by it."""
    calendar: workdays.Calendar | None = None
    clocks = []
    for row in rows:
        rule, period = ClockRule.FIXED, None
        if row.get("months") is not None:
            rule, period = ClockRule.CIVIL_MONTHS, row["months"]
        elif row.get("working_days") is not None:
            rule, period = ClockRule.WORKING_DAYS, row["working_days"]
        deadline, note = row.get("deadline"), row.get("note", "")
        if rule != ClockRule.FIXED:
            calendar = calendar or workdays.current()
            deadline, note = deadlines.compute(
                rule=rule, period=period, started_at=row["at"], paused_seconds=0, calendar=calendar
            )
        if deadline is None:
            raise ValueError("a clock needs a deadline, months or working days")
        warnings = sorted(row["warning_days"], reverse=True)
        clocks.append(
            Clock(
                kind=row["kind"],
                subject_type=ContentType.objects.get_for_model(row["subject"]),
                subject_id=row["subject"].pk,
                started_at=row["at"],
                warning_days=warnings,
                base_deadline_at=deadline,
                deadline_at=deadline,
                due_at=clockmath.next_due(deadline, warnings, []),
                note=note,
                rule=rule,
                period=period,
                policy_version=row.get("policy_version"),
            )
        )
    return Clock.objects.bulk_create(clocks)


# the kinds of a case type's ladder clocks end so ("lead_wait_remind"): workflow.engine
LADDER_SUFFIXES = ("_wait_remind", "_wait_escalate")


def clocks_stop(
    *, kinds: Iterable[str], subjects: list[models.Model], at: datetime, never_paused: bool = False
) -> None:
    """Stop every running or paused clock of these kinds on these subjects (of one model).
    `never_paused`: clocks of these kinds are never paused (the ladder's), so no pause is open."""
    if not subjects:
        return
    clocks = Clock.objects.filter(
        kind__in=list(kinds),
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=[s.pk for s in subjects],
        status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
    )
    # at most two statements, whatever their number: the open pauses end, then the clocks stop
    if not never_paused:
        ClockPause.objects.filter(
            clock__in=clocks.filter(status=ClockStatus.PAUSED), resumed_at__isnull=True
        ).update(resumed_at=at)
    clocks.update(status=ClockStatus.STOPPED, stopped_at=at, due_at=None, paused_at=None)


def _stop(ids: list[int], at: datetime) -> None:
    ClockPause.objects.filter(clock_id__in=ids, resumed_at__isnull=True).update(resumed_at=at)
    Clock.objects.filter(pk__in=ids).update(
        status=ClockStatus.STOPPED, stopped_at=at, due_at=None, paused_at=None
    )


def clock_pause(*, clock: Clock, at: datetime, reason: str) -> None:
    """Stop the clock counting; nothing falls due while it is paused. A ladder's clocks are never
    paused (a wait is stopped and started again instead: workflow.engine)."""
    if clock.kind.endswith(LADDER_SUFFIXES):
        raise ValueError(f"a ladder clock ({clock.kind}) is never paused")
    if clock.status != ClockStatus.RUNNING:
        return
    clock.status, clock.paused_at, clock.due_at = ClockStatus.PAUSED, at, None
    clock.save(update_fields=["status", "paused_at", "due_at"])
    ClockPause.objects.create(clock=clock, paused_at=at, reason=reason)


def clock_resume(*, clock: Clock, at: datetime) -> None:
    """Count again. A fixed clock's deadline moves later by exactly the time spent paused; a Civil
    Code clock's by the whole days paused, then off any rest day (workflow.deadlines)."""
    if clock.status != ClockStatus.PAUSED or clock.paused_at is None:
        return
    paused = max(at - clock.paused_at, timedelta(0))
    clock.paused_seconds += int(paused.total_seconds())
    clock.deadline_at, note = deadlines.compute(
        rule=clock.rule,
        period=clock.period,
        started_at=clock.started_at,
        paused_seconds=clock.paused_seconds,
        calendar=workdays.current() if clock.rule else workdays.Calendar(),
        base_deadline_at=clock.base_deadline_at,
    )
    clock.note = note if clock.rule else clock.note
    clock.status, clock.paused_at = ClockStatus.RUNNING, None
    clock.due_at = clockmath.next_due(clock.deadline_at, clock.warning_days, clock.warnings_sent)
    clock.save(update_fields=["paused_seconds", "deadline_at", "note", "status", "paused_at", "due_at"])
    ClockPause.objects.filter(clock=clock, resumed_at__isnull=True).update(resumed_at=at)


def clock_stop(*, clock: Clock, at: datetime) -> None:
    """Stop for good (progress approved, case closed). A paused clock's open pause is closed too."""
    if clock.status in (ClockStatus.STOPPED, ClockStatus.FIRED):
        return
    _stop([clock.pk], at)
    clock.status, clock.stopped_at, clock.due_at, clock.paused_at = ClockStatus.STOPPED, at, None, None
