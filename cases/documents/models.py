"""The formal papers of the process as PDF, with their document numbers (DESIGN §6a).

A paper's text is rendered from the case's own records at every download; what is stored is only its
number (文号), issued once, on the first download, and the same on every later one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.leads.models import Lead
from workflow.models import OrgUnit


class Kind(models.TextChoices):
    FIRST_NEGOTIATION_NOTICE = "first_negotiation_notice", _("First-negotiation unit notice")
    PUSH_LETTER = "push_letter", _("Push letter")
    REWARD_DECISION = "reward_decision", _("Reward decision (§15)")
    ASSESSMENT_REPORT = "assessment_report", _("Assessment report (§16)")


LEAD_KINDS = (Kind.FIRST_NEGOTIATION_NOTICE, Kind.PUSH_LETTER, Kind.REWARD_DECISION)


class Document(models.Model):
    """One issued paper: its number `〔year〕serial` in the issuing unit's sequence of the year.

    A lead's paper is issued once per (lead, kind); the §16 report once per period (from, to).
    """

    kind = models.CharField(max_length=30, choices=Kind.choices)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(max_length=60)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            # one sequence per issuing unit and year; its index also serves the next serial's
            # SELECT MAX(serial) WHERE unit_id = ? AND year = ?
            models.UniqueConstraint(fields=["unit", "year", "serial"], name="document_serial_once"),
            # two simultaneous first downloads of one paper cannot both get a number
            models.UniqueConstraint(
                fields=["lead", "kind"], condition=models.Q(lead__isnull=False), name="document_once_per_lead"
            ),
            models.UniqueConstraint(
                fields=["kind", "period_from", "period_to"],
                condition=models.Q(lead__isnull=True),
                name="document_once_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(lead__isnull=False, period_from__isnull=True, period_to__isnull=True)
                | models.Q(lead__isnull=True, period_from__isnull=False, period_to__isnull=False),
                name="document_of_a_lead_or_a_period",
            ),
        ]

    def __str__(self) -> str:
        return self.number
