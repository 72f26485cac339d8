// 寻人 screens: golden-hours clocks, forms that call the JSON API, live refresh of the page.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const words = document.getElementById("missing-i18n");
  const T = words ? JSON.parse(words.textContent) : {};
  const t = (key) => T[key] || key;

  // --- Golden-hours clocks ---------------------------------------------------------------
  // The server says how many seconds are left; the browser counts down from there, so a desk
  // PC with a wrong clock still shows the right time. Amber under 24 h, red once past.
  const pad = (n) => String(n).padStart(2, "0");
  const hms = (s) => {
    const a = Math.abs(s);
    return pad(Math.floor(a / 3600)) + ":" + pad(Math.floor((a % 3600) / 60)) + ":" + pad(a % 60);
  };
  function tick() {
    const now = performance.now();
    document.querySelectorAll(".golden[data-left]").forEach((el) => {
      if (!el.dataset.since) el.dataset.since = String(now);
      const left = Number(el.dataset.left) - Math.floor((now - Number(el.dataset.since)) / 1000);
      const time = el.querySelector("time");
      if (time) time.textContent = hms(left);
      el.classList.toggle("past", left < 0);
      el.classList.toggle("near", left >= 0 && left < 86400);
    });
  }
  setInterval(tick, 1000);
  tick();

  // --- Forms → JSON API --------------------------------------------------------------------
  const LIST = /[,，、;；]/;
  function convert(el, raw) {
    switch (el.dataset.type) {
      case "int": {
        const n = Number(raw);
        return Number.isInteger(n) ? n : raw; // the API names the field when it is not a number
      }
      case "float": {
        const n = Number(raw);
        return Number.isFinite(n) ? n : raw;
      }
      case "bool":
        return raw === "true";
      case "list":
        return raw.split(LIST).map((s) => s.trim()).filter(Boolean);
      case "datetime": // screens are Asia/Shanghai
        return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(raw) ? raw + ":00+08:00" : raw;
      default:
        return raw;
    }
  }

  function put(body, name, value) {
    const parts = name.split(".");
    let at = body;
    parts.slice(0, -1).forEach((p) => (at = at[p] = at[p] || {}));
    at[parts[parts.length - 1]] = value;
  }

  function get(body, name) {
    return name.split(".").reduce((at, p) => (at ? at[p] : undefined), body);
  }

  // Dotted names build nested objects; empty fields are left out so the API's defaults apply.
  function serialize(form, submitter) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button" || el.type === "file") continue;
      if (el.type === "checkbox" && el.dataset.type !== "bool") {
        if (get(body, el.name) === undefined) put(body, el.name, []);
        if (el.checked) get(body, el.name).push(el.value);
      } else if (el.type === "checkbox") {
        put(body, el.name, el.checked);
      } else if (el.type === "radio") {
        if (el.checked) put(body, el.name, convert(el, el.value));
      } else {
        const raw = el.value.trim();
        if (raw !== "") put(body, el.name, convert(el, raw));
      }
    }
    if (submitter && submitter.name) put(body, submitter.name, convert(submitter, submitter.value));
    return body;
  }

  async function send(url, body, contentType) {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": contentType || "application/json",
        "X-CSRF-Token": cad110.csrf(),
        "Idempotency-Key": cad110.newKey(),
      },
      body: contentType ? body : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = response.status === 401 ? cad110.sessionEnded() : data.detail;
      const error = new Error(typeof detail === "string" ? detail : response.statusText);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  // Pydantic's error types, in the user's words.
  const TYPES = {
    missing: "required",
    string_too_short: "required",
    string_too_long: "too_long",
    too_long: "too_long",
    string_pattern_mismatch: "bad_format",
    greater_than: "out_of_range",
    greater_than_equal: "out_of_range",
    less_than: "out_of_range",
    less_than_equal: "out_of_range",
    int_parsing: "not_a_number",
    int_from_float: "not_a_number",
    float_parsing: "not_a_number",
    literal_error: "bad_choice",
    enum: "bad_choice",
    datetime_parsing: "bad_time",
    datetime_from_date_parsing: "bad_time",
    timezone_aware: "bad_time",
    date_parsing: "bad_time",
    date_from_datetime_parsing: "bad_time",
  };

  function fieldOf(form, loc) {
    const parts = loc.filter((p) => typeof p === "string");
    for (let start = 0; start < parts.length; start++) {
      for (let end = parts.length; end > start; end--) {
        const el = form.querySelector('[name="' + CSS.escape(parts.slice(start, end).join(".")) + '"]');
        if (el) return el;
      }
    }
    return null;
  }

  function labelOf(el) {
    const box = el.closest("fieldset.checks");
    const label = box ? box.querySelector("legend") : el.closest("label");
    if (!label) return el.name;
    const own = Array.from(label.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE);
    return own.map((n) => n.textContent).join("").replace("*", "").trim() || el.name;
  }

  function clearErrors(form) {
    form.querySelectorAll(".invalid").forEach((el) => {
      el.classList.remove("invalid");
      el.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".field-msg").forEach((el) => el.remove());
  }

  function say(form, text, kind) {
    const out = form.querySelector(".form-msg") || form.parentElement.querySelector(".form-msg");
    if (!out) return;
    out.textContent = text;
    out.className = "form-msg" + (kind ? " " + kind : "");
  }

  function showError(form, error) {
    const data = error.data || {};
    if (error.status === 422 && Array.isArray(data.detail)) {
      const lines = data.detail.map((d) => {
        let loc = (d.loc || []).filter((p) => p !== "body");
        let text = d.msg || "";
        // Model validators name the field in their message: "Value error, family_said: …".
        const named = /^Value error, ([a-z_.]+): (.*)$/.exec(text);
        if (named) {
          loc = loc.concat(named[1].split("."));
          text = named[2];
        }
        const reason = TYPES[d.type] ? t(TYPES[d.type]) : text;
        const field = fieldOf(form, loc);
        if (!field) return loc.join(".") + ": " + reason;
        field.classList.add("invalid");
        field.setAttribute("aria-invalid", "true");
        const note = document.createElement("small");
        note.className = "field-msg";
        note.textContent = reason;
        (field.closest("label") || field).after(note);
        return labelOf(field) + ": " + reason;
      });
      say(form, t("check") + " — " + lines.join("；"), "error");
      const first = form.querySelector(".invalid");
      if (first) first.focus();
      return;
    }
    const why = { 401: "login", 403: "forbidden", 404: "not_found" }[error.status];
    if (why) say(form, t(why), "error");
    else if (error.status === 409 || error.status === 422) say(form, t("refused") + ": " + error.message, "error");
    else say(form, t("failed") + (error.message ? " (" + error.message + ")" : ""), "error");
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form.api");
    if (form) form.dataset.dirty = "1";
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.api");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.busy) return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const body = serialize(form, event.submitter);
    clearErrors(form);
    say(form, t("sending"));
    form.dataset.busy = "1";
    form.querySelectorAll("button:not([hidden])").forEach((b) => (b.disabled = true));
    try {
      const data = await send(form.dataset.url, body);
      if (form.dataset.goto) {
        window.location.href = form.dataset.goto + encodeURIComponent(data.number);
        return;
      }
      delete form.dataset.dirty;
      say(form, t("saved"), "ok");
      await refresh();
    } catch (error) {
      showError(form, error);
    } finally {
      delete form.dataset.busy;
      form.querySelectorAll("button:not([hidden])").forEach((b) => (b.disabled = false));
    }
  });

  // A photo goes as the raw request body with its own content type.
  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!input.matches || !input.matches("input[data-photo-url]") || !input.files.length) return;
    const file = input.files[0];
    const holder = input.closest("section") || input.parentElement;
    const out = holder.querySelector(".form-msg");
    if (!["image/jpeg", "image/png"].includes(file.type)) {
      if (out) out.textContent = t("photo_type");
      return;
    }
    if (out) out.textContent = t("sending");
    try {
      await send(input.dataset.photoUrl, file, file.type);
      await refresh();
    } catch (error) {
      showError(holder, error);
    }
  });

  // --- Live refresh ------------------------------------------------------------------------
  // The part of the page marked data-live is fetched again and swapped in; what the user was
  // typing in a form is carried over, and nothing is swapped while a field has the focus.
  const root = () => document.querySelector("[data-live]");
  let pending = false;

  function typing() {
    const el = document.activeElement;
    return !!(el && root() && root().contains(el) && el.matches("input, textarea, select"));
  }

  function keep(form) {
    return Array.from(form.elements)
      .filter((el) => el.name)
      .map((el) => [el.name, el.value, el.checked]);
  }

  function restore(form, values) {
    values.forEach(([name, value, checked]) => {
      const els = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      els.forEach((el) => {
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === value) el.checked = checked;
        } else if (el.type !== "file" && els.length === 1) {
          el.value = value;
        }
      });
    });
    form.dataset.dirty = "1";
  }

  async function refresh() {
    const here = root();
    if (!here) return window.location.reload();
    pending = false;
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-live]");
    if (!fresh) return;
    const drafts = Array.from(here.querySelectorAll("form.api[data-dirty]")).map((f) => [f.dataset.url, keep(f), f.closest("details")]);
    const opened = Array.from(here.querySelectorAll("details[open]")).map((d) => d.querySelector("summary").textContent);
    here.replaceWith(fresh);
    drafts.forEach(([url, values]) => {
      const form = fresh.querySelector('form.api[data-url="' + CSS.escape(url) + '"]');
      if (form) restore(form, values);
    });
    fresh.querySelectorAll("details").forEach((d) => {
      const s = d.querySelector("summary");
      if (s && opened.includes(s.textContent)) d.open = true;
    });
    tick();
  }

  // At most one refresh per half second, however busy the stream.
  let timer = null;
  function later() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (typing()) pending = true;
      else refresh();
    }, 500);
  }
  // Incident changes that move an incident onto or off the desk's "without a case" list.
  const DESK_EVENTS = ["received", "accept", "assess", "close", "merge", "transfer", "invalidate", "cancel"];
  document.addEventListener("focusout", () => setTimeout(() => pending && !typing() && refresh(), 50));

  const page = root();
  if (page && window.EventSource) {
    const source = new EventSource("/api/v1/live");
    source.addEventListener("change", (event) => {
      let notice;
      try {
        notice = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      const mine = page.dataset.case;
      if (notice.kind === "missing_case" && (!mine || notice.id === mine)) later();
      else if (notice.kind === "incident" && page.dataset.live === "desk" && DESK_EVENTS.includes(notice.event)) later();
    });
    source.addEventListener("resync", later);
    // The session ended: the page stays as it is (something may be half typed) and says so.
    source.addEventListener("end", () => {
      source.close();
      cad110.sessionEnded();
    });
  }
})();
