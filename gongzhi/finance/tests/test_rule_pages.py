"""The §5 pages through HTTP: 公示进度 and 资金预警 with filters, Excel export and bounded queries; the estate
page's disclosure, schedule, profile and evidence forms; the public page's disclosure line."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.dates import plain_date
from gongzhi.core.excel import read_workbook
from gongzhi.finance.models import Disclosure, DisclosureSchedule, FinanceProfile, FundUseEvidence
from gongzhi.finance.services import disclosure_record

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def ago(days):
    return timezone.localdate() - dt.timedelta(days=days)


def overdue_world(world, post):
    """A1's public income: first entry 200 days ago, never disclosed → due 3 months later, overdue.
    B1's fund: disclosed up to 20 days ago → due in about 6 months."""
    post("in", "500.00", ledger="public_income", date=ago(200))
    post("in", "10000.00", estate=world.estate_b1, user="admin", category="首期归集", date=ago(300))
    disclosure_record(
        actor=world.user("admin"),
        estate=world.estate_b1,
        ledger="maintenance_fund",
        period_start=ago(300),
        period_end=ago(20),
        posted_on=ago(10),
        place="board",
    )


def test_disclosure_progress_flags_overdue_ledgers_and_filters(as_user, world, post):
    overdue_world(world, post)
    client = as_user("admin")
    page = client.get(reverse("finance:disclosures"))
    assert page.status_code == 200
    text = page.text
    assert "甲一小区" in text and "乙一小区" in text
    assert 'class="overdue"' in text and "超期" in text
    only = client.get(reverse("finance:disclosures") + "?overdue=yes").text
    assert "甲一小区" in only and "乙一小区" not in only
    area_b = client.get(reverse("finance:disclosures") + f"?area={world.area_b.pk}").text
    assert "乙一小区" in area_b and "甲一小区" not in area_b
    secretary_b = as_user("secretary_b").get(reverse("finance:disclosures")).text
    assert "甲一小区" not in secretary_b


def test_disclosure_export_is_the_filtered_list(as_user, world, post):
    overdue_world(world, post)
    response = as_user("admin").get(reverse("finance:disclosures_export") + "?overdue=yes")
    rows = read_workbook(response.content)["公示进度"]
    assert rows[0].values[:3] == ("居民区", "小区", "账本")
    assert [r.values[1:3] for r in rows[1:]] == [("甲一小区", "公共收益")]
    assert rows[1].values[8] > 0  # days overdue


def test_alerts_page_counts_filters_and_exports(as_user, world, post):
    post("in", "1000.00", category="首期归集", date=ago(100))
    post("out", "800.00", project="2号楼落水管", date=ago(95))
    client = as_user("secretary_a")
    page = client.get(reverse("finance:alerts"))
    assert page.status_code == 200
    for label in ("维修资金余额低于初始金额 30%", "维修资金使用缺审价报告", "维修资金使用缺业主大会决定"):
        assert label in page.text
    assert "续筹超期 5 天" in page.text
    only_low = client.get(reverse("finance:alerts") + "?kind=low_fund").text
    assert "2号楼落水管" not in only_low and "应于" in only_low
    rows = read_workbook(client.get(reverse("finance:alerts_export")).content)["资金预警"]
    assert sorted(r.values[0] for r in rows[1:]) == sorted(
        ["维修资金余额低于初始金额 30%", "维修资金使用缺审价报告", "维修资金使用缺业主大会决定"]
    )
    assert "2号楼落水管" not in as_user("secretary_b").get(reverse("finance:alerts")).text


def test_list_pages_take_a_bounded_number_of_queries(as_user, world, post, django_assert_max_num_queries):
    overdue_world(world, post)
    client = as_user("admin")
    for name in ("finance:disclosures", "finance:alerts", "finance:index"):
        client.get(reverse(name))  # warm the per-request caches of the first hit
    with django_assert_max_num_queries(22):
        assert client.get(reverse("finance:disclosures")).status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(reverse("finance:alerts")).status_code == 200
    for i in range(6):  # more estates with entries: the count does not grow
        post("in", "10.00", estate=world.estate_a2, user="admin", ledger="public_income", date=ago(55 - i))
    with django_assert_max_num_queries(22):
        assert client.get(reverse("finance:disclosures")).status_code == 200
    with django_assert_max_num_queries(30):
        assert (
            client.get(
                reverse("finance:estate", args=[world.estate_a1.pk]) + "?ledger=public_income"
            ).status_code
            == 200
        )


def test_index_and_estate_page_show_overdue_and_alert_badges(as_user, world, post):
    overdue_world(world, post)
    post("in", "1000.00", category="首期归集", date=ago(100))
    post("out", "800.00", project="2号楼落水管", date=ago(95))
    client = as_user("oc_a1")
    index = client.get(reverse("finance:index")).text
    assert "badge red" in index and "超期" in index
    page = client.get(reverse("finance:estate", args=[world.estate_a1.pk]) + "?ledger=public_income").text
    assert "公示超期" in page and "条预警" in page and "从未公示" in page
    assert reverse("finance:disclose", args=[world.estate_a1.pk, "public_income"]) in page
    assert reverse("finance:schedule", args=[world.estate_a1.pk, "public_income"]) not in page  # admin only
    fund = client.get(reverse("finance:estate", args=[world.estate_a1.pk])).text
    assert (
        "维修资金使用缺审价报告" in fund
        and "上传材料" in fund
        and reverse("finance:profile", args=[world.estate_a1.pk]) in fund
    )


def test_record_a_disclosure_through_the_page(as_user, world, post):
    post("in", "500.00", ledger="public_income", date=ago(200))
    client = as_user("oc_a1")
    url = reverse("finance:disclose", args=[world.estate_a1.pk, "public_income"])
    data = {
        "period_start": ago(200).isoformat(),
        "period_end": ago(20).isoformat(),
        "posted_on": ago(5).isoformat(),
        "place": "online",
    }
    bad = client.post(url, {**data, "posted_on": ago(30).isoformat()})
    assert (
        bad.status_code == 200
        and "不能早于公示期间的结束日期" in bad.text
        and not Disclosure.objects.exists()
    )
    attachment = SimpleUploadedFile("公示照片.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {**data, "attachment": attachment})
    assert response.status_code == 302
    item = Disclosure.objects.get()
    assert (item.period_end, item.place, item.posted_by) == (ago(20), "online", world.user("oc_a1"))
    page = client.get(response["Location"]).text
    assert "已登记公示记录" in page and reverse("finance:disclosure_file", args=[item.pk]) in page
    download = client.get(reverse("finance:disclosure_file", args=[item.pk]))
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content) == PDF


def test_schedule_and_profile_through_the_page(as_user, world):
    client = as_user("admin")
    url = reverse("finance:schedule", args=[world.estate_a1.pk, "maintenance_fund"])
    response = client.post(url, {"interval_months": "8"}, follow=True)
    assert "不能长于法定的 6 个月" in response.text and not DisclosureSchedule.objects.exists()
    client.post(url, {"interval_months": "4"})
    assert DisclosureSchedule.objects.get().interval_months == 4
    profile_url = reverse("finance:profile", args=[world.estate_a1.pk])
    response = client.post(profile_url, {"initial_fund_amount": "12.345"}, follow=True)
    assert "最多保留两位小数" in response.text and not FinanceProfile.objects.exists()
    as_user("oc_a1").post(profile_url, {"initial_fund_amount": "80000.00", "income_tops_up_fund": "on"})
    profile = FinanceProfile.objects.get()
    assert (str(profile.initial_fund_amount), profile.income_tops_up_fund) == ("80000.00", True)


def test_upload_evidence_through_the_page_and_read_it_back(as_user, world, post):
    post("in", "1000.00", date=ago(100))
    use = post("out", "100.00", date=ago(90))
    client = as_user("oc_a1")
    url = reverse("finance:evidence_add", args=[use.pk])
    response = client.post(
        url, {"kind": "price_audit", "file": SimpleUploadedFile("a.txt", b"hello")}, follow=True
    )
    assert "既不是 PDF" in response.text and not FundUseEvidence.objects.exists()
    client.post(url, {"kind": "price_audit", "file": SimpleUploadedFile("审价.pdf", PDF)})
    item = FundUseEvidence.objects.get()
    assert as_user("staff_x").get(reverse("finance:evidence_file", args=[item.pk])).status_code == 200
    assert as_user("secretary_b").get(reverse("finance:evidence_file", args=[item.pk])).status_code == 404
    page = as_user("oc_a1").get(reverse("finance:estate", args=[world.estate_a1.pk])).text
    assert "审价报告" in page and "维修资金使用缺审价报告" not in page


def test_public_page_shows_last_disclosure_and_next_due_date(client, world, post):
    overdue_world(world, post)
    text = client.get(reverse("ledgers:estate", args=[world.estate_b1.pk])).text
    assert f"上次公示：截至 {plain_date(ago(20))} 的收支，{plain_date(ago(10))} 公示" in text
    assert "下次应公示" in text
    a1 = client.get(reverse("ledgers:estate", args=[world.estate_a1.pk])).text
    assert "尚无公示记录" in a1 and "已超期" in a1


def test_navigation_offers_the_finance_pages(as_user, world):
    page = as_user("staff_x").get(reverse("finance:index")).text
    assert reverse("finance:disclosures") in page and reverse("finance:import") in page
    page = as_user("leader").get(reverse("finance:index")).text
    assert reverse("finance:alerts") in page and reverse("finance:import") not in page
