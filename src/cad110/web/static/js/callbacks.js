// 不满意整改 on an incident's record: a leader answers the station's follow-up.
(function () {
  "use strict";
  const form = document.getElementById("follow-up-reply");
  if (!form) return;
  const msg = document.getElementById("follow-up-msg");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = document.getElementById("follow-up-text").value.trim();
    if (!reply) return;
    try {
      await cad110.call("POST", form.dataset.url, { reply: reply });
      window.location.reload();
    } catch (err) {
      msg.textContent = form.dataset.failed + " " + err.message;
    }
  });
})();

// 回访队列: choose a callback with ↑/↓, R shows the caller's number (a recorded read) and
// hides it again (the masked text back, nothing asked), 1–4
// answer it (满意 / 基本满意 / 不满意 / 未接通; an unreachable one goes below those to call
// now and the next is shown), N goes to the note. Data reaches the page only
// through textContent. Live: each change (the board's SSE) fetches the queue's parts again
// (GET /callbacks/rows) and merges them by callback number; the chosen callback stays chosen
// with its note, a number shown and the message as they were, unless it was answered elsewhere.
(function () {
  "use strict";
  const room = document.getElementById("callbacks");
  if (!room) return;
  const answers = JSON.parse(document.getElementById("cb-answers").textContent);
  const itemsOf = (doc) => JSON.parse(doc.getElementById("cb-items").textContent);
  let byNumber = new Map(itemsOf(document).map((item) => [item.number, item]));
  const list = document.getElementById("cb-list");
  const detail = document.getElementById("cb-detail");
  const note = document.getElementById("cb-note");
  const msg = document.getElementById("cb-msg");
  const $ = (id) => document.getElementById(id);
  const fill = cad110.fill;
  let current = null;
  // The server's clock less this browser's: a waiting row's next try is judged by the clock
  // the API refuses an early try with.
  const skew = (Date.parse(room.dataset.now) || Date.now()) - Date.now();
  const unreachable = detail.querySelector('button.answer[data-answer="unreachable"]');
  let wakeUp = null;
  // One key per answer being tried: a retry of the same answer is not a second try.
  let pendingKey = null;
  const revealButton = document.getElementById("cb-reveal");
  // The number being asked for (a token): a second R meanwhile asks nothing, and an answer
  // that comes after another callback was chosen is dropped.
  let asking = null;
  // Callbacks this page answered: a refresh read before an answer was committed can come back
  // after its answer did, and must not bring the answered row back (nor later call it answered
  // elsewhere). `answering` is the one whose answer is on its way.
  const answeredHere = new Set();
  let answering = null;

  function rows() {
    return Array.from(list.querySelectorAll("li[data-number]"));
  }

  // 未接通 waits for the row's next try (retry_after_minutes): before it the key is off and
  // says from when, and it comes back on by itself when the time comes.
  function waitFor(item) {
    clearTimeout(wakeUp);
    const left = item && item.next_try_at ? Date.parse(item.next_try_at) - (Date.now() + skew) : 0;
    const waiting = left > 0;
    unreachable.disabled = waiting;
    unreachable.title = waiting ? fill(room.dataset.notYet, { at: cad110.when(item.next_try_at) }) : "";
    if (waiting) wakeUp = setTimeout(() => waitFor(current), Math.min(left + 500, 2 ** 31 - 1));
  }

  // The row's own words after a try: how many were unreachable and when the next is due.
  function markRow(row, item) {
    for (const [cls, text] of [
      ["tries", item.attempts ? fill(room.dataset.tries, { n: item.attempts }) : ""],
      ["later", item.next_try_at ? fill(room.dataset.later, { at: cad110.when(item.next_try_at) }) : ""],
    ]) {
      let span = row.querySelector("." + cls);
      if (!span && text) {
        span = document.createElement("span");
        span.className = cls;
        const sms = row.querySelector(".sms");
        row.insertBefore(span, sms);
      }
      if (span) span.textContent = text;
    }
    row.classList.toggle("waiting", Boolean(item.next_try_at));
  }

  function show(row, focus) {
    rows().forEach((r) => r.classList.toggle("current", r === row));
    const item = row ? byNumber.get(row.dataset.number) : null;
    current = item;
    pendingKey = null;
    asking = null;
    detail.hidden = !item;
    detail.querySelectorAll("dl, textarea, .cb-answers, label").forEach((e) => (e.hidden = !item));
    if (!item) return waitFor(null);
    if (focus !== false) row.focus();
    const link = $("cb-number");
    link.textContent = item.number;
    link.setAttribute("href", "/incidents/" + encodeURIComponent(item.number));
    $("cb-category").textContent = (room.dataset.english ? item.category_en : item.category_zh) || item.category || "";
    mask(item);
    $("cb-address").textContent = item.address || "—";
    $("cb-closed").textContent = cad110.when(item.closed_at);
    $("cb-reported").textContent = item.reported || "—";
    $("cb-summary").textContent = item.summary || "—";
    $("cb-reply").textContent = item.survey_reply || "—";
    $("cb-attempts").textContent = fill(room.dataset.attempts, { n: item.attempts, max: room.dataset.max });
    revealButton.hidden = !item.caller_phone;
    note.value = "";
    msg.textContent = "";
    waitFor(item);
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((r) => current && r.dataset.number === current.number);
    show(all[Math.min(all.length - 1, Math.max(0, at + step))]);
  }

  // The button says what a press will do: show the number, or hide it again. Its label
  // changes, so it is no toggle button with aria-pressed (which keeps one label).
  function pressed(on) {
    revealButton.dataset.shown = String(on);
    revealButton.textContent = on ? revealButton.dataset.hide : revealButton.dataset.show;
  }

  // The caller's name and number as the queue lists them (masked), the button back to showing.
  function mask(item) {
    for (const [id, value] of [["cb-name", item.caller_name], ["cb-phone", item.caller_phone]]) {
      $(id).textContent = value || "—";
      $(id).classList.add("masked");
    }
    pressed(false);
  }

  // R (or the button) toggles. Hiding asks nothing; showing asks the server afresh each time
  // and is kept nowhere, so every sight of the full number is a read in the access log.
  async function reveal() {
    if (!current || asking) return;
    if (revealButton.dataset.shown === "true") return mask(current);
    const item = current;
    const ask = {};
    asking = ask;
    try {
      const full = await cad110.call("GET", "/api/v1/callbacks/" + encodeURIComponent(item.number));
      // Another callback chosen meanwhile: the panel is no longer this answer's to fill.
      if (asking !== ask) return;
      const shown = full.caller_phone !== item.caller_phone;
      $("cb-name").textContent = full.caller_name || "—";
      $("cb-phone").textContent = full.caller_phone || "—";
      $("cb-name").classList.toggle("masked", !shown);
      $("cb-phone").classList.toggle("masked", !shown);
      pressed(shown);
    } catch (err) {
      if (asking === ask) msg.textContent = room.dataset.failed + " " + err.message;
    } finally {
      if (asking === ask) asking = null;
    }
  }

  async function answer(said) {
    if (!current) return;
    const number = current.number;
    pendingKey = pendingKey || cad110.newKey();
    answering = number;
    try {
      const out = await cad110.call(
        "POST",
        "/api/v1/callbacks/" + encodeURIComponent(number) + "/answer",
        { answer: said, note: note.value.trim() },
        { idempotencyKey: pendingKey },
      );
      pendingKey = null;
      if (out.done) answeredHere.add(number);
      const row = list.querySelector('li[data-number="' + CSS.escape(number) + '"]');
      if (!row) {
        // A live refresh took the row away while the answer was on its way: said, nothing more.
        msg.textContent = fill(room.dataset.done, { number: number, answer: answers[out.satisfaction] || out.satisfaction || "" });
      } else if (out.done) {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        byNumber.delete(number);
        show(next && next.dataset.number ? next : null);
        // Said after the next one is shown (showing one clears the message), and kept visible.
        detail.hidden = false;
        if (!rows().length) detail.querySelectorAll("dl, textarea, .cb-answers, label").forEach((e) => (e.hidden = true));
        recount();
        msg.textContent = fill(room.dataset.done, { number: number, answer: answers[out.satisfaction] || out.satisfaction });
      } else {
        const item = byNumber.get(number);
        item.attempts = out.attempts;
        item.next_try_at = out.next_try_at;
        markRow(row, item);
        // A waiting callback goes below those to call now, where the server lists it, so
        // the next refresh does not move it under the user's keys; the one now in its place
        // is shown, the way an answered one is followed by the next.
        const next = row.nextElementSibling;
        list.appendChild(row);
        if (current === item) {
          const then = next && next !== row && !next.classList.contains("waiting") ? next : null;
          if (then) {
            show(then);
            msg.textContent = fill(room.dataset.retryOf, { number: number, at: cad110.when(out.next_try_at) });
          } else {
            waitFor(item);
            $("cb-attempts").textContent = fill(room.dataset.attempts, { n: out.attempts, max: room.dataset.max });
            msg.textContent = fill(room.dataset.retry, { at: cad110.when(out.next_try_at) });
          }
        }
      }
    } catch (err) {
      msg.textContent = room.dataset.failed + " " + err.message;
    } finally {
      if (answering === number) answering = null;
    }
  }

  list.addEventListener("click", (event) => {
    const row = event.target.closest("li[data-number]");
    if (row) show(row);
  });
  revealButton.addEventListener("click", reveal);
  detail.querySelectorAll("button.answer").forEach((button) => {
    button.addEventListener("click", () => answer(button.dataset.answer));
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target === note) {
      if (event.key === "Escape") note.blur();
      return;
    }
    if (event.target.closest("input, textarea, select")) return;
    const keys = { ArrowDown: () => move(1), ArrowUp: () => move(-1), r: reveal, R: reveal };
    const button = detail.querySelector('button.answer[data-key="' + event.key + '"]');
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    } else if (button && current) {
      event.preventDefault();
      if (button.disabled) msg.textContent = button.title;
      else button.click();
    } else if ((event.key === "n" || event.key === "N") && current) {
      event.preventDefault();
      note.focus();
    }
  });
  function recount() {
    const left = rows().length;
    const waiting = $("cb-waiting");
    waiting.textContent = fill(room.dataset.waiting, { n: left });
  }

  // The fresh parts merged in: rows in the server's order, the chosen one kept chosen (and
  // focused if it was), the list's scroll kept; the panel is left alone while its callback
  // is still waiting, so a note being typed or a number shown stays.
  function merge(doc) {
    doc.querySelectorAll("#cb-list li[data-number]").forEach((li) => {
      if (answeredHere.has(li.dataset.number)) li.remove();
    });
    const fresh = itemsOf(doc).filter((item) => !answeredHere.has(item.number));
    byNumber = new Map(fresh.map((item) => [item.number, item]));
    const had = current ? current.number : null;
    const focused = list.contains(document.activeElement);
    const scroll = list.scrollTop;
    const old = rows().map((r) => r.dataset.number);
    const at = had ? Math.max(0, old.indexOf(had)) : 0;
    list.replaceChildren(...Array.from(doc.getElementById("cb-list").children, (li) => document.importNode(li, true)));
    list.scrollTop = scroll;
    recount();
    $("cb-follow-up-rows").replaceChildren(
      ...Array.from(doc.getElementById("cb-follow-up-rows").children, (tr) => document.importNode(tr, true)),
    );
    const all = rows();
    if (had && byNumber.has(had)) {
      const row = all.find((r) => r.dataset.number === had);
      row.classList.add("current");
      if (focused) row.focus();
      current = byNumber.get(had);
      $("cb-attempts").textContent = fill(room.dataset.attempts, { n: current.attempts, max: room.dataset.max });
      waitFor(current);
    } else if (had) {
      // Answered elsewhere (another 回访员, the board, an SMS reply): the one now in its place.
      show(all[Math.min(at, all.length - 1)] || null, focused);
      detail.hidden = false;
      // This page's own answer, still on its way, says what was recorded when it comes.
      if (had !== answering) msg.textContent = fill(room.dataset.gone, { number: had });
    } else if (all.length) {
      // A callback joins an empty queue: chosen, and what was last recorded still said.
      const said = msg.textContent;
      show(all[0], false);
      msg.textContent = said;
    }
  }

  const refresh = cad110.refresher("/callbacks/rows", merge);

  const first = rows()[0];
  if (first) show(first);
  // Keep the page when the session ends (a note may be half typed); a row due by the clock
  // alone (a waiting one's next try) comes back with the minute's refresh.
  cad110.live(refresh, true);
  setInterval(refresh, 60000);
})();
