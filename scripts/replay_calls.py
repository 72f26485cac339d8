#!/usr/bin/env python3
"""Replay a day of call events (JSON lines) against a running cad110, signed.

    scripts/replay_calls.py docs/telephony-sample.jsonl --url http://127.0.0.1:8110 --secret …

The same as `cad110 phone replay`; see docs/telephony.md.
"""

import sys

from cad110.cli import app

if __name__ == "__main__":
    sys.argv = ["cad110", "phone", "replay", *sys.argv[1:]]
    app()
