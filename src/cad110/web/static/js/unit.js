// Unit view (处警端): sign for, depart, arrive, feedback; the phone's position when allowed.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const root = document.querySelector(".unit-view");
  const unit = root && root.dataset.unit;
  const message = document.getElementById("unit-message");
  if (!unit) return;
  const incidentUrl = (number) => "/api/v1/incidents/" + encodeURIComponent(number);

  document.querySelectorAll(".big-buttons button").forEach((button) => {
    button.addEventListener("click", async () => {
      const number = button.closest(".assignment").dataset.number;
      button.disabled = true;
      try {
        await cad110.call("POST", incidentUrl(number) + "/units/" + encodeURIComponent(unit) + "/" + encodeURIComponent(button.dataset.step), {});
        location.reload();
      } catch (error) {
        message.textContent = error.message;
        button.disabled = false;
      }
    });
  });

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
  // A change pushed while the officer is writing the feedback must not wipe the form.
  let editing = false;
  if (feedback) {
    feedback.addEventListener("input", () => (editing = true));
    feedback.addEventListener("submit", async (event) => {
      event.preventDefault();
      const number = feedback.closest(".assignment").dataset.number;
      const base = incidentUrl(number);
      const guide = Array.from(feedback.querySelectorAll("input[name=guide]")).map((box) => ({
        code: box.value,
        done: box.checked,
        note: box.checked ? "" : feedback.summary.value.trim(),
      }));
      try {
        await cad110.call("POST", base + "/handle", { note: feedback.summary.value.trim() });
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
