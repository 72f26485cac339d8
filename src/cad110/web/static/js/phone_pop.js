// The ringing phone on the desk: the seat this desk sits at, and the call that seat answered.
// A phone call's change on the live stream (console.js → "cad110:live") makes the desk ask
// GET /api/v1/telephony/seat for its call. A new call fills the form only when the form holds
// nothing but what the previous pop put there (nothing typed or picked since): the caller's
// number and, where the carrier gave a location, the nearest standard address, announced as a
// "cad110:place" event with source "phone". Otherwise the form is left as it is and the banner
// shows the new call with a key (F4) to load it; it loads by itself once the form is saved. The
// form carries the id of the call it was loaded from (data-phone-call), which desk.js sends with
// the save: the record is linked to that phone call. 忽略 stops the pop of a call and records
// nothing. Data reaches the page only through textContent and input values.
(function () {
  "use strict";
  const box = document.getElementById("phone-pop");
  if (!box) return;
  const texts = JSON.parse(document.getElementById("phone-texts").textContent);
  const seatInput = document.getElementById("phone-seat");
  const seatState = document.getElementById("phone-seat-state");
  const banner = document.getElementById("phone-call");
  const stateText = document.getElementById("phone-state");
  const numberText = document.getElementById("phone-number");
  const earlierText = document.getElementById("phone-earlier");
  const whereText = document.getElementById("phone-where");
  const waitingLine = document.getElementById("phone-waiting");
  const waitingText = document.getElementById("phone-waiting-text");
  const loadButton = document.getElementById("phone-load");
  const dismissButton = document.getElementById("phone-dismiss");
  const form = document.getElementById("intake");
  const STORED = "cad110.phone.seat";
  // What the form may hold and still count as holding nothing of the call-taker's own.
  const FIELDS = ["caller_phone", "caller_name", "address", "lon", "lat", "narrative", "category", "grade", "tags"];
  let shown = null; // the call in the banner
  let waiting = null; // a call in the banner not loaded, because the form holds another record
  let put = null; // the form's values as the last pop left them
  let armed = false; // F4 pressed once over a record not saved: a second press clears and loads
  let ours = false; // the form is being reset by a pop, not after a save
  let asking = false;
  let sitting = null; // the seat this desk holds, as last heard
  let again = false;
  let typed = false; // the call-taker typed a seat before the desk had heard its own

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  function showSeat(seat) {
    sitting = seat || null;
    seatInput.value = seat || "";
    seatState.textContent = seat ? fill(texts.seat_saved, { seat: seat }) : texts.no_seat;
  }

  // A seat another account holds (a colleague's, the demo's simulated call-taker's) is taken
  // only when the call-taker says so, asked once with the holder's name and since when; the
  // browser's own dialog answers to Enter and Esc. Refused, the desk keeps the seat it had.
  // `ask` is false when the desk reclaims the seat it remembers on opening: it only says so.
  async function claim(seat, ask) {
    try {
      await cad110.call("PUT", "/api/v1/telephony/seat", { seat: seat });
    } catch (error) {
      const held = error.body && error.body.code === "seat_taken" ? error.body : null;
      if (!held) {
        seatState.textContent = error.message;
        return;
      }
      const words = { seat: seat, holder: held.holder, since: cad110.when(held.since) };
      if (!ask || !window.confirm(fill(texts.take_over, words))) {
        seatInput.value = sitting || "";
        seatState.textContent = fill(texts.seat_taken, words);
        return;
      }
      try {
        await cad110.call("PUT", "/api/v1/telephony/seat", { seat: seat, take_over: true });
      } catch (again) {
        seatState.textContent = again.message;
        return;
      }
    }
    localStorage.setItem(STORED, seat);
    showSeat(seat);
  }

  function values() {
    const found = {};
    FIELDS.forEach((name) => {
      const field = form.elements[name];
      found[name] = field ? field.value.trim() : "";
    });
    return found;
  }

  // Nothing typed or picked since the last pop: every field empty or as that pop left it.
  function blank() {
    if (!form) return false;
    const now = values();
    return FIELDS.every((name) => !now[name] || (put !== null && put[name] === now[name]));
  }

  function setField(name, value) {
    const field = form.elements[name];
    if (!field) return;
    field.value = value;
    // The desk's own listeners follow typed input (the history lookup of the number).
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function earlierCalls(number) {
    const answer = await fetch(
      "/api/v1/calls?limit=1&caller_phone=" + encodeURIComponent(number),
      { credentials: "same-origin" }
    );
    if (!answer.ok) return;
    const total = (await answer.json()).total || 0;
    earlierText.textContent = total ? fill(texts.earlier, { n: total }) : texts.first;
  }

  // Where the caller is, as the nearest standard address (said in the banner); the detail of
  // the `cad110:place` event that puts it in the form, or null without a location.
  async function whereOf(call) {
    if (call.lon === null || call.lat === null) return null;
    const source = texts.sources[call.location_source] || call.location_source || "";
    const accuracy = call.accuracy_m === null ? "?" : call.accuracy_m;
    const query = "lon=" + encodeURIComponent(call.lon) + "&lat=" + encodeURIComponent(call.lat);
    const answer = await fetch("/api/v1/places/nearest?" + query, { credentials: "same-origin" });
    const found = answer.ok ? (await answer.json()).place : null;
    if (shown !== call.call_id) return null; // another call came meanwhile
    whereText.textContent = found
      ? fill(texts.near, { place: found.full_text, accuracy: accuracy, source: source })
      : fill(texts.located, { accuracy: accuracy, source: source });
    if (!found) {
      return { code: null, lon: call.lon, lat: call.lat, full_text: "", district: "", station: null, grid: null, source: "phone" };
    }
    return {
      code: found.code,
      lon: found.lon,
      lat: found.lat,
      full_text: found.full_text,
      district: found.district,
      station: found.station || null,
      grid: found.grid || null,
      source: "phone",
    };
  }

  function showWaiting(call) {
    waitingLine.hidden = call === null;
    waitingText.textContent = call === null ? "" : texts.waiting;
    armed = false;
  }

  // Into the form, over nothing but what the last pop put there. `keys`: the call-taker asked
  // for it, or the desk was just saved, so the keys go with it.
  async function load(call, keys) {
    waiting = null;
    showWaiting(null);
    ours = true;
    form.reset();
    ours = false;
    await tick(); // the place box lets go of the last point after a reset, on the next turn
    form.dataset.phoneCall = call.call_id;
    if (call.caller_number) setField("caller_phone", call.caller_number);
    const where = await call.where;
    if (where) document.dispatchEvent(new CustomEvent("cad110:place", { detail: where }));
    put = values();
    // Keys go on where the call-taker is now: to what happened when the phone gave the place,
    // else to the address. Never away from what the call-taker is typing in (the form held
    // nothing of theirs, or it would not have been filled).
    const here = document.activeElement;
    if (keys || !here || here === document.body || box.contains(here) || form.contains(here)) {
      const next = where ? form.elements.narrative : form.elements.address;
      if (next) next.focus();
    }
  }

  async function pop(call) {
    shown = call.call_id;
    banner.hidden = false;
    stateText.textContent = call.state === "ended" ? texts.ended : texts.answered;
    numberText.textContent = call.caller_number || texts.withheld;
    earlierText.textContent = "";
    whereText.textContent = "";
    if (call.caller_number) earlierCalls(call.caller_number);
    call.where = whereOf(call).catch(() => null);
    if (form && blank()) {
      await load(call, false);
    } else {
      waiting = call;
      showWaiting(call);
      await call.where;
    }
  }

  function hide() {
    shown = null;
    waiting = null;
    showWaiting(null);
    banner.hidden = true;
  }

  async function check() {
    if (asking) {
      again = true;
      return;
    }
    asking = true;
    try {
      const answer = await fetch("/api/v1/telephony/seat", { credentials: "same-origin" });
      if (!answer.ok) return;
      const mine = await answer.json();
      // Said again only when it changed (taken over elsewhere): a refusal stays readable.
      if (document.activeElement !== seatInput && (mine.seat || null) !== sitting) showSeat(mine.seat);
      if (!mine.call) {
        hide();
      } else if (mine.call.call_id !== shown) {
        await pop(mine.call);
      } else {
        stateText.textContent = mine.call.state === "ended" ? texts.ended : texts.answered;
      }
    } finally {
      asking = false;
      if (again) {
        again = false;
        check();
      }
    }
  }

  // F4 or the button: the waiting call into the form. Over a record not saved only on a second
  // press, which clears it: one key never throws away what was typed.
  function loadWaiting() {
    if (!waiting) return;
    if (!blank() && !armed) {
      armed = true;
      waitingText.textContent = texts.load_confirm;
      return;
    }
    put = null;
    load(waiting, true);
  }

  async function dismiss() {
    if (!shown) return;
    const call = shown;
    try {
      await cad110.call("POST", "/api/v1/telephony/calls/" + encodeURIComponent(call) + "/dismiss");
    } catch (error) {
      whereText.textContent = error.message;
      return;
    }
    if (form && form.dataset.phoneCall === call) {
      delete form.dataset.phoneCall;
      if (blank()) {
        ours = true;
        form.reset();
        ours = false;
      }
    }
    hide();
    check();
  }

  seatInput.addEventListener("input", () => {
    typed = true;
  });
  seatInput.addEventListener("change", () => {
    const seat = seatInput.value.trim();
    if (seat && seatInput.checkValidity()) claim(seat, true);
  });
  seatInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      seatInput.blur();
    }
  });
  loadButton.addEventListener("click", loadWaiting);
  dismissButton.addEventListener("click", dismiss);
  document.addEventListener("keydown", (e) => {
    if (e.key === "F4" && !banner.hidden) {
      e.preventDefault();
      loadWaiting();
    }
  });
  if (form) {
    form.addEventListener("input", () => {
      armed = false;
      if (waiting) waitingText.textContent = texts.waiting;
    });
    // Saved (or recorded without an incident): the form is blank, and the call it was loaded
    // from is recorded. A call waiting in the banner comes in now.
    form.addEventListener("reset", () => {
      if (ours) return;
      const recorded = form.dataset.phoneCall;
      delete form.dataset.phoneCall;
      put = null;
      if (waiting) setTimeout(() => waiting && load(waiting, true), 0);
      else if (recorded && recorded === shown) hide();
    });
  }
  document.addEventListener("cad110:live", (e) => {
    const kind = e.detail && e.detail.kind;
    // A phone call changed, or something may have been missed; a saved call record ends the pop.
    if (kind === "phone_call" || kind === "resync" || kind === "call") check();
  });

  (async function start() {
    const answer = await fetch("/api/v1/telephony/seat", { credentials: "same-origin" });
    const mine = answer.ok ? await answer.json() : { seat: null };
    const remembered = localStorage.getItem(STORED);
    // A seat typed while the server was asked stands: its own claim says how it went.
    if (typed) return check();
    if (!mine.seat && remembered) await claim(remembered, false);
    else showSeat(mine.seat);
    check();
  })();
})();
