// 处警结果 on the incident's record: record an entry, strike a wrong one (a correction is a
// strike and a new entry). Amounts are typed in yuan and sent in fen; times are typed in the
// centre's local time (Asia/Shanghai), whatever the device's own zone.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});

  // "1250", "12.5", "1,250.00" → fen as a whole number; null for anything else.
  cad110.fen = function (text) {
    const value = String(text || "").replace(/[,，\s]/g, "");
    const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value);
    if (!match) return null;
    return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
  };

  // A datetime-local value read as Beijing time.
  const local = (value) => (value ? value + (value.length === 16 ? ":00" : "") + "+08:00" : null);

  const section = document.getElementById("outcomes");
  const form = section && section.querySelector(".outcome-form");
  if (!form) return;
  const number = section.dataset.number;
  const base = "/api/v1/incidents/" + encodeURIComponent(number) + "/outcomes";
  const message = form.querySelector(".message");

  const kind = () => form.querySelector("input[name=kind]:checked").value;
  function show() {
    form.querySelectorAll("[data-for]").forEach((el) => {
      el.hidden = !el.dataset.for.split(" ").includes(kind());
    });
  }
  form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", show));
  show();

  function body() {
    const k = kind();
    const note = form.note.value.trim();
    switch (k) {
      case "arrest":
        return { kind: k, arrested: Number(form.arrested.value), in_the_act: form.in_the_act.checked, at: local(form.at.value), note: note };
      case "case_opened":
        return { kind: k, case_number: form.case_number.value.trim(), at: local(form.at.value), note: note };
      case "loss":
        return { kind: k, amount_fen: cad110.fen(form.amount_fen.value), note: note };
      case "recovery":
        return { kind: k, amount_fen: cad110.fen(form.amount_fen.value), at: local(form.at.value), above_loss: form.above_loss.checked, note: note };
      default:
        return { kind: k, description: form.description.value.trim(), at: local(form.at.value) };
    }
  }

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const sent = body();
    if ("amount_fen" in sent && sent.amount_fen === null) {
      cad110.showFieldErrors(form, { amount_fen: form.dataset.msgAmount });
      form.amount_fen.focus();
      return;
    }
    busy = true;
    try {
      await cad110.call("POST", base, sent);
      location.reload();
    } catch (error) {
      if (!cad110.showFieldErrors(form, error.fields || {})) message.textContent = error.message;
      else message.textContent = "";
      busy = false;
    }
  });

  // Strike: the reason is asked beside the entry, then the entry stays, struck through.
  const strikeForm = section.querySelector(".strike-form");
  let entry = null;
  section.querySelectorAll("button.strike").forEach((button) => {
    button.addEventListener("click", () => {
      entry = button.dataset.entry;
      button.closest("li").appendChild(strikeForm);
      strikeForm.hidden = false;
      strikeForm.reason.value = "";
      strikeForm.reason.focus();
    });
  });
  strikeForm.querySelector(".cancel-strike").addEventListener("click", () => {
    strikeForm.hidden = true;
    entry = null;
  });
  strikeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!entry || !cad110.checkRequired(strikeForm)) return;
    try {
      await cad110.call("POST", base + "/" + encodeURIComponent(entry) + "/strike", { reason: strikeForm.reason.value.trim() });
      location.reload();
    } catch (error) {
      if (!cad110.showFieldErrors(strikeForm, error.fields || {})) message.textContent = error.message;
    }
  });
})();
