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

  async function act(method, url, data) {
    try {
      const answer = await cad110.call(method, url, data);
      if (answer && answer.password) {
        say(room.dataset.password + " " + (answer.username || (answer.user && answer.user.username) || "") + " " + answer.password);
        return;
      }
      say(room.dataset.saved);
      setTimeout(() => window.location.reload(), 600);
    } catch (err) {
      say(room.dataset.failed + " " + err.message, true);
    }
  }

  room.querySelectorAll("form.api-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.dataset.method, form.dataset.url, body(form));
    });
  });
  room.querySelectorAll("button.api-button").forEach((button) => {
    button.addEventListener("click", () => act(button.dataset.method, button.dataset.url, {}));
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
