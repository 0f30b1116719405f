"""The commitment pages: a unit registers, the city publishes standards, the leader approves on commitment."""

from django.test import Client

from cases.demo import credit_code, person
from cases.models import CommitmentApplication


def client_for(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(person(username))
    return client


def test_register_publish_submit_and_approve_through_the_pages():
    officer, leader, city = (
        client_for("huairou_officer"),
        client_for("huairou_leader"),
        client_for("city_officer"),
    )
    response = officer.post("/cases/commitments/new/", {
        "project_name": "怀柔精密仪器厂房", "company_name": "北京精密仪器有限公司", "credit_code": credit_code(880),
        "zone": "huairou_science_city", "unit": "huairou", "project_type": "factory",
        "investment_nature": "social", "land_supply": "transfer", "industrial_content": "on",
    })  # fmt: skip
    app = CommitmentApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/commitments/{app.pk}/"
    assert (
        city.post(
            "/cases/commitments/standards/", {"zone": "huairou_science_city", "items": "容积率≥1.0\n按期投产"}
        ).status_code
        == 302
    )
    assert officer.post(f"/cases/commitments/{app.pk}/do/submit/").status_code == 302
    page = leader.get(f"/cases/commitments/{app.pk}/").content.decode()
    assert 'data-action="approve"' in page and 'data-action="reject"' in page
    assert (
        leader.post(
            f"/cases/commitments/{app.pk}/do/approve/", {"commitments": "严格按标准建设\n按期投产"}
        ).status_code
        == 302
    )
    app.refresh_from_db()
    assert (app.state, app.commitments, app.standard.version) == (
        "approved",
        ["严格按标准建设", "按期投产"],
        1,
    )
    queue = officer.get("/cases/commitments/").content.decode()
    assert "怀柔精密仪器厂房" in queue.split('id="inspections-due"')[1].split("</section>")[0]


def test_an_ineligible_registration_shows_the_reason():
    response = client_for("huairou_officer").post("/cases/commitments/new/", {
        "project_name": "x", "company_name": "y", "credit_code": credit_code(881), "zone": "huairou_science_city",
        "unit": "huairou", "project_type": "other", "investment_nature": "government", "land_supply": "lease",
    })  # fmt: skip
    assert response.status_code == 400
    text = response.content.decode()
    assert "仓库和厂房" in text or "warehouse" in text
    assert CommitmentApplication.objects.count() == 0


def test_a_huairou_officer_cannot_open_a_changping_application():
    from cases.commitments import services as commitment_services

    app = commitment_services.commitment_create(actor=person("changping_officer"), data={
        "project_name": "昌平厂房", "company_name": "昌平公司", "credit_code": credit_code(882),
        "zone": "future_science_city", "unit": "changping", "project_type": "factory",
        "investment_nature": "social", "land_supply": "transfer", "industrial_content": True,
    })  # fmt: skip
    huairou = client_for("huairou_officer")
    assert huairou.get(f"/cases/commitments/{app.pk}/").status_code == 404
    assert "昌平厂房" not in huairou.get("/cases/commitments/").content.decode()
    assert client_for("city_leader").get(f"/cases/commitments/{app.pk}/").status_code == 200


def test_only_city_roles_see_the_publish_form():
    assert 'id="publish"' in client_for("city_leader").get("/cases/commitments/standards/").content.decode()
    district = client_for("huairou_leader")
    assert 'id="publish"' not in district.get("/cases/commitments/standards/").content.decode()
    assert (
        district.post(
            "/cases/commitments/standards/", {"zone": "huairou_science_city", "items": "x"}
        ).status_code
        == 403
    )
