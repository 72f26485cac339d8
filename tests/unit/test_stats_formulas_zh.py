"""Every figure's formula in Chinese (统计口径): written, Chinese, naming no code, and in
docs/statistics.md beside the English one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cad110.stats.registry import FIGURES, Figure

DOC = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"
# Stage and column codes that belong to the English formula: a Chinese reader reads 派警, not
# dispatched_at.
CODE = re.compile(r"\b[a-z]+_(at|s)\b")


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.key)
def test_each_figure_states_its_formula_in_chinese(figure: Figure) -> None:
    assert figure.formula_zh.strip(), figure.key
    assert figure.formula_zh != figure.formula
    chinese = sum("\u4e00" <= c <= "\u9fff" for c in figure.formula_zh)
    assert chinese >= len(figure.formula_zh) // 3, figure.formula_zh
    assert not CODE.search(figure.formula_zh), figure.formula_zh


def test_the_chinese_formulas_are_written_down() -> None:
    text = DOC.read_text(encoding="utf-8")
    for figure in FIGURES:
        assert f"| {figure.zh} | `{figure.key}` | {figure.formula_zh} |" in text, figure.key
