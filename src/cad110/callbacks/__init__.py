"""回访: the callback queue, unreachable retries, the SMS survey and the follow-up a
dissatisfied answer opens (docs/callbacks.md)."""
