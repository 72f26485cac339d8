// The incident panel's actions: the dispatch key, and one <dialog> per action (opened by the
// panel's buttons or their keys). Every ending action is confirmed in its dialog: the server
// cannot undo a close, an invalidation, a cancellation or an archive.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const board = cad110.board;
  const T = board.i18n;
  const panel = document.getElementById("panel");
  // Incidents with a dispatch in flight: the key never sends a second one meanwhile.
  const inFlight = new Set();

  const incidentOf = () => panel.querySelector(".incident");
  const api = (path) => "/api/v1/incidents/" + encodeURIComponent(incidentOf().dataset.number) + path;

  function say(text) {
    const message = panel.querySelector(".message");
    if (message) message.textContent = text;
  }

  // After an action: the queue, the map's units and the panel follow at once.
  async function after(then) {
    await board.refreshRows().catch(() => {});
    board.drawUnits();
    await board.reloadPanel();
    if (then) {
      const dialog = document.getElementById("dlg-" + then);
      if (dialog) open(dialog);
    }
  }

  // ---------------------------------------------------------------- dispatch
  async function dispatch(units, addUnit, extra, key, dialog) {
    const incident = incidentOf();
    const number = incident.dataset.number;
    if (inFlight.has(number)) return false;
    inFlight.add(number);
    panel.querySelectorAll("button.dispatch").forEach((b) => (b.disabled = true));
    try {
      const body = Object.assign({ units: units }, extra || {});
      if (addUnit) body.add_unit = true;
      // The key names this panel's version: the same press sent twice is one dispatch.
      await cad110.call("POST", api("/dispatch"), body, key ? { idempotencyKey: key } : undefined);
      if (dialog) dialog.close();
      await after();
      return true;
    } catch (error) {
      say(error.message);
      panel.querySelectorAll("button.dispatch").forEach((b) => (b.disabled = false));
      throw error;
    } finally {
      inFlight.delete(number);
    }
  }

  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button.dispatch");
    if (!button || button.disabled) return;
    const incident = incidentOf();
    const key = "board-dispatch:" + incident.dataset.number + ":v" + incident.dataset.version + ":" + button.dataset.unit;
    dispatch(button.dataset.unit.split(","), button.dataset.add === "1", {}, key).catch(() => {});
  });

  // ---------------------------------------------------------------- dialogs
  function open(dialog, from) {
    const form = dialog.querySelector("form");
    form.reset();
    form.querySelector(".error").textContent = "";
    const select = form.querySelector('select[name="from"]');
    if (select && from) select.value = from;
    dialog.showModal();
    const first = form.querySelector("[data-search], textarea, select, input:not([type=radio]), input[type=radio]:checked");
    if (first) first.focus();
    if (form.querySelector("[data-search]")) search(form);
  }

  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-open]");
    if (button) {
      const dialog = document.getElementById("dlg-" + button.dataset.open);
      if (dialog) open(dialog, button.dataset.from);
      return;
    }
    const close = event.target.closest("[data-close]");
    if (close) close.closest("dialog").close();
  });

  // The body of a form: its named fields, empty optional ones left out.
  function bodyOf(form) {
    const body = {};
    Array.from(form.elements).forEach((el) => {
      if (!el.name || el.name === "q" || el.name === "from") return;
      if (el.type === "radio" && !el.checked) return;
      const value = el.value.trim();
      if (value === "" && !el.required) return;
      body[el.name] = el.dataset.int !== undefined ? Number(value) : value;
    });
    return body;
  }

  async function post(form, path, body) {
    const submit = form.querySelector("button[type=submit]");
    if (submit) submit.disabled = true;
    form.querySelectorAll("[data-results] button").forEach((b) => (b.disabled = true));
    try {
      await cad110.call("POST", path, body);
      form.closest("dialog").close();
      await after(form.dataset.then);
    } catch (error) {
      form.querySelector(".error").textContent = error.message;
      if (submit) submit.disabled = false;
      form.querySelectorAll("[data-results] button[data-free]").forEach((b) => (b.disabled = false));
    }
  }

  const unitPath = (form) => form.dataset.path.replace("{unit}", encodeURIComponent(form.elements.from.value));

  panel.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-kind]");
    if (!form) return;
    event.preventDefault();
    const kind = form.dataset.kind;
    if (kind === "post") post(form, form.dataset.path, bodyOf(form));
    else if (kind === "release") post(form, unitPath(form), bodyOf(form));
  });

  // ---------------------------------------------------------------- the unit picker
  let searchTimer = null;
  function search(form) {
    const q = form.elements.q.value.trim();
    const url = form.dataset.candidates + "?limit=30&q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => showPicks(form, data.items || []));
  }

  function showPicks(form, items) {
    const list = form.querySelector("[data-results]");
    const locale = document.documentElement.lang;
    const nodes = items.map((u) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "pick" + (u.free ? "" : " busy");
      button.dataset.unit = u.unit;
      if (u.free) button.dataset.free = "1";
      else button.disabled = true;
      const name = document.createElement("strong");
      name.textContent = locale === "en" ? u.name_en : u.name_zh;
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = u.unit;
      const status = document.createElement("span");
      status.className = "state " + u.status;
      status.textContent = board.statusWord(u.status) + (u.free ? "" : " · " + T.busy);
      const eta = document.createElement("span");
      eta.className = "eta";
      eta.textContent = u.eta_s === null ? "—" : (u.eta_s / 60).toFixed(1) + " " + T.minutes + " · " + (u.distance_m / 1000).toFixed(1) + " km";
      button.append(name, " ", code, " ", status, " ", eta);
      li.appendChild(button);
      return li;
    });
    if (!nodes.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = T.no_match;
      nodes.push(li);
    }
    list.replaceChildren(...nodes);
  }

  panel.addEventListener("input", (event) => {
    if (!event.target.matches("[data-search]")) return;
    const form = event.target.form;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => search(form), 200);
  });

  panel.addEventListener("keydown", (event) => {
    const form = event.target.form || (event.target.closest && event.target.closest("form[data-kind]"));
    if (!form || !form.querySelector("[data-results]")) return;
    const picks = Array.from(form.querySelectorAll("[data-results] button:not([disabled])"));
    const at = picks.indexOf(event.target);
    if (event.key === "Enter" && event.target.matches("[data-search]")) {
      event.preventDefault(); // Enter in the search picks the first free unit
      if (picks[0]) picks[0].click();
    } else if (event.key === "ArrowDown" && (event.target.matches("[data-search]") || at >= 0)) {
      event.preventDefault();
      const next = picks[at + 1];
      if (next) next.focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? form.elements.q : picks[at - 1]).focus();
    }
  });

  panel.addEventListener("click", (event) => {
    const button = event.target.closest("[data-results] button.pick");
    if (!button || button.disabled) return;
    const form = button.closest("form");
    const body = bodyOf(form);
    if (form.dataset.kind === "reassign") {
      post(form, unitPath(form), { to: button.dataset.unit, note: body.note || "" });
      return;
    }
    const extra = {};
    if (body.note) extra.note = body.note;
    if (body.override_reason) extra.override_reason = body.override_reason;
    form.querySelectorAll("[data-results] button").forEach((b) => (b.disabled = true));
    dispatch([button.dataset.unit], form.dataset.add === "1", extra, null, form.closest("dialog"))
      .catch((error) => {
        form.querySelector(".error").textContent = error.message;
        form.querySelectorAll("[data-results] button[data-free]").forEach((b) => (b.disabled = false));
      });
  });
})();
