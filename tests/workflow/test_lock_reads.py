"""The grants the engine reads with a locked case (workflow.engine._lock) are the ones guardian
would answer: through a role group, in person, everything for a superuser, nothing for someone
inactive."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm

from cases.errors import CaseError
from cases.leads.machine import LEAD
from workflow import engine


def locked_perms(lead, user):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        case = engine._lock(LEAD, lead.pk, user)
    return case.__dict__.get(engine.PERM_MEMO, {}).get(user.pk)


def test_group_and_personal_grants_read_with_the_lock_equal_guardians(make_lead, haidian_officer):
    lead = make_lead(haidian_officer)
    outsider = get_user_model().objects.create_user("outsider", password="x")
    assign_perm("cases.view_lead", outsider, lead)
    assign_perm("cases.work_lead", outsider, lead)
    for user in (haidian_officer, outsider):
        assert locked_perms(lead, user) == set(ObjectPermissionChecker(user).get_perms(lead))
    assert locked_perms(lead, outsider) == {"view_lead", "work_lead"}
    submitted = engine.fire(LEAD, pk=lead.pk, name="submit", actor=outsider)  # a grant in person works
    assert submitted.state == "pending_confirmation"


def test_a_superuser_may_and_an_inactive_officer_may_not(make_lead, haidian_officer):
    root = get_user_model().objects.create_superuser("root", password="x")
    lead = make_lead(haidian_officer)
    assert locked_perms(lead, root) is None  # no memo: guardian's own answer (everything) stands
    assert engine.fire(LEAD, pk=lead.pk, name="submit", actor=root).state == "pending_confirmation"
    other = make_lead(haidian_officer)
    haidian_officer.is_active = False
    haidian_officer.save()
    with pytest.raises(CaseError) as refused:
        engine.fire(LEAD, pk=other.pk, name="submit", actor=haidian_officer)
    assert refused.value.status == 404  # someone inactive sees nothing
