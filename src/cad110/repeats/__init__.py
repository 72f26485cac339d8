"""重复警情: repeat incidents linked to the earlier ones they repeat, at intake and in batch,
and the repeat case file (重复警情档案, cases*.py) that follows a matter until it is solved.

The same caller, the same standard address or a point close by, the same parties (names, ID
numbers and phones in the record), the same family of category — within windows and thresholds
kept in data (rules.toml). Each link carries its score and its reasons; incidents are linked,
never merged or suppressed: a repeat is often an escalation.

Others may use: `detect.link_new_incident` (the intake's subscriber), `scan.scan` (history),
`rules.in_force`.
"""
