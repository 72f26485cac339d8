"""The SMS gateway: text messages out to callers and families, receipts and replies back.

Messages out are outbox rows on the channel "sms" (a package enqueues `{"phone", "text"}`),
delivered by `SmsChannel` through the gateway's HTTP interface (`gateway.py`), each under the
message id `sms-<outbox id>`. The gateway posts delivery receipts and the replies people send,
signed, to `POST /api/v1/sms/events` (`api.py`); each is kept once (`models/sms.py`) and announced
as a fact (`facts.py`) for whichever package sent the message to act on — a callback survey
reads the digit a caller replied. docs/sms.md is the interface for integrators; `cad110 sms
fake` runs a gateway of its own for the demo and the tests.
"""
