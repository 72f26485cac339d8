"""Who acts when no account does: the command line, a bench, the system."""

from __future__ import annotations

from cad110.auth.principal import SYSTEM, Principal
from cad110.models.user import Role


def test_someone_acting_for_a_subtree_is_at_home_at_its_top_and_sees_only_below_it() -> None:
    bench = Principal.acting_for("350100/350102/", username="bench", role=Role.DISPATCHER)
    assert (bench.user_id, bench.username, bench.role) == (0, "bench", Role.DISPATCHER)
    assert bench.jurisdiction_code == "350102"
    assert bench.sees("350100/350102/35010201/")
    assert not bench.sees("350100/350121/")


def test_the_command_line_sees_the_whole_tree_from_the_home_it_names() -> None:
    cli = Principal.acting_for("", username="cli", role=Role.ADMIN, jurisdiction_code="350100")
    assert cli.jurisdiction_code == "350100"
    assert cli.sees("350100/350121/35012101/")


def test_the_system_acts_over_the_whole_tree_from_nowhere() -> None:
    assert (SYSTEM.username, SYSTEM.jurisdiction_code, SYSTEM.scope_path) == ("system", "", "")
    assert SYSTEM.role is Role.ADMIN
