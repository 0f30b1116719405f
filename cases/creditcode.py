"""统一社会信用代码 (unified social credit code) validation, GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 §4: 31 characters, the digits and the capital letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character: 31 − (Σ value × weight mod 31), where 31 maps to 0."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless `value` is a well-formed code with the right check character."""
    if len(value) != 18:
        raise ValidationError(_("A unified social credit code has exactly 18 characters."), code="length")
    bad = sorted({ch for ch in value if ch not in ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code may not contain %(chars)s."),
            code="charset",
            params={"chars": "".join(bad)},
        )
    if check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong; please check the code."),
            code="check",
        )
