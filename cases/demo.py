"""Demo people and leads, shared by the demo-data command and the tests' personas."""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from cases.creditcode import check_character
from cases.people.services import admin_group
from workflow.models import Level, OrgUnit
from workflow.services import member_add, unit_add

DEMO_PASSWORD = "shoutan-demo-2026"

# a financial institution for the demo (banks are added by operators: manage.py add_unit, §6b)
DEMO_BANK = ("demo_bank", "示范银行北京分行", "Demo Bank Beijing Branch")

# username → (unit code, role)
PEOPLE = {
    "city_officer": ("beijing", "officer"),
    "city_leader": ("beijing", "leader"),
    "haidian_officer": ("haidian", "officer"),
    "haidian_officer2": ("haidian", "officer"),  # a colleague: hand-overs and deputies (DESIGN §6a, §7)
    "haidian_leader": ("haidian", "leader"),
    "shunyi_officer": ("shunyi", "officer"),
    "shunyi_leader": ("shunyi", "leader"),
    "bda_officer": ("bda", "officer"),
    "bda_leader": ("bda", "leader"),
    "huairou_officer": ("huairou", "officer"),
    "huairou_leader": ("huairou", "leader"),
    "changping_officer": ("changping", "officer"),
    "changping_leader": ("changping", "leader"),
    # §6b: the finance bureau co-signs support plans, the government approves them, the talent bureau
    # answers service requests, a bank makes financing offers
    "finance_officer": ("finance", "officer"),
    "government_leader": ("government", "leader"),
    "talent_officer": ("talent", "officer"),
    "bank_officer": (DEMO_BANK[0], "officer"),
}
# the demo people's names (the top bar shows name · unit · role); made-up names, one family name each
NAMES = {
    "city_officer": "周明", "city_leader": "吴建国", "haidian_officer": "王磊", "haidian_officer2": "刘洋",
    "haidian_leader": "陈静", "shunyi_officer": "杨帆", "shunyi_leader": "赵强", "bda_officer": "孙悦",
    "bda_leader": "李军", "huairou_officer": "马丽", "huairou_leader": "胡斌", "changping_officer": "郭婷",
    "changping_leader": "何伟", "finance_officer": "高敏", "government_leader": "林涛", "talent_officer": "罗佳",
    "bank_officer": "郑凯",
}  # fmt: skip
# the people administrator (cases.people): manages people and roles, holds no unit's role
ADMINISTRATORS = {"city_admin": "市人员管理员"}


def credit_code(serial: int) -> str:
    """A valid unified social credit code (right check character) for test and demo companies."""
    first17 = f"91110108{serial:09d}"
    return first17 + check_character(first17)


def person(username: str, *, password: str = DEMO_PASSWORD) -> Any:
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save()
    if username in PEOPLE:
        code, role = PEOPLE[username]
        if code == DEMO_BANK[0] and not OrgUnit.objects.filter(code=code).exists():
            unit_add(code=code, level=Level.BANK, name_zh=DEMO_BANK[1], name_en=DEMO_BANK[2])
        member_add(user=user, unit=OrgUnit.objects.get(code=code), role=role)
    if username in ADMINISTRATORS:
        if created:
            user.first_name = ADMINISTRATORS[username]
            user.save(update_fields=["first_name"])
        user.groups.add(admin_group())
    return user


def lead_data(serial: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": f"示范项目 {serial}",
        "company_name": f"北京示范科技有限公司{serial}",
        "credit_code": credit_code(serial),
        "sector": "integrated_circuits",
        "segment": "rnd_design",  # a link §8 lets every district take
        "total_investment_cny": str(Decimal("150000000")),
        "strategic": False,
        "source": "district",
    }
    data.update(overrides)
    return data
