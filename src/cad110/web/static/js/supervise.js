// Supervision (督办): a leader acknowledges an overdue step with a comment (批示). Live changes
// are merged into the table row by row (keyed by supervision id): new rows are added, gone rows
// removed, changed rows replaced, and a row whose comment has text or the focus is never
// touched, so a half-typed 批示 survives any number of refreshes.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const message = document.getElementById("supervise-message");
  const body = document.getElementById("supervise-rows");
  const count = document.getElementById("supervise-count");

  function busy(row) {
    const input = row.querySelector("input[name=comment]");
    return !!input && (input.value.trim() !== "" || document.activeElement === input || row.contains(document.activeElement));
  }

  function wire(row) {
    const form = row.querySelector("form.ack");
    if (!form || form.dataset.wired) return;
    form.dataset.wired = "1";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = row.dataset.supervision;
      try {
        await cad110.call("POST", "/api/v1/supervision/" + encodeURIComponent(id) + "/acknowledge", { comment: form.comment.value });
        // Said with its incident: the row goes, and the instruction is on the incident's record.
        const number = row.querySelector("td.number code");
        message.textContent = (message.dataset.acknowledged || "").replace("{number}", number ? number.textContent : id);
        message.classList.add("done");
        row.remove();
        recount();
      } catch (error) {
        cad110.showFieldErrors(form, error.fields || {});
        message.classList.remove("done");
        message.textContent = error.message;
      }
    });
  }

  function recount() {
    count.textContent = body.querySelectorAll("tr[data-supervision]").length;
  }

  // Pure merge of two row lists: what to keep, add, replace and remove (exported for reading).
  function merge(fresh) {
    const incoming = new Map();
    fresh.querySelectorAll("tr[data-supervision]").forEach((tr) => incoming.set(tr.dataset.supervision, tr));
    const current = new Map();
    body.querySelectorAll("tr[data-supervision]").forEach((tr) => current.set(tr.dataset.supervision, tr));
    current.forEach((tr, id) => {
      if (incoming.has(id)) return;
      if (busy(tr)) tr.classList.add("stale"); // done elsewhere; kept until the leader is done typing
      else tr.remove();
    });
    // Walk the fresh order; rows the leader is typing in stay as they are, in place.
    let anchor = null;
    incoming.forEach((tr, id) => {
      let row = current.get(id);
      if (!row) {
        row = document.importNode(tr, true);
        wire(row);
      } else if (row.dataset.sig !== tr.dataset.sig && !busy(row)) {
        const copy = document.importNode(tr, true);
        row.replaceWith(copy);
        row = copy;
        wire(row);
      }
      if (!busy(row)) {
        const want = anchor ? anchor.nextElementSibling : body.firstElementChild;
        if (want !== row) body.insertBefore(row, want);
      }
      anchor = row;
    });
    const empty = body.querySelector("tr.empty-row");
    const any = body.querySelector("tr[data-supervision]");
    if (any && empty) empty.remove();
    if (!any && !empty) {
      const none = fresh.querySelector("tr.empty-row");
      if (none) body.appendChild(document.importNode(none, true));
    }
    recount();
  }

  const refresh = cad110.refresher(
    "/supervise/rows",
    (doc) => {
      merge(doc.querySelector("tbody"));
      document.dispatchEvent(new CustomEvent("supervise:merged"));
    },
    ["<table><tbody>", "</tbody></table>"],
  );

  body.querySelectorAll("tr[data-supervision]").forEach(wire);
  cad110.live(refresh, true);
})();
