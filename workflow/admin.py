from django.contrib import admin

from workflow.models import Clock, Membership, OrgUnit, TransitionRecord
from workflow.workdays import known_years


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    """Clocks with how their deadline was computed: a note says when the statutory calendar was
    unknown for a year and Monday–Friday was assumed."""

    list_display = ["id", "kind", "subject_id", "status", "deadline_at", "due_at", "note"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Clock._meta.fields]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        first, last = known_years()
        self.message_user(
            request,
            f"Statutory working-day calendar known for {first}–{last}; later years count Monday–Friday "
            "until the chinese-calendar package is upgraded.",
        )
        return super().changelist_view(request, extra_context)


@admin.register(TransitionRecord)
class TransitionRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "subject_type", "subject_id", "transition", "source", "target", "actor", "at"]
    readonly_fields = [f.name for f in TransitionRecord._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # the history is append-only


admin.site.register(OrgUnit)
admin.site.register(Membership)
