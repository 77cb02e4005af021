"""The crawler's report says who fixes what: each finding with its owner, role and page, dead
links of one kind on one line, and the figures per role."""

from tests.acceptance.crawler import Crawl, Finding, owner, report, summarize


def test_each_page_has_its_owner():
    assert owner("/admin/publishing/6/") == "publishing"
    assert owner("/admin/review_steps/") == "publishing"
    assert owner("/admin/letters/4/") == "letters"
    assert owner("/letters/track/") == "letters"
    assert owner("/admin/matrix/rankings/") == "supervision"
    assert owner("/admin/qa_entries/") == "supervision"
    assert owner("/admin/audit-log/?p=2") == "wagtail"
    assert owner("/admin/memberships/") == "wagtail"
    assert owner("/search/?q=x") == "portal"


def test_dead_links_of_one_kind_are_one_line_naming_owner_role_and_page():
    findings = [
        Finding("dead-link", "editor", "/admin/qa_entries/", f"/admin/qa_entries/copy/{n}/", "→ x")
        for n in range(1, 40)
    ] + [Finding("english", "admin", "/admin/memberships/", "「User」", "(User)")]
    lines = summarize(findings).splitlines()
    assert lines == [
        "[supervision] dead-link [editor] 页面 /admin/qa_entries/: "
        "/admin/qa_entries/copy/1/（同类 39 个） → x",
        "[wagtail] english [admin] 页面 /admin/memberships/: 「User」 (User)",
    ]


def test_the_report_gives_figures_per_role_then_findings_by_owner():
    walk = Crawl("editor", pages={"/admin/": 200, "/admin/x/": 200}, links={"a": "", "b": ""})
    walk.findings.append(Finding("english", "editor", "/admin/x/", "「Foo」", "(Foo)"))
    text = report([walk, Crawl("citizen", pages={"/": 200}, links={"/": ""})])
    assert text.splitlines()[1].split() == ["editor", "2", "2", "0", "1", "0.0"]
    assert text.splitlines()[2].split() == ["citizen", "1", "1", "0", "0", "0.0"]
    assert "== wagtail: 1 处 ==" in text
