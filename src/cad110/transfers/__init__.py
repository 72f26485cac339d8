"""The 12345 bridge (一键转12345): non-police calls handed to the city's 12345 platform as tickets
(工单), with their status back.

One key at the desk (a call ended 转12345) or the board (an incident's 移交 to 12345) opens a
ticket in the same transaction (`service.py`, subscribers to `CallRecorded` and
`IncidentActed`); it leaves through the outbox on the channel "12345" (`platform.py`: a typed
Protocol and its HTTP adapter, signed JSON). The platform posts each step back, signed, to
`POST /api/v1/transfers/events`, and can push a police matter into 110 as a new incident
(`POST /api/v1/transfers/emergencies`) — each event once (`intake.py`). A ticket's limit is
counted in working days per hotline type (`rules.toml`, chinese-calendar) and the tick raises
one past it (`supervise.py`). docs/transfers.md is the interface for integrators; `cad110
hotline fake` (`fake.py`) runs a platform of its own for the demo and the tests.
"""
