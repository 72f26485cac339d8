// Unit view (处警端): sign for, depart, arrive, feedback; the phone's position when allowed.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const root = document.querySelector(".unit-view");
  const unit = root && root.dataset.unit;
  const message = document.getElementById("unit-message");
  if (!unit) return;
  const incidentUrl = (number) => "/api/v1/incidents/" + encodeURIComponent(number);
  // A change pushed while the officer is writing (feedback, a reason) must not wipe the form.
  let editing = false;

  const stepUrl = (number, step) =>
    incidentUrl(number) + "/units/" + encodeURIComponent(unit) + "/" + encodeURIComponent(step);
  const arriveReason = document.getElementById("arrive-reason");

  document.querySelectorAll(".big-buttons button").forEach((button) => {
    button.addEventListener("click", async () => {
      const number = button.closest(".assignment").dataset.number;
      button.disabled = true;
      try {
        await cad110.call("POST", stepUrl(number, button.dataset.step), {});
        location.reload();
      } catch (error) {
        message.textContent = error.message;
        button.disabled = false;
        // 到场 far from the scene or too soon after dispatch: the server asks for a reason.
        if (button.dataset.step === "arrive" && error.status === 422 && arriveReason) {
          arriveReason.hidden = false;
          editing = true;
          arriveReason.reason.focus();
        }
      }
    });
  });

  if (arriveReason) {
    arriveReason.addEventListener("submit", async (event) => {
      event.preventDefault();
      const number = arriveReason.closest(".assignment").dataset.number;
      try {
        await cad110.call("POST", stepUrl(number, "arrive"), { reason: arriveReason.reason.value.trim() });
        location.reload();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  // 查找协查: the officer confirms having seen a missing person's details.
  document.querySelectorAll(".mark-read").forEach((button) => {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await cad110.call("POST", "/api/v1/missing/lookouts/" + encodeURIComponent(button.dataset.notice) + "/read", {});
        button.closest(".lookout").classList.remove("unread");
        button.remove();
      } catch (error) {
        message.textContent = error.message;
        button.disabled = false;
      }
    });
  });

  const feedback = document.getElementById("feedback");
  // Each guide item is ticked, or carries its own reason; the summary is never taken for one.
  const items = feedback ? Array.from(feedback.querySelectorAll(".guide-item")) : [];
  const boxOf = (item) => item.querySelector("input[name=guide]");
  const whyOf = (item) => item.querySelector("input[name^=why-]");
  items.forEach((item) => {
    boxOf(item).addEventListener("change", () => {
      item.classList.toggle("done", boxOf(item).checked);
      item.classList.remove("missing");
    });
  });
  let handled = false;
  if (feedback) {
    feedback.addEventListener("input", () => (editing = true));
    feedback.addEventListener("submit", async (event) => {
      event.preventDefault();
      const number = feedback.closest(".assignment").dataset.number;
      const base = incidentUrl(number);
      const guide = items.map((item) => ({
        code: item.dataset.code,
        done: boxOf(item).checked,
        note: boxOf(item).checked ? "" : whyOf(item).value.trim(),
      }));
      const missing = items.filter(
        (item, n) => item.dataset.required === "true" && !guide[n].done && !guide[n].note
      );
      items.forEach((item) => item.classList.toggle("missing", missing.includes(item)));
      if (missing.length) {
        message.textContent = feedback.dataset.msgRequired;
        whyOf(missing[0]).focus();
        return;
      }
      try {
        // A report refused after the handling note went through is sent again without it.
        if (!handled) {
          await cad110.call("POST", base + "/handle", { note: feedback.summary.value.trim() });
          handled = true;
        }
        await cad110.call("POST", base + "/report", { summary: feedback.summary.value.trim(), guide: guide });
        await cad110.call("POST", base + "/units/" + encodeURIComponent(unit) + "/release", {});
        location.reload();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  // Position from the phone, every fix, when the officer allows it.
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(
      (pos) => {
        cad110
          .call("POST", "/api/v1/units/positions", {
            fixes: [{ unit: unit, lon: pos.coords.longitude, lat: pos.coords.latitude, at: new Date(pos.timestamp).toISOString(), speed_kmh: pos.coords.speed ? pos.coords.speed * 3.6 : null }],
          })
          .catch(() => {});
      },
      () => {},
      { enableHighAccuracy: true, maximumAge: 10000 }
    );
  }

  cad110.live(() => {
    if (!editing) location.reload();
  });
})();
