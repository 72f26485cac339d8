// Reveal (显示): personal data shown masked is shown in full only after the user gives a reason,
// which the server records in the access log. One listener per event type for the whole page,
// so that fragments swapped in later (the board's incident panel) work too.
(function () {
  "use strict";

  function parts(el) {
    const box = el.closest(".reveal-box");
    return box ? { box: box, form: box.querySelector("form.reveal-form"), button: box.querySelector("button.reveal") } : null;
  }

  function say(form, text) {
    const out = form.querySelector(".form-msg");
    if (out) out.textContent = text;
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest("button.reveal, button.reveal-cancel");
    if (!target) return;
    const p = parts(target);
    if (!p || !p.form) return;
    const opening = target.classList.contains("reveal");
    p.form.hidden = !opening;
    p.button.hidden = opening;
    if (opening) p.form.querySelector("input[name=reason]").focus();
    else say(p.form, "");
  });

  async function reveal(form) {
    const p = parts(form);
    const reason = form.querySelector("input[name=reason]").value.trim();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    say(form, "");
    try {
      // Asked afresh each time, without an Idempotency-Key: every reveal is recorded.
      const response = await fetch(p.box.dataset.revealUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": window.cad110.csrf() },
        body: JSON.stringify({ reason: reason }),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail;
        throw new Error(detail || response.statusText);
      }
      const scope = p.box.closest("[data-reveal-scope]") || document;
      Object.entries(data.fields || {}).forEach(([field, value]) => {
        scope.querySelectorAll('.pii[data-field="' + field + '"]').forEach((el) => {
          el.textContent = value || "—";
          el.classList.add("revealed");
        });
      });
      p.box.hidden = true;
    } catch (error) {
      say(form, error.message);
    } finally {
      submit.disabled = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form.reveal-form");
    if (!form) return;
    event.preventDefault();
    reveal(form);
  });
})();
