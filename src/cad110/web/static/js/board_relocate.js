// 更正地点 on the board (templates/_board_dialogs.html, key `l`): the desk's place search box,
// and a small map whose click takes the nearest standard address, both addressed to this
// dialog's box only (place_search.js). A point in another district than the address names is
// refused by the server (422 place_contradiction) and said in the dialog, to be confirmed or
// corrected. After the save the queue, the map and the panel follow at once; the live push
// brings the same to every other screen.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const board = cad110.board;
  const panel = document.getElementById("panel");
  const CENTRE = [26.08, 119.3];

  // The panel (and this dialog with it) is swapped in by htmx: its box is set up each time,
  // and its form told when the box fills (those events do not bubble).
  document.addEventListener("board:panel", () => {
    cad110.placeSearch(panel);
    const form = panel.querySelector('#dlg-relocate form[data-kind="relocate"]');
    if (form) wire(form);
  });

  function parts(form) {
    return {
      box: form.querySelector("[data-place-search]"),
      address: form.elements.address,
      warning: form.querySelector(".place-warning"),
      note: form.querySelector(".relocate-map-note"),
      mapBox: form.querySelector(".relocate-map"),
    };
  }

  // The map is drawn when the dialog first opens (Leaflet needs its size) with the board's
  // outlines: at the incident's point, marked, when it has one, else over its jurisdiction's
  // area, so that a click is never blind. A marker follows whatever fills the box.
  function mapOf(form) {
    const p = parts(form);
    if (!form._map) {
      const lon = Number(form.dataset.lon);
      const lat = Number(form.dataset.lat);
      const known = form.dataset.lon !== undefined && isFinite(lon) && isFinite(lat);
      const map = L.map(p.mapBox, { keyboard: false });
      // Where the map looks, for whoever checks that it shows the incident's area.
      map.on("moveend", () => {
        const c = map.getCenter();
        p.mapBox.dataset.centre = c.lat.toFixed(6) + "," + c.lng.toFixed(6);
      });
      map.setView(known ? [lat, lon] : CENTRE, known ? 15 : 11);
      cad110.tiles(map);
      map.on("click", (e) => cad110.placeAtClick(e.latlng.lng, e.latlng.lat, p.note, p.address.id));
      form._map = map;
      form._marker = null;
      if (known) mark(form, lat, lon);
      board.drawOutlines(map).then((drawn) => {
        if (known || form._marker) return; // the point (or a pick made meanwhile) decides
        const area = areaOf(drawn.items, form.dataset.jurisdiction) || drawn.districts;
        if (!area.getLayers().length) return;
        map.invalidateSize();
        map.fitBounds(area.getBounds());
      });
    }
    return form._map;
  }

  // The outline of a jurisdiction, or of the nearest one above it that has one (a station
  // drawn with no boundary of its own is looked for in its district).
  function areaOf(items, code) {
    const byCode = new Map(items.map((j) => [j.code, j]));
    for (let j = byCode.get(code); j; j = byCode.get(j.parent)) {
      if (j.boundary) return L.geoJSON(j.boundary);
    }
    return null;
  }

  function mark(form, lat, lon) {
    const map = mapOf(form);
    if (form._marker) form._marker.setLatLng([lat, lon]);
    else form._marker = L.marker([lat, lon], { keyboard: false }).addTo(map);
  }

  function hideWarning(form) {
    const p = parts(form);
    p.warning.hidden = true;
    delete form.dataset.confirmed;
  }

  // Opened by the panel's button or key (board_actions.js shows it and resets the form).
  panel.addEventListener("click", (event) => {
    const button = event.target.closest('button[data-open="relocate"]');
    if (!button) return;
    const form = panel.querySelector("#dlg-relocate form");
    if (!form) return;
    hideWarning(form);
    parts(form).note.textContent = "";
    parts(form).address.focus();
    const map = mapOf(form);
    setTimeout(() => map.invalidateSize(), 0);
  });

  function wire(form) {
    form.addEventListener("cad110:place-filled", (event) => {
      hideWarning(form);
      const lat = Number(event.detail.lat);
      const lon = Number(event.detail.lon);
      mark(form, lat, lon);
      if (event.detail.source !== "map") mapOf(form).setView([lat, lon], Math.max(mapOf(form).getZoom(), 15));
    });
    form.addEventListener("cad110:place-cleared", () => {
      if (!form._marker) return;
      form._map.removeLayer(form._marker);
      form._marker = null;
    });
  }
  panel.addEventListener("input", (event) => {
    const form = event.target.form;
    if (form && form.dataset.kind === "relocate" && event.target.name === "address") hideWarning(form);
  });

  function bodyOf(form) {
    const p = parts(form);
    const body = { reason: form.elements.reason.value.trim() };
    const address = p.address.value.trim();
    if (address) body.address = address;
    if (p.box.dataset.code) body.place = p.box.dataset.code;
    if (form.elements.lon.value && form.elements.lat.value) {
      body.lon = Number(form.elements.lon.value);
      body.lat = Number(form.elements.lat.value);
    }
    if (form.dataset.confirmed) body.place_confirmed = true;
    return body;
  }

  // The form's own check: a place and a reason, said beside each in the page's words.
  function missing(form) {
    const T = board.i18n;
    const fields = {};
    if (!form.elements.lon.value || !parts(form).address.value.trim()) fields.address = T.required;
    if (!form.elements.reason.value.trim()) fields.reason = T.required;
    cad110.showFieldErrors(form, fields);
    const first = ["address", "reason"].find((name) => fields[name]);
    if (first) form.elements[first].focus();
    return Boolean(first);
  }

  // A short printable name for a body (an Idempotency-Key is ASCII): FNV-1a over its text.
  function digest(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16) + "-" + text.length;
  }

  async function save(form) {
    if (form.dataset.saving || missing(form)) return;
    const p = parts(form);
    const submit = form.querySelector("button[type=submit]");
    const error = form.querySelector(".error");
    const body = bodyOf(form);
    form.dataset.saving = "1";
    submit.disabled = true;
    error.textContent = "";
    try {
      // The same press sent twice (a lost answer) is one correction; the same correction of
      // another incident is another press (the path names the incident).
      const version = panel.querySelector(".incident").dataset.version;
      const key = "board-relocate:" + form.dataset.path + ":" + version + ":" + digest(JSON.stringify(body));
      await cad110.call("POST", form.dataset.path, body, { idempotencyKey: key });
      form.closest("dialog").close();
      await board.refreshRows().catch(() => {});
      board.refreshIncidents();
      await board.reloadPanel();
    } catch (err) {
      const item = err.body && Array.isArray(err.body.detail) ? err.body.detail[0] : null;
      if (item && item.code === "place_contradiction") {
        p.warning.querySelector(".place-warning-text").textContent = err.message;
        p.warning.hidden = false;
        p.warning.querySelector("[data-confirm-place]").focus();
      } else {
        error.textContent = err.message;
        cad110.showFieldErrors(form, err.fields || {});
      }
    } finally {
      delete form.dataset.saving;
      submit.disabled = false;
    }
  }

  panel.addEventListener("submit", (event) => {
    const form = event.target.closest('form[data-kind="relocate"]');
    if (!form) return;
    event.preventDefault();
    save(form);
  });
  panel.addEventListener("click", (event) => {
    const form = event.target.closest && event.target.closest('form[data-kind="relocate"]');
    if (!form) return;
    if (event.target.closest("[data-confirm-place]")) {
      form.dataset.confirmed = "1";
      parts(form).warning.hidden = true;
      save(form);
    } else if (event.target.closest("[data-correct-place]")) {
      hideWarning(form);
      parts(form).address.focus();
    }
  });
})();
