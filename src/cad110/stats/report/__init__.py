"""Reports (通报) of the statistics: what a report says is gathered once (`content`), then
written as the Chinese 通报 text (`text`), a workbook (`workbook`) and a PDF with charts
(`pdf`). `export` is the one path the command line and the export endpoint share.

The surface others use: `build_report` (what a bench times), `build_content`,
`ReportContent`, and `export.export` / `export.render`.
"""

from __future__ import annotations

from cad110.stats.report.content import ReportContent, ReportKind, build_content, build_report

__all__ = ["ReportContent", "ReportKind", "build_content", "build_report"]
