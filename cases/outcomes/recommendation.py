"""The landing-unit choice on the city's assign and reassign pages: the recommendation as a ranked table
(unit, score out of 100 with each criterion's points, the reasons in words), one radio button per unit.
Nothing is chosen in advance — the city officer picks the unit, whatever the scores say."""

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cases.models import Lead
from cases.outcomes import selectors


class RecommendationRadios(forms.RadioSelect):
    """Radio buttons drawn as the ranked table of cases/_recommendation.html."""

    template_name = "cases/_recommendation.html"

    def __init__(self, ranked: list[dict[str, Any]]) -> None:
        super().__init__()
        self.ranked = ranked

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in context["widget"]["value"]}
        english = (translation.get_language() or "").startswith("en")
        best = self.ranked[0]["score"] if self.ranked else 0
        context["widget"]["rows"] = [
            {
                **r,
                "rank": i,
                "name": r["name_en"] if english else r["name_zh"],
                "checked": r["unit"] in chosen,
                "recommended": best > 0 and r["score"] == best,
                "percent": round(100 * r["score"] / selectors.SCALE),
                "parts": [(CRITERIA[k], r["points"][k], selectors.POINTS[k]) for k in selectors.POINTS],
            }
            for i, r in enumerate(self.ranked, start=1)
        ]
        context["widget"]["scale"] = selectors.SCALE
        context["widget"]["all_zero"] = bool(self.ranked) and best == 0
        return context

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return ""  # the label names a group of radios, not one of them


CRITERIA = {
    "sector": _("sector"),
    "land": _("land"),
    "space": _("factory space"),
    "record": _("landing record"),
}


def unit_field(lead: Lead) -> forms.ChoiceField:
    """The unit choice of `assign`/`reassign`: every unit the lead may go to, best first; required,
    with no initial value."""
    ranked = selectors.lead_recommendations(lead=lead)
    return forms.ChoiceField(
        label=_("Landing unit (ranked by the recommendation; you choose)"),
        choices=[(r["unit"], r["name_zh"]) for r in ranked],
        widget=RecommendationRadios(ranked),
    )
