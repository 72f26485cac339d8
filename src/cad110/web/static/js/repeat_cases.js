// 重复警情档案: each form of the list (建档) and of a case posts its fields to the case's API
// and reloads the page on success; a refusal is said in the user's words (errors.js) in the
// form's own status line. Data reaches the page only through textContent.
(function () {
  "use strict";
  const room = document.getElementById("repeat-case") || document.getElementById("repeats");
  if (!room) return;

  // The form's fields as the API takes them: empty optional fields are left out, and a
  // threat's person (name, phone) becomes the one person it flags.
  function bodyOf(form) {
    const body = {};
    const person = {};
    for (const [name, raw] of new FormData(form).entries()) {
      const value = String(raw).trim();
      if (!value) continue;
      if (name === "person_name") person.name = value;
      else if (name === "person_phone") person.phone = value;
      else body[name] = value;
    }
    if (form.dataset.action === "threat") body.persons = Object.keys(person).length ? [person] : [];
    if (form.dataset.action === "approve" || form.dataset.action === "reject") {
      return { comment: body.comment || "" };
    }
    return body;
  }

  function urlOf(form, submitter) {
    if (form.dataset.url) return form.dataset.url;
    const action = (submitter && submitter.dataset.action) || form.dataset.action;
    return "/api/v1/repeat-cases/" + encodeURIComponent(room.dataset.number) + "/" + action;
  }

  for (const form of document.querySelectorAll("form.case-form")) {
    // One key per form while it is being tried: a retry after no answer is not a second step.
    let key = null;
    form.addEventListener("input", () => { key = null; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const msg = form.querySelector(".form-msg");
      const buttons = form.querySelectorAll("button");
      buttons.forEach((b) => { b.disabled = true; });
      key = key || cad110.newKey();
      try {
        const out = await cad110.call("POST", urlOf(form, event.submitter), bodyOf(form), { idempotencyKey: key });
        if (form.dataset.url && out && out.number) {
          window.location.assign("/repeats/" + encodeURIComponent(out.number));
        } else {
          window.location.reload();
        }
      } catch (err) {
        msg.classList.add("error");
        msg.textContent = (form.dataset.failed || room.dataset.failed || "") + " " + err.message;
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }
})();
