"""Bulk import as officers write their files: headings in Chinese (or English, or the old codes), sectors,
segments and sources by name, money in 万元 converted exactly; the template to start from; an outcome page
and report that say what was refused, in the reader's language. Bad input imports nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from cases.demo import credit_code
from cases.imports import columns
from cases.imports import services as imports
from cases.leads.inputs import LeadInput
from cases.models import ImportJob, Lead
from tests.helpers import at

T0 = at("2026-11-30 09:00")

ZH_HEADINGS = ["项目名称", "企业名称", "统一社会信用代码", "产业领域", "产业环节", "总投资（万元）", "线索来源",
               "外资金额（万美元）", "用地需求（亩）"]  # fmt: skip


def zh_row(serial: int, **cells: str) -> list[str]:
    row = {
        "项目名称": f"导入项目 {serial}", "企业名称": f"北京导入科技有限公司{serial}",
        "统一社会信用代码": credit_code(serial), "产业领域": "集成电路", "产业环节": "研发设计",
        "总投资（万元）": "1500.5", "线索来源": "区级", "外资金额（万美元）": "", "用地需求（亩）": "",
    }  # fmt: skip
    row.update(cells)
    return [row[h] for h in ZH_HEADINGS]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(actor, content: bytes, filename: str = "leads.csv") -> ImportJob:  # type: ignore[no-untyped-def]
    job = imports.import_start(actor=actor, filename=filename, upload=io.BytesIO(content))
    imports.import_process(job_id=job.pk, now=T0)
    job.refresh_from_db()
    return job


def browser(user, lang: str = "zh-hans") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_columns_are_a_registrations_inputs():
    """A field registration gains must become a column (with its heading) too."""
    fields = set(LeadInput().fields) - {"discovering_unit", "referrer_kind"}
    assert set(columns.CODES) == fields
    required = {name for name, f in LeadInput().fields.items() if f.required}
    assert set(columns.REQUIRED) == required


def test_chinese_headings_and_names_import_with_amounts_in_wan_converted_exactly(haidian_officer):
    rows = [
        zh_row(7001),
        zh_row(7002, 产业领域="Integrated circuits", 产业环节="Headquarters", 线索来源="Industry fund",
               **{"总投资（万元）": "0.01", "外资金额（万美元）": "12,345.678901", "用地需求（亩）": "30"}),
        zh_row(7003, 产业领域="pharma_health", 产业环节="pilot_production", 线索来源="agency",
               **{"总投资（万元）": "999999999.999999"}),
    ]  # fmt: skip
    job = run(haidian_officer, csv_bytes(ZH_HEADINGS, rows))
    assert (job.status, job.imported, job.errors) == ("done", 3, []), job.errors
    got = {
        lead.credit_code: lead
        for lead in Lead.objects.select_related("referrer").filter(
            credit_code__in=[credit_code(s) for s in (7001, 7002, 7003)]
        )
    }
    first, second, third = (got[credit_code(s)] for s in (7001, 7002, 7003))
    assert (first.sector_id, first.segment, first.source) == ("integrated_circuits", "rnd_design", "district")
    assert first.total_investment_cny == Decimal("15005000")
    assert (second.segment, second.source, second.total_investment_cny) == (
        "headquarters",
        "fund",
        Decimal("100"),
    )
    assert second.foreign_investment_usd == Decimal("123456789.01") and second.land_need_mu == Decimal("30")
    assert (third.sector_id, third.source) == ("pharma_health", "agency")
    assert third.total_investment_cny == Decimal("9999999999999.99")


def test_files_with_the_old_code_headings_keep_their_amounts_in_yuan(haidian_officer):
    header = ["name", "company_name", "credit_code", "sector", "segment", "total_investment_cny", "source"]
    rows = [
        [
            "旧格式项目",
            "北京旧格式有限公司",
            credit_code(7101),
            "新一代信息技术",
            "rnd_design",
            "150000000",
            "district",
        ]
    ]
    job = run(haidian_officer, csv_bytes(header, rows))
    assert job.status == "done"
    lead = Lead.objects.get(credit_code=credit_code(7101))
    assert (lead.total_investment_cny, lead.sector_id) == (Decimal("150000000"), "new_gen_it")


@pytest.mark.parametrize(
    ("cells", "column", "zh", "en"),
    [
        ({"产业领域": "旅游业"}, "sector", "“旅游业”不在可选范围内", "“旅游业” is not one of: "),
        ({"产业环节": "生产"}, "segment", "“生产”不在可选范围内", "“生产” is not one of: "),
        ({"总投资（万元）": "一千"}, "total_investment_cny", "请以万元为单位填写数字", "Write the amount as a number in 10,000 yuan"),
        ({"总投资（万元）": "1.1234567"}, "total_investment_cny", "最多 6 位小数", "at most 6 decimal places"),
        ({"总投资（万元）": "-3"}, "total_investment_cny", "", ""),
        ({"总投资（万元）": "1000000000"}, "total_investment_cny", "金额过大：最多 999,999,999.999999 万元", "at most 999,999,999.999999 10,000 yuan"),
    ],
)  # fmt: skip
def test_a_bad_value_imports_nothing_and_is_explained_in_both_languages(
    haidian_officer, cells, column, zh, en
):
    job = run(haidian_officer, csv_bytes(ZH_HEADINGS, [zh_row(7201), zh_row(7202, **cells)]))
    assert (job.status, job.imported) == ("failed", 0) and Lead.objects.count() == 0
    assert [(e["row"], e["field"]) for e in job.errors] == [(3, column)]
    assert zh in job.errors[0]["message"] and en in job.errors[0]["message_en"]
    with translation.override("zh-hans"):
        assert imports.problems(job)[0]["column"] == columns.heading(column)
    assert imports.refused_rows(job) == 1


def test_a_header_lacking_columns_is_refused_at_upload_naming_them_in_the_readers_language(haidian_officer):
    header = [h for h in ZH_HEADINGS if h not in ("产业领域", "总投资（万元）")] + [
        "总投资"
    ]  # no unit: no column
    with pytest.raises(imports.Invalid) as caught:
        imports.import_start(
            actor=haidian_officer, filename="x.csv", upload=io.BytesIO(csv_bytes(header, []))
        )
    with translation.override("zh-hans"):
        assert caught.value.text() == "表头缺少以下列：产业领域、总投资（万元）。可下载导入模板查看全部列。"
    with translation.override("en"):
        assert "Sector, Total investment (10,000 yuan)" in caught.value.text()
    twice = ZH_HEADINGS + ["total_investment_cny"]
    with pytest.raises(imports.Invalid):
        imports.import_start(actor=haidian_officer, filename="x.csv", upload=io.BytesIO(csv_bytes(twice, [])))
    assert ImportJob.objects.count() == 0 and Lead.objects.count() == 0


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_template_round_trip_download_fill_and_import(haidian_officer, kind):
    client = browser(haidian_officer)
    response = client.get(f"/cases/imports/template.{kind}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and f".{kind}" in response["Content-Disposition"]
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        rows = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, example = rows[0], rows[1]
    assert header[:3] == ["项目名称", "企业名称", "统一社会信用代码"]
    assert "总投资（万元）" in header and "外资金额（万美元）" in header and "用地需求（亩）" in header
    assert (
        example[header.index("产业领域")] == "新一代信息技术"
        and example[header.index("总投资（万元）")] == "5000"
    )
    # the example row as it is is refused: nobody imports it by mistake
    unchanged = client.post("/cases/imports/", {"file": SimpleUploadedFile(f"t.{kind}", response.content)})
    assert unchanged.status_code == 302
    imports.import_process(job_id=ImportJob.objects.get().pk, now=T0)
    assert ImportJob.objects.get().status == "failed" and Lead.objects.count() == 0
    # filled in: the example replaced by a real lead
    filled = dict(zip(header, example, strict=True))
    filled.update(
        {"项目名称": "模板项目", "企业名称": "北京模板科技有限公司", "统一社会信用代码": credit_code(7301)}
    )
    if kind == "xlsx":
        for i, value in enumerate(filled.values(), start=1):
            sheet.cell(row=2, column=i, value=value)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    else:
        content = csv_bytes(header, [list(filled.values())])
    client.post("/cases/imports/", {"file": SimpleUploadedFile(f"filled.{kind}", content)})
    job = ImportJob.objects.latest("pk")
    imports.import_process(job_id=job.pk, now=T0)
    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 1)
    lead = Lead.objects.get()
    assert (lead.name, lead.sector_id, lead.segment, lead.source) == (
        "模板项目",
        "new_gen_it",
        "rnd_design",
        "district",
    )
    assert lead.total_investment_cny == Decimal("50000000") and lead.land_need_mu == Decimal("30")
    assert lead.strategic is False


def test_the_template_in_english_and_no_other_kind(haidian_officer):
    body = browser(haidian_officer, "en").get("/cases/imports/template.csv").content.decode("utf-8-sig")
    assert body.startswith("Project name,Company name,Unified social credit code,")
    assert "Total investment (10,000 yuan)" in body
    assert browser(haidian_officer).get("/cases/imports/template.xls").status_code == 404


def test_a_failed_import_is_shown_as_refused_with_its_problems_in_the_readers_language(haidian_officer):
    client = browser(haidian_officer)
    content = csv_bytes(ZH_HEADINGS, [zh_row(7401), zh_row(7402, 产业领域="旅游业"), zh_row(7403)])
    client.post("/cases/imports/", {"file": SimpleUploadedFile("bad.csv", content)})
    job = ImportJob.objects.get()
    imports.import_process(job_id=job.pk, now=T0)
    page = client.get(f"/cases/imports/{job.pk}/").content.decode()
    assert 'class="sc-import-state failed"' in page and "已拒绝：未导入任何线索。" in page
    assert 'class="sc-progress import-failed"' in page  # red, not the green of a finished bar
    assert (
        '<strong id="import-imported">0</strong>' in page and '<strong id="import-refused">1</strong>' in page
    )
    assert '<strong id="import-good">2</strong>' in page
    assert "<td>3</td><td>产业领域</td><td>“旅游业”不在可选范围内" in page
    report = client.get(f"/cases/imports/{job.pk}/errors.csv")
    assert "filename*=utf-8''" in report["Content-Disposition"]
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "行,列,问题" and lines[1].startswith("3,产业领域,“旅游业”不在可选范围内")
    english = browser(haidian_officer, "en")
    report = english.get(f"/cases/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(report)))
    assert lines[0] == ["Row", "Column", "Problem"] and lines[1][:2] == ["3", "Sector"]
    assert lines[1][2].startswith("“旅游业” is not one of: Blockchain and advanced computing, ")
    assert "Refused: nothing was imported." in english.get(f"/cases/imports/{job.pk}/").content.decode()
    assert Lead.objects.count() == 0


def test_a_done_import_is_shown_as_done(haidian_officer):
    client = browser(haidian_officer)
    client.post(
        "/cases/imports/", {"file": SimpleUploadedFile("ok.csv", csv_bytes(ZH_HEADINGS, [zh_row(7501)]))}
    )
    job = ImportJob.objects.get()
    imports.import_process(job_id=job.pk, now=T0)
    page = client.get(f"/cases/imports/{job.pk}/").content.decode()
    assert 'class="sc-import-state done"' in page and 'class="sc-progress import-done"' in page
    assert '<strong id="import-imported">1</strong>' in page and 'id="import-problems"' not in page
