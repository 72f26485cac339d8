"""交接班: shift handover notes per position (desk, board, station).

Public surface: `service.write_note`, `service.mark_read`, `repository.latest_notes`, and the
JSON routes in `api.router`."""
