"""The engine's records: organisation, roles, durable clocks and the transition history.

Nothing here knows about leads or commitments; cases/ points at these rows, never the reverse.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def in_reader_language(zh: str, en: str) -> str:
    """A name kept in both languages, in the language of the page being drawn (English when the
    reader reads English and an English name exists; Chinese otherwise)."""
    if en and (translation.get_language() or "").startswith("en"):
        return en
    return zh


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    ZONE = "zone", _("Development zone")
    # §6b: the city departments the measures name, the city government, and financial institutions;
    # none of them hosts leads
    DEPARTMENT = "department", _("City department")
    GOVERNMENT = "government", _("City government")
    BANK = "bank", _("Financial institution")


# the levels whose units host leads (negotiate and land them, are assessed under §16)
HOSTING_LEVELS = (Level.DISTRICT, Level.ZONE)


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    LEADER = "leader", _("Leader")


class Sector(models.Model):
    """A 高精尖 sector from sectors.json (loaded by load_org)."""

    slug = models.SlugField(primary_key=True, max_length=40)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=120)
    tier = models.CharField(max_length=20)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)


class OrgUnit(models.Model):
    """The city, a district or a development zone (DESIGN §2)."""

    code = models.SlugField(unique=True, max_length=40)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leading_industries = models.ManyToManyField(Sector, blank=True, related_name="leading_units")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)

    @property
    def hosts_leads(self) -> bool:
        """Districts and zones negotiate and land leads ("各区（含北京经济技术开发区）"); the city, its
        departments, the government and banks do not."""
        return self.level in HOSTING_LEVELS


class PilotZone(models.Model):
    """An area of the commitment pilot (§6); it lies in one or more units."""

    slug = models.SlugField(unique=True, max_length=60)
    name_zh = models.CharField(max_length=80)
    name_en = models.CharField(max_length=160)
    units = models.ManyToManyField(OrgUnit, related_name="pilot_zones")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)


class UnitCapacity(models.Model):
    """The landing capacity a unit maintains for the city's choice of landing unit (§3, §5 "资源禀赋")."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="capacity")
    industrial_land_mu = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    factory_space_m2 = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    updated_on = models.DateField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.unit.code}: {self.industrial_land_mu} mu, {self.factory_space_m2} m²"


class Membership(models.Model):
    """A role a user holds in a unit. Mirrored into the unit's role group, which carries the grants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.unit.code}:{self.role}"


class Absence(models.Model):
    """A person away from `start` to `end` (whole days, Beijing time) and the colleague who covers:
    the deputy gets copies of the person's notifications and sees the person's assigned cases in
    their own queue, acting within the deputy's own roles (DESIGN §7)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField()
    end = models.DateField()
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deputising")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(deputy=models.F("user")), name="absence_deputy_not_self"
            ),
        ]
        indexes = [models.Index(fields=["deputy", "end"], name="absence_deputy_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.start}–{self.end} → {self.deputy_id}"


class RoleGroup(models.Model):
    """The auth group that stands for one role of one unit; guardian grants go to these groups."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_of")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "role"], name="rolegroup_unique")]

    def __str__(self) -> str:
        return self.group.name


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    FIRED = "fired", _("Fired")


class ClockRule(models.TextChoices):
    FIXED = "", _("Fixed moment")
    CIVIL_MONTHS = "civil_months", _("Calendar months, ending at 24:00 of a working day")
    WORKING_DAYS = "working_days", _("Working days")


class Clock(models.Model):
    """A durable deadline with pauses and warnings (DESIGN §4).

    `due_at` is the next moment the sweep must look at this clock (the next unsent warning, else
    the deadline); it is NULL whenever nothing can become due (paused, stopped, fired).
    """

    kind = models.CharField(max_length=40)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    started_at = models.DateTimeField()
    warning_days = models.JSONField(default=list, help_text="days before the deadline, largest first")
    base_deadline_at = models.DateTimeField(help_text="start + period in calendar months, before pauses")
    paused_seconds = models.PositiveBigIntegerField(default=0, help_text="closed pauses, in seconds")
    paused_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(help_text="base deadline plus closed pauses")
    due_at = models.DateTimeField(null=True, blank=True)
    warnings_sent = models.JSONField(default=list, help_text="warning offsets already handled")
    fired_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="how the deadline was computed, if unusual")
    # How the deadline is computed, so that a pause, or a statutory year loaded later, can compute it
    # again (workflow.deadlines): "" a fixed moment (pauses add their exact length), `civil_months`
    # the Civil Code's month period ending at 24:00 of a working day, `working_days` the same
    # wall-clock time on the period-th working day.
    rule = models.CharField(max_length=20, choices=ClockRule.choices, blank=True, default=ClockRule.FIXED)
    period = models.PositiveIntegerField(null=True, blank=True, help_text="months or working days of `rule`")
    policy_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="the policy parameters' version it started with (none: the defaults)"
    )

    class Meta:
        indexes = [
            # process_due: WHERE due_at <= now ORDER BY due_at, only over clocks that can fire.
            models.Index(fields=["due_at"], name="clock_due_idx", condition=models.Q(due_at__isnull=False)),
            # the clocks of one lead or application, newest first, shown on its page.
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status} → {self.deadline_at:%Y-%m-%d %H:%M}"


class ClockPause(models.Model):
    """One pause of a clock, for the ledger shown on the lead."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=60)

    class Meta:
        ordering = ["paused_at", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.paused_at:%Y-%m-%d}–{self.resumed_at or '…'}"


class TransitionRecord(models.Model):
    """Append-only history of every transition of every case (who, when, from, to, parameters, rule)."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    params = models.JSONField(default=dict)
    rule = models.TextField(blank=True)
    # the tamper-evident chain (workflow.history): sha256 of the row's content and its predecessor's hash
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # the timeline of one case: WHERE subject_type = ? AND subject_id = ? ORDER BY at, id
            models.Index(fields=["subject_type", "subject_id", "at"], name="history_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.source} → {self.target}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")


class HolidayYear(models.Model):
    """A year of the statutory calendar loaded from the State Council's notice (DESIGN §4), for a year
    the chinese-calendar package does not know (or corrects). Its dates replace the package's."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    reference = models.CharField(max_length=200, help_text="the notice, e.g. 国办发明电〔2026〕7号")
    source = models.CharField(max_length=200, blank=True, help_text="the file it was loaded from")
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} ({self.reference})"


class HolidayDate(models.Model):
    """One day the notice makes a holiday (放假) or a make-up working day (调休上班). Every other day of
    a loaded year is a working day from Monday to Friday and a rest day at the weekend."""

    year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="dates")
    day = models.DateField(unique=True)
    kind = models.CharField(max_length=10, choices=DayKind.choices)
    name = models.CharField(max_length=60, blank=True, help_text="the holiday it belongs to: 春节, 国庆节 …")

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}"


class CalendarAlert(models.Model):
    """The warning that the statutory calendar runs out (60 days before): one row per year it ran
    out in, inserted by the one due run that sends the warning, so the warning goes out once."""

    last_year = models.PositiveSmallIntegerField(primary_key=True, help_text="the last year known")
    alerted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"calendar ends {self.last_year}-12-31 (warned {self.alerted_at:%Y-%m-%d})"


class Generation(models.Model):
    """One row whose token changes whenever rows the processes keep in memory change (memberships,
    people's addresses and preferences, webhooks, policy versions, the statutory calendar):
    workflow.refcache. A random token, not a counter, so a rolled-back change never reuses one."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("reference generation")

    def __str__(self) -> str:
        return self.token
