// 重复警情 at the desk: while the call is taken, the earlier incidents it would be linked to
// (POST /api/v1/repeats/check) with their reasons, and F3 attaches the call to the open one.
// Asked again only when what was typed changed in a way that matters (a complete number, a
// place, a name, a picked category, the narrative when the field is left): each look-up by a
// number or a name is a recorded search of personal data. Every word shown comes from the page.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const form = document.getElementById("intake");
  const box = document.getElementById("repeat-warning");
  if (!form || !box) return;
  const texts = JSON.parse(document.getElementById("repeat-texts").textContent);
  const desk = JSON.parse(document.getElementById("desk-texts").textContent);
  const zh = document.documentElement.lang === "zh-CN";
  const headline = box.querySelector(".repeat-headline");
  const list = box.querySelector(".repeat-links");
  const more = box.querySelector(".repeat-more");
  // The strongest few, and how many more: a caller who rang twenty times would push the form
  // itself off a phone's screen; the headline already says how many there are.
  const SHOWN = 3;
  const attachButton = document.getElementById("repeat-attach");
  const result = document.getElementById("result");
  const last = document.getElementById("last");
  let asked = ""; // what was last asked about (the body as JSON)
  let seq = 0;
  let attachTo = null;
  let attachKey = null;

  function validPhone(raw) {
    let digits = raw.replace(/\D/g, "");
    if (digits.length === 13 && digits.startsWith("86")) digits = digits.slice(2);
    if (/^1[3-9]\d{9}$/.test(digits) || /^0\d{9,11}$/.test(digits)) return digits;
    return null;
  }
  function typed() {
    const body = {};
    const phone = validPhone(form.caller_phone.value);
    if (phone) body.caller_phone = phone;
    const name = form.caller_name.value.trim();
    if (name) body.caller_name = name.slice(0, 64);
    const place = form.querySelector("[data-place-search]");
    if (place && place.dataset.code) body.place = place.dataset.code;
    const lon = Number(form.lon.value), lat = Number(form.lat.value);
    if (form.lon.value && form.lat.value && isFinite(lon) && isFinite(lat)) {
      body.lon = lon;
      body.lat = lat;
    }
    const narrative = form.narrative.value.trim();
    if (narrative) body.narrative = narrative.slice(0, 4000);
    if (form.dataset.category) body.category = form.dataset.category;
    return body;
  }
  // A name or a category alone never links (repeats/rules.toml): not worth a recorded search.
  function worthAsking(body) {
    return !!(body.caller_phone || body.place || body.lon !== undefined || /\d{11}/.test(body.narrative || ""));
  }
  function hide() {
    box.hidden = true;
    list.replaceChildren();
    more.hidden = true;
    attachTo = null;
    attachButton.hidden = true;
  }
  function why(link) {
    const parts = link.reasons.map((r) => {
      let detail = r.detail;
      if (r.code === "same_party") detail = detail.split(",").map((k) => texts.parties[k] || k).join(", ");
      return (texts.reasons[r.code] || r.code).replace("{detail}", detail);
    });
    parts.push(texts.score.replace("{score}", link.score));
    return parts.join(" · ");
  }
  function item(link, categories) {
    const li = document.createElement("li");
    if (link.open) li.className = "repeat-open";
    const a = document.createElement("a");
    a.href = "/incidents/" + encodeURIComponent(link.number);
    a.appendChild(document.createElement("code")).textContent = link.number;
    const about = document.createElement("span");
    const c = link.category && categories[link.category];
    const parts = [c ? (zh ? c.zh : c.en) : "—", desk.statuses[link.status] || link.status];
    const when = cad110.when(link.received_at);
    if (when) parts.push(when);
    if (link.address) parts.push(link.address);
    about.textContent = parts.join(" · ");
    const reasons = document.createElement("span");
    reasons.className = "repeat-why";
    reasons.textContent = why(link);
    li.append(a, " ", about, reasons);
    return li;
  }
  async function show(warning) {
    const categories = await (cad110.deskCategories || Promise.resolve({}));
    if (!warning.links.length && warning.caller_calls < 2) {
      hide();
      return;
    }
    headline.textContent =
      warning.caller_calls >= 2
        ? (warning.caller_calls_more ? texts.caller_more : texts.caller).replace("{n}", warning.caller_calls).replace("{days}", warning.caller_window_days)
        : texts.linked.replace("{n}", warning.links.length);
    list.replaceChildren(...warning.links.slice(0, SHOWN).map((l) => item(l, categories)));
    const rest = warning.links.length - SHOWN;
    more.hidden = rest <= 0;
    more.textContent = rest > 0 ? texts.more.replace("{n}", rest) : "";
    attachTo = warning.attach_to;
    attachButton.hidden = !attachTo;
    attachButton.querySelector("code").textContent = attachTo || "";
    box.hidden = false;
  }
  async function check() {
    const body = typed();
    const key = JSON.stringify(body);
    if (key === asked) return;
    asked = key;
    const mine = ++seq;
    if (!worthAsking(body)) {
      hide();
      return;
    }
    let warning;
    try {
      warning = await cad110.call("POST", "/api/v1/repeats/check", body);
    } catch (error) {
      // No answer is no "no repeat": asked again at the next change.
      if (mine === seq) asked = "";
      return;
    }
    if (mine === seq && JSON.stringify(typed()) === key) await show(warning);
  }
  let timer = null;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  };
  form.caller_phone.addEventListener("input", soon);
  ["caller_name", "narrative", "lon", "lat"].forEach((name) => form[name].addEventListener("change", soon));
  ["cad110:place-filled", "cad110:place-cleared", "cad110:category"].forEach((name) => form.addEventListener(name, soon));
  form.addEventListener("reset", () => {
    clearTimeout(timer);
    seq += 1;
    asked = "";
    hide();
  });

  // ---- one key: the call joins the open incident it repeats -----------------------------
  async function attach() {
    if (!attachTo) return;
    const number = attachTo;
    const body = {};
    const phone = form.caller_phone.value.trim();
    if (phone) body.caller_phone = phone;
    const name = form.caller_name.value.trim();
    if (name) body.caller_name = name;
    const note = form.narrative.value.trim();
    if (note) body.note = note;
    if (form.dataset.phoneCall) body.phone_call = form.dataset.phoneCall;
    try {
      attachKey = attachKey || cad110.newKey();
      await cad110.call("POST", "/api/v1/incidents/" + encodeURIComponent(number) + "/calls", body, { idempotencyKey: attachKey });
      attachKey = null;
      const link = document.createElement("a");
      link.href = "/incidents/" + encodeURIComponent(number);
      link.textContent = number;
      const line = document.createDocumentFragment();
      line.append(texts.attached + " ", link);
      form.reset();
      last.replaceChildren(line);
      form.caller_phone.focus();
    } catch (error) {
      if (error.status && error.status < 500) attachKey = null;
      result.textContent = error.message;
      result.className = "result error";
    }
  }
  attachButton.addEventListener("click", attach);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "F3") return;
    if (box.hidden || !attachTo) return;
    if (document.querySelector("dialog[open], [role=dialog]:not([hidden]), [aria-modal=true]:not([hidden])")) return;
    e.preventDefault();
    attach();
  });
})();
