// 反诈预警台: choose a warning with ↑/↓; C shows the person's number in full (a recorded read
// of the API) to dial on the seat's phone; 1–4 record the outcome (劝阻成功 / 已被骗 /
// 无法联系 / 误报), with the amount typed for the first two; T records a three-way call with the
// anti-fraud centre (三方通话) in the warning's history. With closed warnings shown too, a closed
// one shows its outcome instead of the keys that work it. The queue follows the live stream (a
// new warning, a step pushed, a result from 96110) without losing what is being typed. Data
// reaches the page only through textContent.
(function () {
  "use strict";
  const room = document.getElementById("fraud");
  if (!room) return;
  const $ = (id) => document.getElementById(id);
  const items = new Map();
  const itemsOf = (doc) => JSON.parse(doc.getElementById("fw-items").textContent);
  itemsOf(document).forEach((w) => items.set(w.number, w));
  const outcomes = JSON.parse($("fw-outcomes").textContent);
  const stepNames = JSON.parse($("fw-step-names").textContent);
  const stepStates = JSON.parse($("fw-step-states").textContent);
  const historyKinds = JSON.parse($("fw-history-kinds").textContent);
  // The words of a history step's reasons, by the kind of step, and of their parameters by
  // prefix (_fraud_words.html).
  const reasonWords = JSON.parse($("fw-reasons").textContent);
  const reasonParams = JSON.parse($("fw-reason-params").textContent);
  // The accounts no person holds (the platform, the ladder…), named for what they are.
  const machines = JSON.parse($("fw-machines").textContent);
  const keepClosed = Boolean(room.dataset.keepClosed);
  const list = $("fw-list");
  const detail = $("fw-detail");
  const msg = $("fw-msg");
  const english = Boolean(room.dataset.english);
  let current = null;
  let pendingKey = null;
  let threeWayKey = null;

  function rows() {
    return Array.from(list.querySelectorAll("li[data-number]"));
  }

  function show(row) {
    rows().forEach((r) => r.classList.toggle("current", r === row));
    current = row ? items.get(row.dataset.number) : null;
    pendingKey = null;
    threeWayKey = null;
    detail.hidden = !current;
    if (!current) return;
    row.focus();
    const w = current;
    $("fw-number").textContent =
      w.number + " · " + (english ? w.level_en : w.level_zh) + " · " + (english ? w.fraud_type_en : w.fraud_type_zh);
    $("fw-name").textContent = w.name || "—";
    $("fw-phone").textContent = w.phone || "—";
    $("fw-name").classList.add("masked");
    $("fw-phone").classList.add("masked");
    $("fw-age").textContent = w.age === null ? "" : "(" + w.age + ")";
    $("fw-address").textContent = w.address || "—";
    $("fw-amount").textContent = w.amount_at_risk ? "¥" + w.amount_at_risk : "—";
    $("fw-script").textContent = w.script;
    steps(w);
    history(w);
    const closed = w.status !== "open";
    $("fw-work").hidden = closed;
    $("fw-call").hidden = closed;
    $("fw-three-way").hidden = closed;
    $("fw-closed").hidden = !closed;
    $("fw-closed").textContent = closed
      ? room.dataset.closedAs.replace("%(outcome)s", outcomes[w.outcome] || w.outcome || "") +
        (w.amount_protected ? " · ¥" + w.amount_protected : "") +
        (w.amount_lost ? " · ¥" + w.amount_lost : "")
      : "";
    const link = $("fw-incident");
    link.textContent = w.incident || "—";
    if (w.incident) link.setAttribute("href", "/incidents/" + encodeURIComponent(w.incident));
    else link.removeAttribute("href");
    $("fw-money").value = w.amount_at_risk || "";
    $("fw-note").value = "";
    msg.textContent = "";
  }

  function steps(w) {
    $("fw-steps").replaceChildren(
      ...w.steps.map((s) => {
        const li = document.createElement("li");
        li.textContent = (stepNames[s.kind] || s.kind) + " · " + (stepStates[s.kind + ":" + s.state] || stepStates[s.state] || s.state) + " · " + cad110.when(s.started_at);
        return li;
      }),
    );
  }

  function history(w) {
    $("fw-history").replaceChildren(
      ...w.history.map((h) => {
        const li = document.createElement("li");
        li.dataset.kind = h.kind;
        const who = machines[h.actor] || h.actor_name || h.actor;
        const words = [cad110.when(h.at), historyKinds[h.kind] || h.kind, who].concat(
          h.reasons.map((r) => reasonSaid(h.kind, r)),
        );
        li.textContent = words.filter(Boolean).join(" · ");
        return li;
      }),
    );
  }

  function own(table, key) {
    return table && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null;
  }

  // A reason in words: a code by the words of its kind of step, "prefix:parameter" by the
  // prefix's sentence with the parameter in words where it is known; otherwise the code itself.
  function reasonSaid(kind, code) {
    const table = own(reasonWords, kind);
    const cut = code.indexOf(":");
    if (cut < 0) return own(table, code) || code;
    const sentence = own(table, code.slice(0, cut + 1));
    if (!sentence) return code;
    const param = code.slice(cut + 1);
    const words = own(reasonParams, code.slice(0, cut));
    return sentence.replace(/%\([a-z_]+\)s/, () => own(words, param) || param);
  }

  async function threeWay() {
    if (!current || current.status !== "open") return;
    const number = current.number;
    threeWayKey = threeWayKey || cad110.newKey();
    try {
      const w = await cad110.call(
        "POST",
        "/api/v1/fraud/warnings/" + encodeURIComponent(number) + "/three-way-call",
        { note: $("fw-note").value.trim() },
        { idempotencyKey: threeWayKey },
      );
      threeWayKey = null;
      items.set(number, w);
      if (current && current.number === number) {
        current = w;
        history(w);
      }
      msg.textContent = room.dataset.threeWay;
    } catch (err) {
      msg.textContent = room.dataset.failed + " " + err.message;
    }
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((r) => current && r.dataset.number === current.number);
    show(all[Math.min(all.length - 1, Math.max(0, at + step))]);
  }

  async function call() {
    if (!current) return;
    try {
      const full = await cad110.call("GET", "/api/v1/fraud/warnings/" + encodeURIComponent(current.number));
      $("fw-name").textContent = full.name || "—";
      $("fw-phone").textContent = full.phone || "—";
      const shown = full.phone !== current.phone;
      $("fw-name").classList.toggle("masked", !shown);
      $("fw-phone").classList.toggle("masked", !shown);
    } catch (err) {
      msg.textContent = room.dataset.failed + " " + err.message;
    }
  }

  async function record(outcome) {
    if (!current || current.status !== "open") return;
    const number = current.number;
    const money = $("fw-money").value.trim();
    const amount = /^[0-9]+(\.[0-9]{1,2})?$/.test(money) ? Number(money).toFixed(2) : null;
    const body = { outcome: outcome, note: $("fw-note").value.trim() };
    if (outcome === "dissuaded" && amount) body.amount_protected = amount;
    if (outcome === "lost") body.amount_lost = amount || "0.00";
    pendingKey = pendingKey || cad110.newKey();
    try {
      const answer = await cad110.call(
        "POST",
        "/api/v1/fraud/warnings/" + encodeURIComponent(number) + "/outcome",
        body,
        { idempotencyKey: pendingKey },
      );
      pendingKey = null;
      const row = list.querySelector('li[data-number="' + CSS.escape(number) + '"]');
      if (keepClosed && row) {
        // Looking back over closed warnings too: this one stays, shown closed.
        items.set(number, answer);
        row.classList.replace("open", "closed");
        show(row);
        msg.textContent = room.dataset.recorded.replace("%(outcome)s", outcomes[outcome]);
        return;
      }
      const next = row && (row.nextElementSibling || row.previousElementSibling);
      if (row) row.remove();
      items.delete(number);
      show(next && next.dataset.number ? next : null);
      msg.textContent = room.dataset.recorded.replace("%(outcome)s", outcomes[outcome]);
      detail.hidden = false;
    } catch (err) {
      msg.textContent = room.dataset.failed + " " + err.message;
    }
  }

  list.addEventListener("click", (event) => {
    const row = event.target.closest("li[data-number]");
    if (row) show(row);
  });
  $("fw-call").addEventListener("click", call);
  $("fw-three-way").addEventListener("click", threeWay);
  detail.querySelectorAll("button.answer").forEach((b) => b.addEventListener("click", () => record(b.dataset.outcome)));
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea")) {
      // Escape leaves the amount or the note for the keys again, on the warning chosen.
      if (event.key === "Escape") {
        event.target.blur();
        const row = current && list.querySelector('li[data-number="' + CSS.escape(current.number) + '"]');
        if (row) row.focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "ArrowDown") move(1);
    else if (event.key === "ArrowUp") move(-1);
    else if (event.key === "c" || event.key === "C") call();
    else if (event.key === "t" || event.key === "T") threeWay();
    else {
      const button = detail.querySelector('button.answer[data-key="' + CSS.escape(event.key) + '"]');
      if (!button) return;
      record(button.dataset.outcome);
    }
    event.preventDefault();
  });
  // The fresh parts merged in: rows in the server's order, the chosen warning kept chosen (and
  // focused if it was) with its ladder and history brought up to date, while the amount and
  // note being typed and a number shown stay; one closed elsewhere gives way to the next.
  function merge(doc) {
    const had = current ? current.number : null;
    const focused = list.contains(document.activeElement);
    const scroll = list.scrollTop;
    const at = had ? Math.max(0, rows().findIndex((r) => r.dataset.number === had)) : 0;
    items.clear();
    itemsOf(doc).forEach((w) => items.set(w.number, w));
    list.replaceChildren(...Array.from(doc.getElementById("fw-list").children, (li) => document.importNode(li, true)));
    list.scrollTop = scroll;
    $("fw-open").textContent = doc.getElementById("fw-open").textContent;
    const all = rows();
    if (had && items.has(had)) {
      const row = all.find((r) => r.dataset.number === had);
      row.classList.add("current");
      if (focused) row.focus();
      const was = current;
      current = items.get(had);
      if (was.status !== current.status) show(row);
      else {
        steps(current);
        history(current);
      }
    } else if (had) {
      show(all[Math.min(at, all.length - 1)] || null);
      detail.hidden = false;
      msg.textContent = room.dataset.gone.replace("%(number)s", had);
    } else if (all.length) {
      show(all[0]);
    }
  }

  const refresh = cad110.refresher("/fraud/rows" + (keepClosed ? "?closed=1" : ""), merge);

  const first = rows()[0];
  if (first) show(first);
  // Keep the page when the session ends (an amount or a note may be half typed); a step the
  // tick pushed is a change too, and the minute's refresh catches what a lost stream missed.
  cad110.live(refresh, true);
  setInterval(refresh, 60000);
})();
