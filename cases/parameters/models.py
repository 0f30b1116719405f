"""Versioned policy parameters (DESIGN §4 "policy parameters, versioned", §8 "Additions")."""

from django.conf import settings
from django.db import models

from cases import policy


class PolicyVersion(models.Model):
    """One published set of the policy parameters. Never edited: a change is a new version, with the
    day it takes effect and the decision it rests on; a clock keeps the version it started with
    (workflow.Clock.policy_version), so a running deadline never changes under a published version."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField(help_text="clocks starting on or after this day (Beijing) use it")
    basis = models.CharField(max_length=500, help_text="the decision or document that set these numbers")
    no_progress_months = models.PositiveSmallIntegerField()
    warning_days = models.JSONField(help_text="days before the no-progress deadline, largest first")
    remind_working_days = models.PositiveSmallIntegerField()
    escalate_working_days = models.PositiveSmallIntegerField()
    inspection_days = models.PositiveSmallIntegerField()
    rectification_days = models.PositiveSmallIntegerField()
    service_request_working_days = models.PositiveSmallIntegerField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        indexes = [
            # the version in force at a moment: WHERE effective_from <= ? ORDER BY effective_from DESC, version DESC
            models.Index(fields=["-effective_from", "-version"], name="policyversion_in_force_idx"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} from {self.effective_from}"

    @property
    def parameters(self) -> policy.Parameters:
        """The numbers as the pure module's value object."""
        return policy.Parameters(
            **{name: getattr(self, name) for name in policy.PARAMETER_NAMES if name != "warning_days"},
            warning_days=tuple(self.warning_days),
            version=self.version,
        )
