// The desk's 12345 box: the caller's tickets still open at 12345 (转12345, not yet handled).
// A call from the number now is linked to the newest of them unless it is transferred as
// another matter (transfers/service.py), so the call-taker sees the matter was rung in before,
// what and where it is about, and how far 12345 has come. Looked up once per
// complete number; each lookup is a recorded search of personal data. Every word shown comes
// from the page or is the record's own data, set as text.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const form = document.getElementById("intake");
  const box = document.getElementById("open-tickets");
  if (!form || !box) return;
  const list = box.querySelector("ul");
  const zh = document.documentElement.lang === "zh-CN";
  // An open ticket's status in the page's language (the code where a new one has no words).
  const statuses = JSON.parse(document.getElementById("ticket-statuses").textContent);
  const looked = new Map(); // number → tickets
  let shown = null;

  function validPhone(raw) {
    let digits = raw.replace(/\D/g, "");
    if (digits.length === 13 && digits.startsWith("86")) digits = digits.slice(2);
    if (/^1[3-9]\d{9}$/.test(digits) || /^0\d{9,11}$/.test(digits)) return digits;
    return null;
  }
  function item(t) {
    const li = document.createElement("li");
    li.dataset.ticket = t.ref;
    const ref = document.createElement("code");
    ref.textContent = t.ref;
    const about = document.createElement("span");
    // Its type and topic and where it is: a call about another category or place is
    // transferred as a ticket of its own, so the call-taker sees what the open one is about.
    const parts = [
      zh ? t.hotline_type_zh + " · " + t.hotline_topic_zh : t.hotline_type_en + " · " + t.hotline_topic_en,
      statuses[t.status] || t.status,
    ];
    if (t.address) parts.push(t.address);
    const when = cad110.when(t.created_at);
    if (when) parts.push(when);
    if (t.rang_again) parts.push("×" + (t.rang_again + 1));
    about.textContent = parts.join(" · ");
    li.append(ref, " ", about);
    if (t.incident) {
      const link = document.createElement("a");
      link.href = "/incidents/" + encodeURIComponent(t.incident);
      link.textContent = t.incident;
      li.append(" ", link);
    }
    return li;
  }

  async function lookup() {
    const phone = validPhone(form.caller_phone.value) || "";
    if (phone === shown) return;
    shown = phone;
    if (!phone) {
      box.hidden = true;
      return;
    }
    if (!looked.has(phone)) {
      const answer = await fetch("/api/v1/transfers/open?caller_phone=" + encodeURIComponent(phone), {
        credentials: "same-origin",
      });
      looked.set(phone, answer.ok ? (await answer.json()).items || [] : []);
    }
    if (phone !== shown) return; // the number changed while asking
    const tickets = looked.get(phone);
    const note = document.createElement("li");
    note.className = "muted";
    note.textContent = box.dataset.linked;
    list.replaceChildren(...tickets.map(item), note);
    box.hidden = tickets.length === 0;
  }
  let timer = null;
  form.caller_phone.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
  // A call recorded (the form is reset after each) may have opened a ticket, and the platform
  // works the others meanwhile: the desk stays open all shift, so the next call asks afresh.
  form.addEventListener("reset", () => {
    looked.clear();
    setTimeout(lookup, 0);
  });
})();
