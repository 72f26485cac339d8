// The ringing phone on the desk: the seat this desk sits at, and the call that seat answered.
// A phone call's change on the live stream (console.js → "cad110:live") makes the desk ask
// GET /api/v1/telephony/seat for its call; a new one fills the caller's number (the desk then
// shows the number's earlier incidents) and, where the carrier gave a location, the nearest
// standard address, announced as a "cad110:place" event with source "phone". Data reaches the
// page only through textContent and input values.
(function () {
  "use strict";
  const box = document.getElementById("phone-pop");
  if (!box) return;
  const texts = JSON.parse(document.getElementById("phone-texts").textContent);
  const seatInput = document.getElementById("phone-seat");
  const seatState = document.getElementById("phone-seat-state");
  const banner = document.getElementById("phone-call");
  const numberText = document.getElementById("phone-number");
  const earlierText = document.getElementById("phone-earlier");
  const whereText = document.getElementById("phone-where");
  const form = document.getElementById("intake");
  const STORED = "cad110.phone.seat";
  let shown = null; // the phone call id on screen
  let filled = ""; // the number the last pop put in the form
  let asking = false;
  let again = false;

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

  function showSeat(seat) {
    seatInput.value = seat || "";
    seatState.textContent = seat ? fill(texts.seat_saved, { seat: seat }) : texts.no_seat;
  }

  async function claim(seat) {
    try {
      await cad110.call("PUT", "/api/v1/telephony/seat", { seat: seat });
      localStorage.setItem(STORED, seat);
      showSeat(seat);
    } catch (error) {
      seatState.textContent = error.message;
    }
  }

  function setField(name, value) {
    const field = form && form.elements[name];
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

  async function locate(call) {
    const source = texts.sources[call.location_source] || call.location_source || "";
    const accuracy = call.accuracy_m === null ? "?" : call.accuracy_m;
    const query = "lon=" + encodeURIComponent(call.lon) + "&lat=" + encodeURIComponent(call.lat);
    const answer = await fetch("/api/v1/places/nearest?" + query, { credentials: "same-origin" });
    const found = answer.ok ? (await answer.json()).place : null;
    const detail = found
      ? {
          code: found.code,
          lon: found.lon,
          lat: found.lat,
          full_text: found.full_text,
          district: found.district,
          station: found.station || null,
          grid: found.grid || null,
          source: "phone",
        }
      : { code: null, lon: call.lon, lat: call.lat, full_text: "", district: "", station: null, grid: null, source: "phone" };
    whereText.textContent = found
      ? fill(texts.near, { place: found.full_text, accuracy: accuracy, source: source })
      : fill(texts.located, { accuracy: accuracy, source: source });
    document.dispatchEvent(new CustomEvent("cad110:place", { detail: detail }));
  }

  async function pop(call) {
    shown = call.call_id;
    banner.hidden = false;
    numberText.textContent = call.caller_number || texts.withheld;
    earlierText.textContent = "";
    whereText.textContent = "";
    if (call.caller_number) {
      // Never over what the call-taker is typing: only an empty field, or the last pop's number.
      const typed = form ? form.elements.caller_phone.value : "";
      if (!typed || typed === filled) {
        setField("caller_phone", call.caller_number);
        filled = call.caller_number;
      }
      earlierCalls(call.caller_number);
    }
    const located = call.lon !== null && call.lat !== null;
    if (located) await locate(call);
    // Keys go on where the call-taker is now: to what happened when the phone gave the place,
    // else to the address. Never away from a field the call-taker is typing in.
    const here = document.activeElement;
    if (form && (!here || here === document.body || here === seatInput)) {
      const next = located ? form.elements.narrative : form.elements.address;
      if (next) next.focus();
    }
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
      if (document.activeElement !== seatInput) showSeat(mine.seat);
      if (!mine.call) {
        shown = null;
        banner.hidden = true;
      } else if (mine.call.call_id !== shown) {
        await pop(mine.call);
      }
    } finally {
      asking = false;
      if (again) {
        again = false;
        check();
      }
    }
  }

  seatInput.addEventListener("change", () => {
    const seat = seatInput.value.trim();
    if (seat && seatInput.checkValidity()) claim(seat);
  });
  seatInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      seatInput.blur();
    }
  });
  document.addEventListener("cad110:live", (e) => {
    const kind = e.detail && e.detail.kind;
    // A phone call changed, or something may have been missed; a saved call record ends the pop.
    if (kind === "phone_call" || kind === "resync" || kind === "call") check();
  });

  (async function start() {
    const answer = await fetch("/api/v1/telephony/seat", { credentials: "same-origin" });
    const mine = answer.ok ? await answer.json() : { seat: null };
    const remembered = localStorage.getItem(STORED);
    if (!mine.seat && remembered) await claim(remembered);
    else showSeat(mine.seat);
    check();
  })();
})();
