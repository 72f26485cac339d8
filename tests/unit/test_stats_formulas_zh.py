"""Every figure's formula in Chinese (统计口径): written, Chinese, naming no code, and in
docs/statistics.md beside the English one; its stages and standard interval in Chinese too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cad110.stats.registry import BY_KEY, FIGURES, Figure

DOC = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"
# Codes, columns and file names belong to the English formula: a Chinese reader reads 派警, not
# dispatched_at, and the settings, not stats/rules.toml.
CODE = re.compile(r"[A-Za-z]+[_./][A-Za-z]+")


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.key)
def test_each_figure_states_its_formula_in_chinese(figure: Figure) -> None:
    assert figure.formula_zh.strip(), figure.key
    assert figure.formula_zh != figure.formula
    chinese = sum("\u4e00" <= c <= "\u9fff" for c in figure.formula_zh)
    assert chinese >= len(figure.formula_zh) // 3, figure.formula_zh
    assert not CODE.search(figure.formula_zh), figure.formula_zh
    assert not re.search(r"[A-Za-z]", figure.stages_zh), figure.stages_zh
    if figure.standard:
        assert figure.standard_zh.endswith(f"（{figure.standard}）")
        assert "\u4e00" <= figure.standard_zh[0] <= "\u9fff", figure.standard_zh


def test_the_stages_and_standard_in_chinese() -> None:
    assert BY_KEY["dispatch_time"].stages_zh == "接警 → 派警"
    assert BY_KEY["dispatch_time"].standard_zh == "接警处理（call processing）"
    assert BY_KEY["arrests"].stages_zh == "处置 → 事后（处警结果）"
    assert BY_KEY["loss_recovery_rate_amount"].money
    assert not BY_KEY["loss_recovery_rate_cases"].money


def test_the_chinese_formulas_are_written_down() -> None:
    text = DOC.read_text(encoding="utf-8")
    for figure in FIGURES:
        assert f"| {figure.zh} | `{figure.key}` | {figure.formula_zh} |" in text, figure.key
