// The administrator's room: each form and button calls its JSON route; texts come from the page.
(function () {
  "use strict";
  const room = document.getElementById("admin");
  if (!room) return;
  const msg = document.getElementById("admin-msg");

  function say(text, failed) {
    msg.textContent = text;
    msg.classList.toggle("error", !!failed);
  }

  // Centre time (Asia/Shanghai, no daylight saving) as an ISO moment with its offset.
  function moment(local) {
    return local ? local + ":00+08:00" : null;
  }

  function body(form) {
    const out = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((el) => {
      const value = el.value.trim();
      if (el.hasAttribute("data-list")) {
        out[el.name] = value ? value.split(/[,，\s]+/).filter(Boolean) : [];
      } else if (el.hasAttribute("data-local")) {
        out[el.name] = moment(value);
      } else if (el.hasAttribute("data-number")) {
        out[el.name] = value === "" ? null : Number(value);
      } else if (value !== "") {
        out[el.name] = value;
      } else if (el.name === "unit" || el.name === "guard_unit") {
        out[el.name] = null;
      }
    });
    return out;
  }

  // A refusal about the form's own fields is said beside each field, as on every other form
  // (errors.js); only what no field of the form can hold goes to the line at the top.
  function refused(form, err) {
    const fields = err.fields || {};
    const names = Object.keys(fields);
    const held = form && names.length > 0 && names.every((name) => form.querySelector('[name="' + CSS.escape(name) + '"]'));
    if (form) cad110.showFieldErrors(form, held ? fields : {});
    if (!held) {
      say(room.dataset.failed + " " + err.message, true);
      return "refused";
    }
    say("");
    form.querySelector('[name="' + CSS.escape(names[0]) + '"]').focus();
    return "fields";
  }

  async function act(method, url, data, form) {
    try {
      const answer = await cad110.call(method, url, data);
      if (answer && answer.password) {
        say(room.dataset.password + " " + (answer.username || (answer.user && answer.user.username) || "") + " " + answer.password);
        return;
      }
      if (form) cad110.showFieldErrors(form, {});
      say(room.dataset.saved);
      setTimeout(() => window.location.reload(), 600);
      return "saved";
    } catch (err) {
      return refused(form, err);
    }
  }

  room.querySelectorAll("form.api-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.dataset.method, form.dataset.url, body(form), form);
    });
  });
  // 注销 a place: asked in a dialog with its reason (required), the one typed for an edit
  // carried over; nothing is sent until the administrator confirms there.
  const retire = document.getElementById("place-retire");
  const retireOpen = document.getElementById("place-retire-open");
  if (retire && retireOpen) {
    const form = retire.querySelector("form");
    retireOpen.addEventListener("click", () => {
      const typed = document.querySelector('#place-edit [name="reason"]');
      form.reason.value = typed ? typed.value.trim() : "";
      cad110.showFieldErrors(form, {});
      retire.showModal();
      form.reason.focus();
    });
    retire.querySelector("[data-close]").addEventListener("click", () => retire.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      // Closed unless one of its fields is to be corrected: the top line says the outcome.
      const outcome = await act("POST", form.dataset.url, { reason: form.reason.value.trim() }, form);
      if (outcome !== "fields") retire.close();
    });
  }
  room.querySelectorAll("button.api-button").forEach((button) => {
    button.addEventListener("click", () => {
      // Disabling an account or resetting its password locks its user out mid-shift: asked first.
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      act(button.dataset.method, button.dataset.url, {});
    });
  });
  // The roster saves each cell as it is chosen; the cell keeps its value, nothing reloads.
  room.querySelectorAll("select.roster-cell").forEach((cell) => {
    cell.addEventListener("change", async () => {
      try {
        await cad110.call("PUT", cell.dataset.url, { leader: cell.value || null });
        cell.classList.add("saved");
        say(room.dataset.saved);
      } catch (err) {
        say(room.dataset.failed + " " + err.message, true);
      }
    });
  });
})();
