from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import demo
from cases.commitments import services as commitment_services
from cases.commitments.machine import COMMITMENT
from cases.leads import services
from cases.leads.machine import LEAD
from cases.models import Lead
from workflow import engine
from workflow.services import org_load


class Command(BaseCommand):
    help = "Load the organisation, demo people (password shoutan-demo-2026) and leads in several states."

    @transaction.atomic
    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        org_load()
        people = {name: demo.person(name) for name in [*demo.PEOPLE, *demo.ADMINISTRATORS]}
        for (
            username,
            full_name,
        ) in demo.NAMES.items():  # the demo's people have names; the tests' personas not
            if not people[username].first_name:
                people[username].first_name = full_name
                people[username].save(update_fields=["first_name"])
        if Lead.objects.exists():
            self.stdout.write("demo leads already present; people refreshed")
            return
        hd, city = people["haidian_officer"], people["city_officer"]

        def lead(serial, actor, steps, **data):  # type: ignore[no-untyped-def]
            obj = services.lead_create(actor=actor, data=demo.lead_data(serial, **data))
            for name, who, params in steps:
                engine.fire(LEAD, pk=obj.pk, name=name, actor=who, params=params)

        lead(1, hd, [], name="海淀芯片设计中心")
        lead(2, hd, [("submit", hd, {})], name="海淀量子计算实验室", sector="quantum_info")
        hd2, hl = people["haidian_officer2"], people["haidian_leader"]
        lead(
            3,
            hd,
            [
                ("submit", hd, {}),
                ("confirm", city, {}),
                ("set_assignee", hd, {"username": hd.username}),  # 承办人: the officer took it
            ],
            name="海淀集成电路封测基地",
        )
        services.activity_create(
            actor=hd,
            lead_id=Lead.objects.get(name="海淀集成电路封测基地").pk,
            data={
                "kind": "visit",
                "at": timezone.now().isoformat(),
                "summary": "实地考察拟选厂房，企业关注用电容量",
            },
        )
        lead(
            4,
            hd,
            [
                ("submit", hd, {}),
                ("confirm", city, {}),
                (
                    "report_progress",
                    hd,
                    # a milestone lies between the clock's start and today (DESIGN §3)
                    {"milestone": "agreement_signed", "date": timezone.localdate(), "evidence": "框架协议"},
                ),
            ],
            name="海淀医药研发总部",
            sector="pharma_health",
            segment="headquarters",
        )
        engine.fire(
            LEAD,
            pk=Lead.objects.get(name="海淀医药研发总部").pk,
            name="set_assignee",
            actor=hl,
            params={"username": hd2.username},  # the leader gave it to a colleague
        )
        lead(
            5,
            city,
            [("submit", city, {})],
            name="市级发现：新能源汽车零部件",
            source="city",
            sector="icv",
            segment="production",
        )
        lead(
            6,
            hd,
            [("submit", hd, {})],
            name="小型软件外包",
            total_investment_cny="20000000",
            sector="new_gen_it",
        )
        lead(
            7,
            hd,
            [],
            name="德国精密传感器研发中心",
            company_name="Sensorik Präzision GmbH",
            credit_code="",
            home_registration_number="HRB 204381",
            home_country="DE",  # a foreign investor without a Chinese entity yet (§3)
        )
        self._commitments(people)
        self.stdout.write(
            self.style.SUCCESS(f"demo loaded: {len(people)} people, password {demo.DEMO_PASSWORD}")
        )

    def _commitments(self, people: dict) -> None:
        for zone in ("huairou_science_city", "future_science_city"):
            commitment_services.standard_publish(
                actor=people["city_officer"],
                data={"zone": zone, "items": ["容积率不低于1.0", "投资强度不低于800万元/亩"]},
            )
        app = commitment_services.commitment_create(
            actor=people["huairou_officer"],
            data={
                "project_name": "怀柔科学城精密仪器厂房", "company_name": "北京示范精密仪器有限公司",
                "credit_code": demo.credit_code(21), "zone": "huairou_science_city", "unit": "huairou",
                "project_type": "factory", "investment_nature": "social", "land_supply": "transfer",
                "industrial_content": True,
            },
        )  # fmt: skip
        engine.fire(COMMITMENT, pk=app.pk, name="submit", actor=people["huairou_officer"])
