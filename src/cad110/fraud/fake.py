"""A fake anti-fraud platform — the 96110 call seats, the banks' stop-payment desk and a warning
platform in one — as its own process speaking real HTTP: for tests and the living demo.

    python -m cad110.fraud.fake --port 8114 --target http://127.0.0.1:8110 \
        --secret <CAD110_FRAUD_SECRET> --out-secret <CAD110_FRAUD_OUT_SECRET>
    (or `cad110 fraud fake …`)

It answers what cad110's adapters send (platform.py), checked against `--out-secret`, and posts
back, signed with `--secret`, what a real platform would (docs/fraud-platforms.md):

    POST /tasks            a call task → 201 {"id"}; 409 its task_id again; 401 a bad signature;
                           422 a field missing. `--delay` seconds later the seat's result:
                           call_answered, call_unanswered or call_dissuaded, drawn from
                           `--answers` by a source seeded with `--seed`.
    POST /freeze-requests  a freeze request → the same answers; freeze_accepted after `--delay`,
                           freeze_done (the amount frozen) after as long again.
    GET  /tasks, GET /freeze-requests   what it was given, oldest first, with the events posted
    POST /answer           {"task_id" or "request_id", "type", "note", "frozen_amount"} posts one
                           result now → {"results": [{"status", "body"}]} with what cad110 said
    POST /warning          {field: value…} pushes one warning now (made up, then these fields
                           over it) → {"warning": body, "results": [...]}
    POST /outage           {"count": N} answers cad110's next N requests 503 (a platform down)
    GET  /health

With `--warnings-every S` it pushes a made-up warning (fake_people.py) every S seconds; now and
then it is a second signal about someone warned before. An event cad110 does not take (no
answer, or 5xx) is posted again a few times with back-off, as a real platform does.
With `--port 0` it picks a free port; the first line it prints is "listening on PORT".
"""

from __future__ import annotations

import argparse
import os
import random
import re
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cad110.fraud import fake_people
from cad110.kernel.fake_process import Poster, new_id, now_iso, routed_handler, run_until_stopped

EVENTS_PATH = "/api/v1/fraud/events"
WARNINGS_PATH = "/api/v1/fraud/warnings"
CALL_ANSWERS = ("call_answered", "call_unanswered", "call_dissuaded")
FREEZE_ANSWERS = ("freeze_accepted", "freeze_done", "freeze_refused")
DEFAULT_ANSWERS = "answered=40,unanswered=35,dissuaded=25"
# Waits between tries of an event cad110 did not take; a real platform keeps on longer.
RETRY_WAITS_S = (0.5, 1.0, 2.0, 4.0)
# How often the next pushed warning is a second signal about someone warned before.
REPEAT_SHARE = 0.25
_MONEY = re.compile(r"^\d{1,12}\.\d{2}$")
_REQUIRED = {
    "task": ("task_id", "warning", "phone", "fraud_type", "level", "script", "due_at"),
    "freeze": ("request_id", "warning", "bank", "account", "amount", "at"),
}
_NOTES = {
    "call_answered": "已接通，当事人表示知晓",
    "call_unanswered": "三次呼叫无人接听",
    "call_dissuaded": "已劝阻，当事人停止转账",
    "freeze_accepted": "银行已受理止付",
    "freeze_done": "账户已冻结",
    "freeze_refused": "账户信息不符，无法冻结",
}
_lock = threading.Lock()


def parse_answers(text: str) -> dict[str, int]:
    """'answered=40,unanswered=35,dissuaded=25' → {"call_answered": 40, …}: the weights of a
    seat's results."""
    weights: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, share = part.partition("=")
        kind = f"call_{name.strip()}"
        if kind not in CALL_ANSWERS or not share.strip().isdigit():
            raise ValueError(f"an answer is answered|unanswered|dissuaded=<weight>: {part!r}")
        weights[kind] = int(share)
    if not weights or sum(weights.values()) == 0:
        raise ValueError("at least one answer needs a weight above 0")
    return weights


class FakeFraudPlatform(Poster):
    """The fake's state: where to post, how it answers, and what it was given."""

    def __init__(
        self,
        target: str,
        secret: str,
        *,
        delay_s: float,
        answers: Mapping[str, int],
        seed: int,
        retry_waits_s: tuple[float, ...] = RETRY_WAITS_S,
    ) -> None:
        super().__init__(target, secret)
        self.delay_s = delay_s
        self.answers = dict(answers)
        self.rng = random.Random(seed)
        self.retry_waits_s = retry_waits_s
        self.tasks: dict[str, dict[str, Any]] = {}
        self.freezes: dict[str, dict[str, Any]] = {}
        self.outage = 0
        self.warned: list[dict[str, Any]] = []

    # --- what cad110 sends ------------------------------------------------------------------

    def _take(
        self, what: str, kept: dict[str, dict[str, Any]], sent: dict[str, Any]
    ) -> tuple[int, dict[str, Any]] | str:
        """The fake's answer to a refused request, or its own id for one taken and kept."""
        with _lock:
            if self.outage > 0:
                self.outage -= 1
                return 503, {"detail": "the platform is down for maintenance"}
        missing = [f for f in _REQUIRED[what] if sent.get(f) in (None, "")]
        if missing:
            return 422, {"detail": f"{', '.join(missing)} required"}
        if what == "freeze" and not _MONEY.match(str(sent["amount"])):
            return 422, {"detail": "amount must be yuan with two decimals, e.g. 12000.00"}
        own = str(sent[_REQUIRED[what][0]])
        with _lock:
            if own in kept:
                return 409, {"detail": f"this {_REQUIRED[what][0]} was taken already"}
            theirs = f"{what}-{len(kept) + 1:06d}"
            kept[own] = {**sent, "id": theirs, "events": []}
        return theirs

    def accept_task(self, task: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        taken = self._take("task", self.tasks, task)
        if not isinstance(taken, str):
            return taken
        if self.delay_s > 0:
            with _lock:  # drawn in the order tasks arrive: a seeded run repeats itself
                kind = self.rng.choices(list(self.answers), list(self.answers.values()))[0]
            self._later(self.delay_s, {"task_id": task["task_id"], "type": kind})
        return 201, {"id": taken}

    def accept_freeze(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        taken = self._take("freeze", self.freezes, request)
        if not isinstance(taken, str):
            return taken
        if self.delay_s > 0:
            own = request["request_id"]
            self._later(self.delay_s, {"request_id": own, "type": "freeze_accepted"})
            done = {"request_id": own, "type": "freeze_done", "frozen_amount": request["amount"]}
            self._later(2 * self.delay_s, done)
        return 201, {"id": taken}

    # --- what it posts back -----------------------------------------------------------------

    def _later(self, after_s: float, result: dict[str, Any]) -> None:
        # Always after the answer to cad110's request: it marks the message sent only then.
        timer = threading.Timer(after_s, self.result, args=(result,))
        timer.daemon = True
        timer.start()

    def post_until_taken(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Post `body`, again after each wait while cad110 does not answer or answers 5xx (a
        4xx is final: it will not change by asking again); the last answer."""
        said = self.post(path, body)
        for wait in self.retry_waits_s:
            if 0 < said["status"] < 500:
                break
            time.sleep(wait)
            said = self.post(path, body)
        return said

    def result(self, data: dict[str, Any]) -> dict[str, Any]:
        """Post one result (format 4) for a task or a freeze request; what cad110 said."""
        kind = str(data.get("type", ""))
        event: dict[str, Any] = {
            "event_id": new_id(kind.split("_")[0] or "event"),
            "type": kind,
            "at": now_iso(),
            "note": _NOTES.get(kind, ""),
        }
        event |= {k: v for k, v in data.items() if k != "type"}
        said = self.post_until_taken(EVENTS_PATH, event)
        kept = self.tasks.get(str(data.get("task_id"))) or self.freezes.get(
            str(data.get("request_id"))
        )
        if kept is not None:
            with _lock:
                kept["events"].append({"type": kind, "status": said["status"]})
        return said

    def answer(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        kind = str(data.get("type", ""))
        if "task_id" in data and kind not in CALL_ANSWERS:
            return 422, {"detail": f"a task's result is one of {', '.join(CALL_ANSWERS)}"}
        if "request_id" in data and kind not in FREEZE_ANSWERS:
            return 422, {"detail": f"a freeze's result is one of {', '.join(FREEZE_ANSWERS)}"}
        if ("task_id" in data) == ("request_id" in data):
            return 422, {"detail": "task_id or request_id is required"}
        return 200, {"results": [self.result(data)]}

    def push_warning(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One warning (format 1) now: made up, a second signal about someone warned before
        now and then, with `data`'s fields over it."""
        with _lock:
            again = self.warned and self.rng.random() < REPEAT_SHARE
            who = dict(self.rng.choice(self.warned)) if again else None
            body = fake_people.warning(self.rng, new_id("gjfzpt"), now_iso(), who)
            self.warned.append({k: body[k] for k in ("phone", "name", "id_number") if k in body})
            del self.warned[:-50]
        body |= data
        return 200, {"warning": body, "results": [self.post_until_taken(WARNINGS_PATH, body)]}

    def push_warnings(self, every_s: float) -> None:
        """The living demo: a warning every `every_s` seconds."""
        while True:
            time.sleep(every_s)
            self.push_warning({})

    def set_outage(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        count = data.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            return 422, {"detail": "count must be a whole number, 0 or more"}
        with _lock:
            self.outage = count
        return 200, {"outage": count}


def _handler(platform: FakeFraudPlatform, out_secret: str) -> type[BaseHTTPRequestHandler]:
    def listed(kept: dict[str, dict[str, Any]]) -> object:
        with _lock:
            return [dict(v, events=list(v["events"])) for v in kept.values()]

    return routed_handler(
        secret=out_secret,
        listing="/tasks",
        taken=lambda: listed(platform.tasks),
        more_listings={"/freeze-requests": lambda: listed(platform.freezes)},
        posts={
            "/tasks": platform.accept_task,
            "/freeze-requests": platform.accept_freeze,
            "/answer": platform.answer,
            "/warning": platform.push_warning,
            "/outage": platform.set_outage,
        },
    )


def serve(
    host: str,
    port: int,
    target: str,
    secret: str,
    out_secret: str,
    *,
    delay_s: float = 5.0,
    answers: str = DEFAULT_ANSWERS,
    seed: int = 110,
    warnings_every_s: float = 0.0,
) -> ThreadingHTTPServer:
    """A started server (in a daemon thread); its port is `server.server_address[1]`."""
    platform = FakeFraudPlatform(
        target, secret, delay_s=delay_s, answers=parse_answers(answers), seed=seed
    )
    server = ThreadingHTTPServer((host, port), _handler(platform, out_secret))
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-fraud").start()
    if warnings_every_s > 0:
        threading.Thread(
            target=platform.push_warnings, args=(warnings_every_s,), daemon=True
        ).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--target", default="http://127.0.0.1:8110", help="cad110's base URL")
    parser.add_argument(
        "--secret",
        default=os.environ.get("CAD110_FRAUD_SECRET", ""),
        help="what it signs its warnings and events with (cad110's CAD110_FRAUD_SECRET)",
    )
    parser.add_argument(
        "--out-secret",
        default=os.environ.get("CAD110_FRAUD_OUT_SECRET", ""),
        help="what cad110 signs its tasks and requests with (CAD110_FRAUD_OUT_SECRET)",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=5.0,
        help="seconds before a task's or a freeze's result is posted (0: only by hand)",
    )
    parser.add_argument("--answers", default=DEFAULT_ANSWERS, help="weights of a seat's results")
    parser.add_argument("--seed", type=int, default=110, help="seeds the results and warnings")
    parser.add_argument(
        "--warnings-every",
        type=float,
        default=0.0,
        help="push a made-up warning into cad110 every this many seconds (0: never)",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started it is gone)",
    )
    args = parser.parse_args(argv)
    if not args.secret or not args.out_secret:
        parser.error(
            "both secrets are needed: --secret (or CAD110_FRAUD_SECRET) and --out-secret "
            "(or CAD110_FRAUD_OUT_SECRET)"
        )
    try:
        parse_answers(args.answers)
    except ValueError as exc:
        parser.error(str(exc))
    server = serve(
        args.host,
        args.port,
        args.target,
        args.secret,
        args.out_secret,
        delay_s=args.delay,
        answers=args.answers,
        seed=args.seed,
        warnings_every_s=args.warnings_every,
    )
    run_until_stopped(server, exit_with_stdin=args.exit_with_stdin)


if __name__ == "__main__":
    main()
