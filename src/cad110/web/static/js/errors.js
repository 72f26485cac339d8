// API refusals in the user's language, by field: FastAPI's 422 list (pydantic loc/type/ctx) and
// our own errors (InvalidInput items with a `code`, InvalidTransition with a `reason`) become
// "报警电话：不是有效的电话号码". The words come from the page (`#i18n-errors`, rendered by
// base.html from the catalogs); nothing here is said in one language only.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});
  let texts = null;

  function load() {
    if (texts) return texts;
    const block = document.getElementById("i18n-errors");
    try {
      texts = block ? JSON.parse(block.textContent) : {};
    } catch (err) {
      texts = {};
    }
    texts.fields = texts.fields || {};
    texts.types = texts.types || {};
    texts.codes = texts.codes || {};
    texts.states = texts.states || {};
    return texts;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      values && values[name] !== undefined && values[name] !== null ? String(values[name]) : whole
    );
  }

  // The field an item is about: the first part of its loc past "body"/"query"/"path" that the
  // page has a label for (["body", "guide", "protect_scene"] is about the guide).
  function fieldOf(loc) {
    const parts = (loc || []).filter((p) => typeof p === "string" && !["body", "query", "path", "header"].includes(p));
    const t = load();
    return parts.find((p) => t.fields[p]) || parts[parts.length - 1] || "";
  }

  function itemMessage(item, field) {
    const t = load();
    const template =
      (item.code && t.codes[item.code]) ||
      t.types[field + "." + item.type] ||
      t.types[item.type] ||
      t.codes.invalid ||
      t.generic ||
      "";
    return fill(template, item.ctx);
  }

  // {message, fields: {name: text}} for an answer that was not ok. `aliases` names the form's
  // field for an API field the form calls otherwise (the desk's 警情内容 is a call's `note`).
  cad110.describeError = function (status, data, aliases) {
    const t = load();
    const fields = {};
    if (data && Array.isArray(data.detail)) {
      const lines = data.detail.map((item) => {
        const sent = fieldOf(item.loc);
        const field = (aliases && aliases[sent]) || sent;
        const text = itemMessage(item, field);
        if (field && !fields[field]) fields[field] = text;
        const label = t.fields[field] || field;
        return label ? fill(t.separator || "{field}: {message}", { field: label, message: text }) : text;
      });
      return { message: lines.join(t.joiner || "; "), fields: fields };
    }
    const code = data && (data.reason || data.code);
    const template = (code && t.codes[code]) || (data && data.code && t.codes[data.code]);
    if (template) {
      const state = data.state ? t.states[data.state] || data.state : "";
      // `at`: the time a refused thing may be done from (not_yet), in the page's time words.
      const at = data.at ? (cad110.when ? cad110.when(data.at) : data.at) : "";
      return { message: fill(template, { state: state, at: at }), fields: fields };
    }
    return { message: t.generic || (data && typeof data.detail === "string" ? data.detail : String(status)), fields: fields };
  };

  // The form's own check before it is sent (forms are `novalidate`: the browser's bubble would
  // speak the browser's language, not the user's): every empty `required` field gets the
  // page's message beside it and the first one the focus. Returns whether all are filled.
  cad110.checkRequired = function (form) {
    const t = load();
    const fields = {};
    let first = null;
    form.querySelectorAll("[required]").forEach((input) => {
      if (input.disabled || input.closest("[hidden]")) return;
      if (input.type === "checkbox" || input.type === "radio") {
        const group = form.querySelectorAll('[name="' + CSS.escape(input.name) + '"]');
        if (Array.from(group).some((el) => el.checked)) return;
      } else if (String(input.value || "").trim() !== "") return;
      if (!fields[input.name]) fields[input.name] = t.required || t.types.missing || "";
      if (!first) first = input;
    });
    cad110.showFieldErrors(form, fields);
    if (first) first.focus();
    return first === null;
  };

  // Every form with a required field is checked here, not by the browser: a form its page
  // left to the browser is made `novalidate` and marked; a marked form that misses a value is
  // stopped before its own submit handler runs (capture), with the message beside the field.
  // A form its author made `novalidate` without the mark checks itself (the desk, the board).
  function adopt(root) {
    root.querySelectorAll("form").forEach((form) => {
      if (!form.noValidate && form.querySelector("[required]")) {
        form.noValidate = true;
        form.dataset.checkRequired = "";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", () => adopt(document));
  document.addEventListener("htmx:afterSwap", (event) => adopt(event.target));
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !("checkRequired" in form.dataset)) return;
      if (cad110.checkRequired(form)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true
  );

  // Each field's message beside the field (`form[name]`), the field marked invalid; earlier
  // messages cleared. Returns whether any was placed, so a caller shows the rest elsewhere.
  cad110.showFieldErrors = function (form, fields) {
    form.querySelectorAll(".field-error").forEach((el) => el.remove());
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    let placed = false;
    Object.keys(fields || {}).forEach((name) => {
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!input) return;
      const note = document.createElement("span");
      note.className = "field-error";
      note.setAttribute("role", "alert");
      note.dataset.field = name;
      note.textContent = fields[name];
      input.setAttribute("aria-invalid", "true");
      input.insertAdjacentElement("afterend", note);
      placed = true;
    });
    return placed;
  };
})();
