// Supervision (督办): a leader acknowledges an overdue step with a comment.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const message = document.getElementById("supervise-message");

  document.querySelectorAll("form.ack").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = form.closest("tr").dataset.supervision;
      try {
        await cad110.call("POST", "/api/v1/supervision/" + encodeURIComponent(id) + "/acknowledge", { comment: form.comment.value });
        form.closest("tr").remove();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  });

  cad110.live(() => location.reload());
})();
