// The incident panel's actions: the dispatch key, and one <dialog> per action (opened by the
// panel's buttons or their keys). Every ending action is confirmed in its dialog: the server
// cannot undo a close, an invalidation, a cancellation, an archive or a merge.
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

  // `done`: what was done (said in the colour of done), else why it was not. Said again when
  // the same incident's panel is swapped in within SAID_FOR_MS (a live change reloads it, and
  // the line would go empty before it was read).
  const SAID_FOR_MS = 10000;
  let said = null;
  function say(text, done) {
    const message = panel.querySelector(".message");
    const incident = incidentOf();
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("done", Boolean(done));
    said = { number: incident && incident.dataset.number, text: text, done: Boolean(done), at: Date.now() };
  }
  document.addEventListener("board:panel", () => {
    const message = panel.querySelector(".message");
    const incident = incidentOf();
    if (!said || !message || !incident || message.textContent) return;
    if (incident.dataset.number !== said.number || Date.now() - said.at > SAID_FOR_MS) return;
    message.textContent = said.text;
    message.classList.toggle("done", said.done);
  });

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
      // Said by the units' names, as the reloaded panel lists them (if it is still this one).
      if (incidentOf() && incidentOf().dataset.number === number) {
        const names = units.map((u) => {
          const name = panel.querySelector('li[data-unit="' + CSS.escape(u) + '"] .unit-name');
          return name ? name.textContent : u;
        });
        const message = panel.querySelector(".message");
        if (message) say(cad110.fill(message.dataset.sent || "%(units)s", { units: names.join("、") }), true);
      }
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
    delete form.dataset.pending;
    cad110.showFieldErrors(form, {});
    const select = form.querySelector('select[name="from"]');
    if (select && from) select.value = from;
    needed(form);
    dialog.showModal();
    // A choice (并案's incidents) starts with none made: the focus is on the first, unticked.
    const first = form.querySelector("[data-search], textarea, select, input:not([type=hidden])");
    if (first) first.focus();
    if (form.querySelector("[data-search]")) search(form);
  }

  // Esc closes a dialog, as its button says, also from a search box with text in it (which
  // the browser would only empty, leaving the next key typed into it).
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || !event.target.matches || !event.target.matches("dialog[open] input[type=search]")) return;
      event.preventDefault();
      event.target.closest("dialog").close();
    },
    true,
  );

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

  // The body of a form: its named fields, empty optional ones left out; a `data-list` field
  // is a list of the words typed in it (numbers separated by spaces or commas).
  function bodyOf(form) {
    const body = {};
    Array.from(form.elements).forEach((el) => {
      if (!el.name || el.name === "q" || el.name === "from") return;
      if (el.type === "radio" && !el.checked) return;
      // A tick box says yes when ticked and nothing otherwise (移交12345's confirmation).
      if (el.type === "checkbox") {
        if (el.checked) body[el.name] = true;
        return;
      }
      const value = el.value.trim();
      if (value === "" && !el.required) return;
      if (el.dataset.list !== undefined) body[el.name] = value.split(/[\s,，、;；]+/).filter(Boolean);
      else body[el.name] = el.dataset.int !== undefined ? Number(value) : value;
    });
    return body;
  }

  // A field needed only with another field's value: `data-required-when="to=agency"` makes it
  // required while the form's `to` is "agency" (移交其他单位 names the agency).
  function needed(form) {
    form.querySelectorAll("[data-required-when]").forEach((el) => {
      const [name, value] = el.dataset.requiredWhen.split("=");
      const other = form.elements[name];
      el.required = Boolean(other) && other.value === value;
      const note = el.required ? null : form.querySelector('.field-error[data-field="' + CSS.escape(el.name) + '"]');
      if (note) {
        note.remove();
        el.removeAttribute("aria-invalid");
      }
    });
  }

  panel.addEventListener("change", (event) => {
    if (event.target.form) needed(event.target.form);
  });

  // The form's own check before it is sent (the forms are `novalidate`): each required field
  // left empty gets the page's message beside it (its own, `data-need`, where it has one), and
  // the first of them the focus. Of a group marked `data-one-of` at least one is filled in
  // (another caller: phone, name or what they said); all empty, its first field says so.
  function valid(form, extra) {
    const fields = Object.assign({}, extra || {});
    Array.from(form.elements).forEach((el) => {
      if (!el.required || !el.name || fields[el.name]) return;
      if (el.type === "radio") {
        if (!form.querySelector('input[name="' + CSS.escape(el.name) + '"]:checked')) fields[el.name] = T.choose;
      } else if (!el.value.trim()) {
        fields[el.name] = el.dataset.need || (el.tagName === "SELECT" ? T.choose : T.required);
      }
    });
    const groups = {};
    form.querySelectorAll("[data-one-of]").forEach((el) => {
      (groups[el.dataset.oneOf] = groups[el.dataset.oneOf] || []).push(el);
    });
    Object.values(groups).forEach((members) => {
      const first = members[0];
      if (members.some((el) => el.value.trim()) || fields[first.name]) return;
      fields[first.name] = first.dataset.need || T.required;
    });
    cad110.showFieldErrors(form, fields);
    const names = Object.keys(fields);
    if (!names.length) return true;
    const first = Array.from(form.elements).find((el) => names.includes(el.name));
    if (first) first.focus();
    return false;
  }

  // 研判 lowers risk or grade (grade 1 is the most urgent) only with a reason.
  const RISK = { low: 0, medium: 1, high: 2 };
  function lowering(form) {
    const risk = form.elements.risk.value;
    const before = form.dataset.risk;
    const grade = Number(form.elements.grade.value);
    const gradeBefore = Number(form.dataset.grade || 0);
    return Boolean(
      (before && risk && RISK[risk] < RISK[before]) || (gradeBefore && grade > gradeBefore)
    );
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
      const refused = ownWords(form, error);
      form.querySelector(".error").textContent = refused.message;
      cad110.showFieldErrors(form, refused.fields);
      if (submit) submit.disabled = false;
      form.querySelectorAll("[data-results] button[data-free]").forEach((b) => (b.disabled = false));
    }
  }

  // A refusal of a needed field that has its own words (`data-need`: the agency, the caller)
  // says them, as the form's own check would: the server's 422 `…_required` names the field.
  function ownWords(form, error) {
    const fields = Object.assign({}, error.fields || {});
    let message = error.message;
    const items = error.body && Array.isArray(error.body.detail) ? error.body.detail : [];
    items.forEach((item) => {
      const name = Array.isArray(item.loc) ? item.loc[item.loc.length - 1] : null;
      if (typeof name !== "string" || !/_required$/.test(item.code || "")) return;
      const field = form.querySelector('[name="' + CSS.escape(name) + '"][data-need]');
      if (!field) return;
      fields[name] = field.dataset.need;
      message = field.dataset.need;
    });
    return { message: message, fields: fields };
  }

  const unitPath = (form) => form.dataset.path.replace("{unit}", encodeURIComponent(form.elements.from.value));

  panel.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-kind]");
    if (!form || form.dataset.kind === "relocate") return; // board_relocate.js sends it
    event.preventDefault();
    const kind = form.dataset.kind;
    const extra = {};
    if (kind === "assess" && lowering(form) && !form.elements.reason.value.trim()) extra.reason = T.lowering;
    if (!valid(form, extra)) return;
    if (kind === "post" || kind === "assess") post(form, form.dataset.path, bodyOf(form));
    else if (kind === "release") post(form, unitPath(form), bodyOf(form));
  });

  // A field being corrected loses its message (one of a group, the group's message).
  panel.addEventListener("input", (event) => {
    let field = event.target;
    if (!field.name || !field.form) return;
    if (field.dataset.oneOf) field = field.form.querySelector('[data-one-of="' + CSS.escape(field.dataset.oneOf) + '"]');
    const note = field.form.querySelector('.field-error[data-field="' + CSS.escape(field.name) + '"]');
    if (note) {
      note.remove();
      field.removeAttribute("aria-invalid");
    }
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

  // Why a unit does not suit the incident, in the page's words ("交警不处置此类警情；缺少：女警").
  function unsuitableWords(u) {
    const P = T.picker;
    return u.unsuitable
      .map((code) => {
        if (code === "kind") return P.wrong_kind.replace("%(kind)s", P.kinds[u.kind] || u.kind);
        const what = code.split(":")[1] || code;
        return P.lacks.replace("%(what)s", P.capabilities[what] || what);
      })
      .join("; ");
  }

  function showPicks(form, items) {
    const list = form.querySelector("[data-results]");
    const locale = document.documentElement.lang;
    const nodes = items.map((u) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "pick" + (u.free ? "" : " busy") + (u.suitable ? "" : " unsuitable");
      button.dataset.unit = u.unit;
      // Sending it is an override (a reason is asked for) unless recommended and suitable.
      if (!u.recommended || !u.suitable) button.dataset.override = "1";
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
      if (u.recommended && u.suitable) {
        const mark = document.createElement("span");
        mark.className = "recommended";
        mark.textContent = T.recommended;
        button.append(" ", mark);
      }
      if (!u.suitable) {
        const why = document.createElement("span");
        why.className = "why-not";
        why.textContent = unsuitableWords(u);
        button.append(" ", why);
      }
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
    // The reason given, Enter sends the unit that asked for it.
    if (event.key === "Enter" && event.target.matches("[data-override]") && form.dataset.pending) {
      event.preventDefault();
      const pending = form.querySelector('[data-results] button[data-unit="' + CSS.escape(form.dataset.pending) + '"]:not([disabled])');
      if (pending) pending.click();
      return;
    }
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
    // Not a recommended, suitable unit: the dispatcher says why before it goes.
    if (button.dataset.override && !body.override_reason) {
      form.dataset.pending = button.dataset.unit;
      valid(form, { override_reason: T.override });
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
