"""A process killed in the middle of a business action leaves nothing of it behind: no partial rows,
no change-log entry, and a chain that still verifies and goes on from where it was."""

import signal

import pytest

from tests.backup.scratch import Scratch, migrated_template


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    db = migrated_template(tmp_path_factory.mktemp("template"))
    yield db
    db.drop()


@pytest.fixture
def database(tmp_path, template):
    db = Scratch(tmp_path / "db", template=template)
    db.run_script("prepare-interrupted")
    yield db
    db.drop()


@pytest.mark.parametrize(
    "mode, model_table",
    [("template", "schedule_milestone"), ("projects", "portfolio_project")],
    ids=["apply_template", "create_project-loop"],
)
def test_a_process_killed_mid_transaction_leaves_no_partial_rows(database, mode, model_table):
    before = database.rows()
    rows_before = len(before[model_table])
    process = database.script("interrupted", mode, "3")
    line = process.stdout.readline().split()
    # Three rows and their change-log entries are written, uncommitted, when the process dies.
    assert line[:2] == ["MIDWAY", "3"], process.stderr.read()
    assert int(line[2]) == rows_before + 3
    assert int(line[3]) >= len(before["audit_objectchange"]) + 3
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert database.rows() == before
    done = database.groundbreak("verify_history")
    assert done.returncode == 0, done.stderr
    # The next write takes the chain on from the same head, without a gap.
    database.run_script("populate", "1")
    done = database.groundbreak("verify_history")
    assert done.returncode == 0, done.stderr
    seqs = [row[0] for row in database.execute("SELECT seq FROM audit_objectchange ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
