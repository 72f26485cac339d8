"""Anti-fraud early warning (反诈预警): warnings from the fraud-monitoring platforms, graded and
pushed up a ladder until someone reaches the person, and the money they save.

The platforms post warnings, signed, to `POST /api/v1/fraud/warnings` (`intake.py`): each is
kept once by (source, warning_id), graded from the rules in data (`rules.toml`, `rules.py`:
fraud type, amount, the person's age from the ID number, a repeat, an earlier step ignored)
and put on its level's ladder (`ladder.py`): a 12381-style SMS through the SMS gateway, a call
task for the 96110 seat (outbox channel `fraud_call`), a visit as an incident through the
ordinary dispatch. The tick (`supervise.py`) pushes each step when it falls due and climbs a
level when a step is not done in time; a call not answered or a new signal climbs at once.
The 96110 platform and the banks post results back (`results.py`); the desk records the
outcome (`outcomes.py`: dissuaded, lost with a freeze request on channel `fraud_freeze`,
unreachable, false alarm). docs/fraud.md is the interface for integrators.
"""
