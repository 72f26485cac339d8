"""The kernel every package stands on and that stands on none of them: the unit of work
(`Ctx`) and the long-lived parts of a process (`Runtime`), the facts and their subscribers
(`hooks`), the tick jobs (`ticks`), the outbox, typed event subjects, the scope helper and the
shared input types."""
