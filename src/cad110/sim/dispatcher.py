"""The desk after intake: dispatch (派警) or queue (待派), offers taken by their units, then
close (结警, the dispatcher), call back (回访, the call-taker) and archive (归档, the duty leader)."""

from __future__ import annotations

import logging
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.dispatch.offers import accept_offer
from cad110.dispatch.recommend import recommend
from cad110.incidents import actions
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import CallbackBody, CloseBody, DispatchBody, NoteBody
from cad110.incidents.snapshot import snapshot_of
from cad110.lifecycles.incident import Status
from cad110.models.supervision import OfferState, UnitOffer
from cad110.sim import content
from cad110.sim.core import SimCore
from cad110.sim.state import CALLBACK_SHARE, QUEUE_PATIENCE_S, RETRY_DISPATCH

log = logging.getLogger("cad110.sim")


class DispatcherActor(SimCore):
    """The dispatcher and the desk staff after the report; pending offers go to their units."""

    # --- dispatch (派警) ----------------------------------------------------------------

    def _dispatch(self, number: str) -> None:
        """The dispatcher sends the top recommended unit(s), or queues the incident (待派).

        Units holding an offer are left to take it. A queued incident waits for an offer to a
        unit of its district; after QUEUE_PATIENCE the dispatcher looks city-wide again.
        """
        inc = self._incidents.get(number)
        if inc is None or self._leaves(incident=number):
            return

        def work(session: Session) -> tuple[str, list[str]]:
            ctx = self._ctx(session, self._actors.dispatcher)
            ctx.by.require(Permission.DISPATCH)
            incident = get_incident(session, number, by=ctx.by)
            if incident.status not in {Status.ACCEPTED, Status.ASSESSED, Status.QUEUED}:
                return f"skip: already {incident.status.value}", []
            offers = session.execute(
                select(UnitOffer.incident_id, UnitOffer.unit_code).where(
                    UnitOffer.state == OfferState.PENDING
                )
            ).all()
            if any(incident_id == incident.id for incident_id, _ in offers):
                return "waiting", []  # a unit was offered it and is about to answer
            offered = {unit for _, unit in offers}
            advice = recommend(ctx, incident, eta=ctx.eta, k=5 + len(offered))
            chosen = [r.unit.code for r in advice.items if r.unit.code not in offered]
            chosen = chosen[: advice.min_units]
            if chosen:
                actions.dispatch(ctx, number, DispatchBody(units=chosen, note="按系统推荐派警"))
                return "sent", chosen
            if incident.status is Status.QUEUED:
                return "waiting", []
            actions.queue(ctx, number, NoteBody(note="暂无空闲警力，转入待派"))
            return "queued", []

        result = self._tx("dispatch", work)
        if result is None:
            inc.dispatch_refusals += 1
            if inc.dispatch_refusals < RETRY_DISPATCH:
                self._after(self._rng.uniform(20, 40), "dispatch", partial(self._dispatch, number))
            return
        what, units = result
        if what == "sent":
            self.stats["dispatched"] += 1
            for code in units:
                self._start_job(code, number, self._now())
        elif what in {"queued", "waiting"}:
            if what == "queued":
                self.stats["queued"] += 1
                self._scan_offers()
            wait = QUEUE_PATIENCE_S * self._rng.uniform(0.8, 1.2)
            self._after(wait, "dispatch", partial(self._dispatch, number))
        else:
            log.debug("simulated dispatch of %s skipped (someone came first): %s", number, what)

    def _accept_offer(self, offer_id: int, code: str) -> None:
        self._offers.discard(offer_id)
        u = self._units.get(code)
        if u is None or self._leaves(unit=code):
            return

        def work(session: Session) -> str:
            incident = accept_offer(self._ctx(session, u.unit.officer), offer_id)
            self._register_row(incident, ours=False)
            return incident.number

        number = self._tx("accept offer", work)
        if number is not None:
            self.stats["offers_accepted"] += 1
            self._start_job(code, number, self._now())

    def _scan_offers(self) -> None:
        """Each pending offer (待派推送) is taken by its unit after a short while."""
        try:
            with self._rt.readers() as session:
                offers = session.execute(
                    select(UnitOffer.id, UnitOffer.unit_code)
                    .where(UnitOffer.state == OfferState.PENDING)
                    .order_by(UnitOffer.id)
                ).all()
        except SQLAlchemyError as exc:
            log.warning("simulator scan failed: %s", exc)
            return
        for offer_id, code in offers:
            if offer_id not in self._offers and code in self._units:
                self._offers.add(offer_id)
                delay = self._rng.uniform(5, 25)
                self._after(
                    delay, f"accept offer {code}", partial(self._accept_offer, offer_id, code)
                )

    # --- after the report (结警 回访 归档) ------------------------------------------------

    def _close(self, number: str, tries: int) -> None:
        if self._leaves(incident=number):
            return
        rng = self._rng
        summary = rng.choice(content.CLOSE_NOTES)

        def work(session: Session) -> bool:
            """Close; true when the catalog asks for 回访 before 归档 (grades 1–2, missing
            persons), read from the incident as the lifecycle rules will see it."""
            ctx = self._ctx(session, self._actors.dispatcher)
            incident = actions.close(ctx, number, CloseBody(summary=summary))
            return snapshot_of(ctx.catalog, incident, {}).callback_due

        due = self._tx("close", work)
        if due is None:
            if tries < 2:
                self._after(120, "close", partial(self._close, number, tries + 1))
            return
        self.stats["closed"] += 1
        # Where the catalog asks for it the desk always calls back (the archive would be
        # refused without it); elsewhere only a share of callers are called.
        if due or rng.random() < CALLBACK_SHARE:
            wait = self._squeeze(rng.uniform(20, 90) * 60, 120)
            self._after(wait, "callback", partial(self._callback, number, due, 0))
        else:
            self._after(self._archive_wait(), "archive", partial(self._archive, number))

    def _archive_wait(self) -> float:
        return self._squeeze(self._rng.uniform(2, 4) * 3600, 600)

    def _callback(self, number: str, due: bool, tries: int) -> None:
        """回访, then 归档 a while later. A callback the catalog asks for is retried (a busy
        database); given up, the incident is left closed rather than refused at archive."""
        if self._leaves(incident=number):
            self._incidents.pop(number, None)
            return
        satisfaction = content.satisfaction(self._rng)
        body = CallbackBody(satisfaction=satisfaction, note=content.CALLBACK_NOTES[satisfaction])

        def work(session: Session) -> bool:
            actions.callback(self._ctx(session, self._actors.calltaker), number, body)
            return True

        if self._tx("callback", work):
            self.stats["callbacks"] += 1
        elif due and tries < 2:
            self._after(120, "callback", partial(self._callback, number, due, tries + 1))
            return
        elif due:
            self._incidents.pop(number, None)
            return
        self._after(self._archive_wait(), "archive", partial(self._archive, number))

    def _archive(self, number: str) -> None:
        if self._leaves(incident=number):
            self._incidents.pop(number, None)
            return

        def work(session: Session) -> bool:
            actions.archive(self._ctx(session, self._actors.leader), number, NoteBody(note="归档"))
            return True

        if self._tx("archive", work):
            self.stats["archived"] += 1
        self._incidents.pop(number, None)
