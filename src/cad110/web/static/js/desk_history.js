// The desk's history box: the earlier incidents of the caller's number (重复警情 at a glance).
// Of the number only: the place's own earlier incidents are in "known at this place"
// (place_known.js), which says so; two boxes about one place seemed to contradict each other.
// Looked up once per distinct complete number, not per keystroke: each lookup of a phone is a
// recorded search of personal data. Every word shown comes from the page.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const form = document.getElementById("intake");
  const list = document.getElementById("history");
  if (!form || !list) return;
  const days = Number(form.dataset.historyDays || 30);
  const texts = JSON.parse(document.getElementById("desk-texts").textContent);
  const zh = document.documentElement.lang === "zh-CN";
  const looked = new Map(); // number → items
  let shown = null; // the number the box is about ("" before one is typed)

  function validPhone(raw) {
    let digits = raw.replace(/\D/g, "");
    if (digits.length === 13 && digits.startsWith("86")) digits = digits.slice(2);
    if (/^1[3-9]\d{9}$/.test(digits) || /^0\d{9,11}$/.test(digits)) return digits;
    return null;
  }
  function line(text, className) {
    const li = document.createElement("li");
    li.className = className;
    li.textContent = text;
    return li;
  }
  function item(i, categories) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(i.number);
    link.appendChild(document.createElement("code")).textContent = i.number;
    const about = document.createElement("span");
    const c = i.category && categories[i.category];
    const parts = [c ? (zh ? c.zh : c.en) : "—", texts.statuses[i.status] || i.status];
    // Centre time, as every screen shows it, whatever the browser's own zone.
    const when = cad110.when(i.stages && i.stages.received);
    if (when) parts.push(when);
    about.textContent = parts.join(" · ");
    const where = document.createElement("span");
    where.className = "muted";
    where.textContent = i.address || "";
    li.append(link, " ", about, " ", where);
    return li;
  }

  async function lookup() {
    const phone = validPhone(form.caller_phone.value) || "";
    if (phone === shown) return;
    shown = phone;
    if (!phone) {
      list.replaceChildren(line(texts.type_phone, "muted"));
      return;
    }
    if (!looked.has(phone)) {
      const since = new Date(Date.now() - days * 86400e3).toISOString();
      const query = "limit=20&since=" + encodeURIComponent(since) + "&caller_phone=" + encodeURIComponent(phone);
      const answer = await fetch("/api/v1/incidents?" + query, { credentials: "same-origin" });
      if (answer.status === 401) {
        // Not "no earlier incidents": the lookup could not be made.
        list.replaceChildren(line(cad110.sessionEnded(), "error"));
        shown = null;
        return;
      }
      looked.set(phone, answer.ok ? (await answer.json()).items || [] : []);
    }
    const categories = await (cad110.deskCategories || Promise.resolve({}));
    if (phone !== shown) return; // the number changed while asking
    const items = looked.get(phone);
    list.replaceChildren(...items.map((i) => item(i, categories)));
    if (!items.length) list.append(line(texts.none.replace("{days}", days), "muted"));
  }
  let timer = null;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  };
  // Nothing is asked until the number is complete (validPhone), and a number once only.
  form.caller_phone.addEventListener("input", soon);
  form.addEventListener("reset", () => setTimeout(lookup, 0));
})();
