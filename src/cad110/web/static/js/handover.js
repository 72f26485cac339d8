// 交接班: leave a note for the next shift, mark the last shift's notes read.
(function () {
  "use strict";
  const room = document.getElementById("handover");
  if (!room) return;
  const msg = document.getElementById("handover-msg");
  const form = document.getElementById("handover-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.querySelector("textarea").value.trim();
    if (!text) return;
    try {
      await cad110.call("POST", "/api/v1/handover", { position: room.dataset.position, text: text });
      window.location.reload();
    } catch (err) {
      msg.textContent = room.dataset.failed + " " + err.message;
    }
  });
  room.querySelectorAll("button.mark-read").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        await cad110.call("POST", button.dataset.url);
        window.location.reload();
      } catch (err) {
        msg.textContent = room.dataset.failed + " " + err.message;
      }
    });
  });
})();
