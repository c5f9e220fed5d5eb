from conftest import DEMO_CSV, order


def test_demo_import_and_show(run, demo):
    shown = run.json(["orders", "show", order("paid_80h_overdue"), "--json"])
    assert shown["order_id"] == order("paid_80h_overdue")
    assert shown["status"] == "paid"
    assert shown["paid_at"] == "2026-11-20T06:30:00+08:00"


def test_import_needs_agent(run):
    result = run(["orders", "import", str(DEMO_CSV)])
    assert result.exit_code == 2
    assert "--agent" in result.output
