"""The pure state machines: states, allowed transitions and guards; no I/O, no database."""
