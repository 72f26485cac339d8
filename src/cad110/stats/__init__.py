"""Statistics (统计): every figure the centre reports, defined once and computed from the record.

The surface others use: `registry` (the definitions), `service` (summary and series), `api`,
and `report` (the 通报 as text, workbook and PDF; `report.build_report` for a bench).
"""
