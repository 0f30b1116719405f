"""Attachments (DESIGN §6a, §11): files on leads, milestones and commitment applications — upload,
list, download, the limits and types, who may do what, and that a refusal leaves nothing behind."""

import io
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from cases.attachments import sniff
from cases.attachments.models import Attachment, AttachmentDownload
from cases.commitments import services as commitment_services
from cases.commitments.machine import COMMITMENT
from cases.demo import person
from tests.cases.test_api import client_for
from tests.cases.test_commitments import application
from tests.helpers import fire, snapshot, today
from workflow import engine

# --- tiny real files ---------------------------------------------------------------------------------


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                   "word/document.xml": b"<w:document/>"})  # fmt: skip


def pptx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"})


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "项目"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd() -> bytes:
    return zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})


OLE2_HEADER = sniff.OLE2_SIGNATURE + b"\x00" * 504

ACCEPTED = [
    ("协议.pdf", pdf(), "application/pdf"),
    ("现场.png", png(), "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
    ("a.gif", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32, "image/gif"),
    ("a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp"),
    ("scan.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32, "image/tiff"),
    ("a.bmp", b"BM" + b"\x00" * 60, "image/bmp"),
    ("协议.docx", docx(), sniff.DOCX),
    ("台账.xlsx", xlsx(), sniff.XLSX),
    ("汇报.pptx", pptx(), sniff.PPTX),
    ("old.doc", OLE2_HEADER + "WordDocument".encode("utf-16-le"), sniff.DOC),
    ("old.xls", OLE2_HEADER + "Workbook".encode("utf-16-le"), sniff.XLS),
    ("header-only.doc", OLE2_HEADER, sniff.OLE2),
    ("电子证照.ofd", ofd(), sniff.OFD),
]
REFUSED = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100),  # an .exe renamed .pdf
    ("note.pdf", "这是一段文字，不是PDF。".encode()),
    ("empty.pdf", b""),
    ("archive.docx", zipped({"readme.txt": b"hello"})),  # a zip that is neither Office nor OFD
    ("cut.docx", docx()[:40]),  # a zip cut off
]


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """The attachments storage, in a directory of this test's own."""
    location = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }  # fmt: skip
    return location


def stored(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []


@pytest.fixture
def hd(haidian_officer):  # type: ignore[no-untyped-def]
    return client_for(haidian_officer, lang="en")


@pytest.fixture
def lead(make_negotiating):  # type: ignore[no-untyped-def]
    return make_negotiating()


def upload(client, lead_id, name="协议.pdf", content=None, kind="leads", **extra):  # type: ignore[no-untyped-def]
    body = {"file": SimpleUploadedFile(name, pdf() if content is None else content), **extra}
    return client.post(f"/api/{kind}/{lead_id}/attachments/", body, format="multipart")


def english(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["messages"]["en"]


@pytest.fixture
def huairou(db):  # type: ignore[no-untyped-def]
    return {name: person(name) for name in ("huairou_officer", "huairou_leader", "changping_officer")}


@pytest.fixture
def app(huairou):  # type: ignore[no-untyped-def]
    return commitment_services.commitment_create(actor=huairou["huairou_officer"], data=application())


# --- happy paths -------------------------------------------------------------------------------------


def test_it_uploads_lists_and_downloads_a_lead_file_with_its_chinese_name(hd, lead, haidian_officer, store):
    response = upload(hd, lead.pk, name="投资协议（签字版）.pdf", description="双方签字盖章")
    assert response.status_code == 201, response.json()
    body = response.json()
    attachment = Attachment.objects.get()
    assert body == {
        "id": attachment.pk, "name": "投资协议（签字版）.pdf", "size": len(pdf()), "content_type": "application/pdf",
        "description": "双方签字盖章", "uploaded_by": "haidian_officer", "uploaded_at": body["uploaded_at"],
        "download_url": f"/api/attachments/{attachment.pk}/download/",
    }  # fmt: skip
    assert len(attachment.sha256) == 64 and attachment.lead_id == lead.pk
    assert len(stored(store)) == 1

    listed = hd.get(f"/api/leads/{lead.pk}/attachments/").json()
    assert listed["count"] == 1 and listed["results"] == [body]

    download = hd.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf()
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('投资协议（签字版）.pdf')}" in disposition
    assert list(AttachmentDownload.objects.values_list("attachment", "user")) == [
        (attachment.pk, haidian_officer.pk)
    ]


def test_every_download_is_recorded(hd, lead, haidian_leader):
    attachment_id = upload(hd, lead.pk).json()["id"]
    hd.get(f"/api/attachments/{attachment_id}/download/")
    client_for(haidian_leader).get(f"/api/attachments/{attachment_id}/download/")
    assert AttachmentDownload.objects.filter(attachment_id=attachment_id).count() == 2


def test_it_uploads_lists_and_downloads_an_application_file(app, huairou, store):
    officer = client_for(huairou["huairou_officer"])
    response = upload(officer, app.pk, name="承诺书.pdf", kind="commitments")
    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().application_id == app.pk
    listed = officer.get(f"/api/commitments/{app.pk}/attachments/").json()
    assert [a["name"] for a in listed["results"]] == ["承诺书.pdf"]
    leader = client_for(huairou["huairou_leader"])
    download = leader.get(response.json()["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf()
    assert AttachmentDownload.objects.count() == 1


def test_the_city_officer_may_attach_to_a_lead(lead, city_officer):
    assert upload(client_for(city_officer), lead.pk).status_code == 201


# --- types ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_is_known_by_its_content(hd, lead, name, content, kind):
    response = upload(hd, lead.pk, name=name, content=content)
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == kind


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_other_files_are_refused_naming_the_accepted_types(hd, lead, name, content, store):
    response = upload(hd, lead.pk, name=name, content=content)
    assert response.status_code == 400
    assert response.json()["code"] == "file_type"
    assert "Accepted are PDF, OFD, Word, Excel and PowerPoint" in english(response)
    assert Attachment.objects.count() == 0 and stored(store) == []


# --- size ----------------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_413_and_leaves_nothing(hd, lead, settings, store):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = upload(hd, lead.pk, content=pdf() + b"\x00" * 1000)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "larger than 0.000953674 MB" in english(response)
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_a_file_at_the_limit_is_taken(hd, lead, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    assert upload(hd, lead.pk, content=pdf() + b"\x00" * (1000 - len(pdf()))).status_code == 201


def test_20_mb_and_one_byte_is_413(hd, lead, store):
    content = pdf() + b"\x00" * (20 * 1024 * 1024 + 1 - len(pdf()))
    response = upload(hd, lead.pk, content=content)
    assert response.status_code == 413
    assert "The file is larger than 20 MB" in english(response)
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_the_service_caps_a_stream_that_never_ends(lead, haidian_officer, settings, store):
    from cases.attachments import services

    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return True

        def seek(self, offset: int, whence: int = 0) -> int:
            return 0

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            buffer[:] = b"x" * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(Exception) as caught:
        services._measure(stream)  # type: ignore[arg-type]
    assert getattr(caught.value, "status", None) == 413
    assert stream.read_bytes <= settings.ATTACHMENT_MAX_BYTES + services.CHUNK


# --- bad input, who may, closed cases ------------------------------------------------------------------


def test_a_missing_file_is_400(hd, lead, store):
    response = hd.post(f"/api/leads/{lead.pk}/attachments/", {"description": "x"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_a_description_over_2000_characters_is_400(hd, lead, store):
    response = upload(hd, lead.pk, description="长" * 2001)
    assert response.status_code == 400 and "description" in response.json()["errors"]
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_another_units_officer_gets_404_for_list_upload_and_download(hd, lead, shunyi_officer, store):
    attachment_id = upload(hd, lead.pk).json()["id"]
    sy = client_for(shunyi_officer)
    assert sy.get(f"/api/leads/{lead.pk}/attachments/").status_code == 404
    assert upload(sy, lead.pk).status_code == 404
    assert sy.get(f"/api/attachments/{attachment_id}/download/").status_code == 404
    assert Attachment.objects.count() == 1 and len(stored(store)) == 1
    assert AttachmentDownload.objects.count() == 0


def test_an_outsider_gets_404(hd, lead, outsider):
    attachment_id = upload(hd, lead.pk).json()["id"]
    client = client_for(outsider)
    assert client.get(f"/api/leads/{lead.pk}/attachments/").status_code == 404
    assert upload(client, lead.pk).status_code == 404
    assert client.get(f"/api/attachments/{attachment_id}/download/").status_code == 404
    assert AttachmentDownload.objects.count() == 0


def test_another_units_officer_gets_404_on_an_application(app, huairou, store):
    attachment_id = upload(client_for(huairou["huairou_officer"]), app.pk, kind="commitments").json()["id"]
    other = client_for(huairou["changping_officer"])
    assert other.get(f"/api/commitments/{app.pk}/attachments/").status_code == 404
    assert upload(other, app.pk, kind="commitments").status_code == 404
    assert other.get(f"/api/attachments/{attachment_id}/download/").status_code == 404
    assert Attachment.objects.count() == 1 and len(stored(store)) == 1


def test_a_city_leader_sees_and_downloads_but_may_not_upload(hd, lead, city_leader, store):
    attachment_id = upload(hd, lead.pk).json()["id"]
    client = client_for(city_leader)
    assert client.get(f"/api/leads/{lead.pk}/attachments/").json()["count"] == 1
    assert client.get(f"/api/attachments/{attachment_id}/download/").status_code == 200
    response = upload(client, lead.pk)
    assert response.status_code == 403
    assert Attachment.objects.count() == 1 and len(stored(store)) == 1


def test_a_closed_lead_takes_no_more_files(hd, lead, haidian_leader, store):
    fire(lead, "close", haidian_leader, reason="企业放弃")
    response = upload(hd, lead.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "closed" and "closed" in english(response)
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_a_rejected_application_takes_no_more_files(app, huairou, store):
    engine.fire(COMMITMENT, pk=app.pk, name="submit", actor=huairou["huairou_officer"])
    engine.fire(
        COMMITMENT, pk=app.pk, name="reject", actor=huairou["huairou_leader"], params={"reason": "不符合"}
    )
    response = upload(client_for(huairou["huairou_officer"]), app.pk, kind="commitments")
    assert response.status_code == 409
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_a_download_of_an_unknown_attachment_is_404(hd):
    assert hd.get("/api/attachments/999999/download/").status_code == 404


# --- milestone evidence --------------------------------------------------------------------------------


def test_a_milestone_points_at_the_leads_files(hd, lead):
    first = upload(hd, lead.pk, name="框架协议.pdf").json()
    upload(hd, lead.pk, name="现场.png", content=png())
    response = hd.post(
        f"/api/leads/{lead.pk}/transitions/report_progress/",
        {"milestone": "agreement_signed", "date": today(), "evidence": "签约", "attachments": [first["id"]]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    [milestone] = response.json()["milestones"]
    assert milestone["attachments"] == [
        {"id": first["id"], "name": "框架协议.pdf", "download_url": first["download_url"]}
    ]


def test_a_foreign_attachment_is_400_and_nothing_changes(hd, lead, make_negotiating, haidian_officer):
    other = make_negotiating()
    foreign = upload(hd, other.pk).json()["id"]
    mine = upload(hd, lead.pk).json()["id"]
    before = snapshot(lead)
    response = hd.post(
        f"/api/leads/{lead.pk}/transitions/report_progress/",
        {
            "milestone": "agreement_signed",
            "date": today(),
            "evidence": "签约",
            "attachments": [mine, foreign],
        },
        format="json",
    )
    assert response.status_code == 400
    assert str(foreign) in response.json()["errors"]["attachments"][0]["message"]
    assert snapshot(lead) == before
    assert Attachment.objects.get(pk=mine).milestones.count() == 0


def test_the_leaders_approve_page_shows_the_evidence_with_its_link(hd, lead, haidian_officer, haidian_leader):
    attachment = upload(hd, lead.pk, name="投资协议.pdf").json()
    fire(lead, "report_progress", haidian_officer, milestone="agreement_signed", date=today(), evidence="签约",
         attachments=[attachment["id"]])  # fmt: skip
    page = web(haidian_leader).get(f"/cases/leads/{lead.pk}/do/approve_progress/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="milestone-attachments"' in html
    assert f'href="{attachment["download_url"]}"' in html and "投资协议.pdf" in html


def test_the_report_page_offers_the_leads_files_as_boxes_and_links_the_ticked_ones(hd, lead, haidian_officer):
    a = upload(hd, lead.pk, name="a.pdf").json()["id"]
    b = upload(hd, lead.pk, name="b.pdf").json()["id"]
    upload(hd, lead.pk, name="c.pdf")
    client = web(haidian_officer)
    page = client.get(f"/cases/leads/{lead.pk}/do/report_progress/").content.decode()
    assert f'name="attachments.{a}"' in page and 'type="checkbox"' in page
    response = client.post(
        f"/cases/leads/{lead.pk}/do/report_progress/",
        {"milestone": "agreement_signed", "date": today(), "evidence": "签约", f"attachments.{a}": a,
         f"attachments.{b}": b},
    )  # fmt: skip
    assert response.status_code == 302
    lead.refresh_from_db()
    assert sorted(lead.milestones.get().attachments.values_list("pk", flat=True)) == [a, b]


# --- pages ---------------------------------------------------------------------------------------------


def web(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_lead_page_lists_the_files_and_offers_the_form(hd, lead, haidian_officer):
    attachment = upload(hd, lead.pk, name="营业执照.pdf", description="副本").json()
    html = web(haidian_officer).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="attachments"' in html and 'id="attachment-upload"' in html and 'id="upload"' in html
    assert f'href="{attachment["download_url"]}"' in html and "营业执照.pdf" in html and "副本" in html


def test_a_viewer_who_may_not_upload_sees_no_form(hd, lead, city_leader):
    upload(hd, lead.pk)
    html = web(city_leader).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="attachments"' in html and 'id="attachment-upload"' not in html


def test_the_page_uploads_and_returns_to_the_lead(lead, haidian_officer, store):
    client = web(haidian_officer)
    response = client.post(
        f"/cases/attachments/leads/{lead.pk}/",
        {"file": SimpleUploadedFile("签约照片.png", png()), "description": "签约现场"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/leads/{lead.pk}/#attachments"
    assert Attachment.objects.get().name == "签约照片.png" and len(stored(store)) == 1


def test_the_page_shows_a_refusal_in_plain_words(lead, haidian_officer, store):
    response = web(haidian_officer).post(
        f"/cases/attachments/leads/{lead.pk}/", {"file": SimpleUploadedFile("a.pdf", b"just text")}
    )
    assert response.status_code == 400
    assert 'id="attachment-error"' in response.content.decode()
    assert "Accepted are PDF" in response.content.decode()
    assert Attachment.objects.count() == 0 and stored(store) == []


def test_the_page_refuses_a_large_file_with_413_before_the_service(
    lead, haidian_officer, settings, store, monkeypatch
):
    from cases.attachments import services

    settings.ATTACHMENT_MAX_BYTES = 100_000
    monkeypatch.setattr(services, "attachment_add", lambda **kw: pytest.fail("the upload was taken in whole"))
    response = web(haidian_officer).post(
        f"/cases/attachments/leads/{lead.pk}/",
        {"file": SimpleUploadedFile("big.pdf", pdf() + b"0" * 300_000)},
    )
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert stored(store) == []


def test_the_page_is_404_for_another_unit(lead, shunyi_officer, store):
    response = web(shunyi_officer).post(
        f"/cases/attachments/leads/{lead.pk}/", {"file": SimpleUploadedFile("a.pdf", pdf())}
    )
    assert response.status_code == 404 and stored(store) == []


def test_the_application_page_lists_and_uploads(app, huairou, store):
    client = web(huairou["huairou_officer"])
    response = client.post(
        f"/cases/attachments/commitments/{app.pk}/", {"file": SimpleUploadedFile("承诺书.pdf", pdf())}
    )
    assert response.status_code == 302
    html = client.get(f"/cases/commitments/{app.pk}/").content.decode()
    assert 'id="attachments"' in html and "承诺书.pdf" in html and 'id="attachment-upload"' in html


def test_the_api_takes_an_upload_in_a_browser_session_with_its_csrf_token(lead, haidian_officer, settings):
    client = APIClient(enforce_csrf_checks=True, HTTP_HOST="localhost")
    client.force_login(haidian_officer)
    client.get(f"/cases/leads/{lead.pk}/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/leads/{lead.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", pdf())},
        format="multipart", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 201
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = client.post(
        f"/api/leads/{lead.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", pdf() + b"0" * 2000)},
        format="multipart", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 413
