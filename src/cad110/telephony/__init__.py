"""The ringing phone: call events from the centre's phone system, the desk's pop, the counts.

`signing` (the rule events are signed by), `schemas` (the events, as published in
docs/telephony-events.schema.json), `service` (receiving events, seats, linking a call record),
`repository` (scoped reads), `api` (the routes), `adapter` (what cad110 asks of the phone
system, and its HTTP adapter), `replay` (sending a file of events), `fake` (a fake phone system
process for tests and the demo).
"""
