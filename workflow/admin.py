from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from workflow import statutory
from workflow.errors import CaseError
from workflow.models import Clock, HolidayDate, HolidayYear, Membership, OrgUnit, TransitionRecord
from workflow.workdays import known_years


def _calendar_message(request: HttpRequest, model_admin: admin.ModelAdmin) -> None:
    first, last = known_years()
    model_admin.message_user(
        request,
        f"Statutory working-day calendar known for {first}–{last}; a later year counts Monday–Friday until its "
        "State Council notice is loaded (Holiday years → Load a year, or manage.py load_holidays).",
    )


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    """Clocks with how their deadline was computed: a note says when the statutory calendar was
    unknown for a year and Monday–Friday was assumed."""

    list_display = ["id", "kind", "subject_id", "status", "rule", "period", "deadline_at", "due_at", "note"]
    list_filter = ["kind", "status", "rule"]
    readonly_fields = [f.name for f in Clock._meta.fields]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        _calendar_message(request, self)
        return super().changelist_view(request, extra_context)


class HolidayDateInline(admin.TabularInline):
    model = HolidayDate
    fields = ["day", "kind", "name"]
    readonly_fields = ["day", "kind", "name"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class LoadForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=2100, label=_("Year"))
    file = forms.FileField(label=_("The notice's dates (JSON, see docs/operations.md)"))


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    """Loaded years of the statutory calendar. Dates change only by loading the year's file again
    (here or with manage.py load_holidays), so that every running deadline is computed again with them."""

    list_display = ["year", "reference", "source", "loaded_at", "loaded_by"]
    readonly_fields = ["year", "reference", "source", "loaded_at", "loaded_by"]
    inlines = [HolidayDateInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # a year is added by loading its file (the "Load a year" page)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # removing a year would leave running deadlines computed on dates no longer known

    def get_urls(self) -> list[URLPattern]:
        load = path("load/", self.admin_site.admin_view(self.load_view), name="workflow_holidayyear_load")
        return [load, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        _calendar_message(request, self)
        return super().changelist_view(request, {**(extra_context or {}), "load_url": "load/"})

    def load_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = LoadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            year, upload = form.cleaned_data["year"], form.cleaned_data["file"]
            try:
                data = statutory.parse_holiday_file(
                    year=year, content=upload.read(statutory.MAX_FILE_BYTES + 1)
                )
                counts = statutory.calendar_load(
                    year=year, data={**data, "source": data["source"] or upload.name}, actor=request.user
                )
            except CaseError as exc:
                form.add_error("file", f"{exc.text()} {exc.errors or ''}".strip())
            else:
                self.message_user(
                    request,
                    f"{year}: {counts['holidays']} holidays, {counts['workdays']} make-up working days loaded; "
                    f"{counts['moved']} running deadlines moved.",
                    messages.SUCCESS,
                )
                return redirect("admin:workflow_holidayyear_changelist")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": _("Load a year of the statutory calendar"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workflow/holidayyear/load.html", context)


@admin.register(HolidayDate)
class HolidayDateAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    readonly_fields = ["year", "day", "kind", "name"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


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
