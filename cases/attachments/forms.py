"""Form pieces for pages that point at attachments (the lead's report_progress page)."""

from typing import Any

from django import forms


class EvidenceCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that each post under their own name, `<name>.<id>`: the transition page passes the
    engine a flat dict of the form (one value per name), which would keep only the last ticked box of
    a shared name. serializers.AttachmentIds gathers them again."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["name"] = f"{name}.{value}"
        return option

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        prefix = f"{name}."
        return [v for k, v in data.items() if k.startswith(prefix)]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an unticked box posts nothing
