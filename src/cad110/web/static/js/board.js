// Dispatch board: Leaflet map of districts and grids, incident and unit markers, dispatch.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const GRADE_COLOURS = { 1: "#c62828", 2: "#e08e0b", 3: "#0b5cad", 4: "#7b8794" };
  // Unit states with a colour of their own in console.css (.unit-icon span.<state>).
  const UNIT_STATES = ["available", "returning", "dispatched", "en_route", "on_scene"];

  // Leaflet puts a string tooltip in as HTML: data goes in as a text node, never as markup.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  const panelOf = (number) => "/board/incident/" + encodeURIComponent(number);

  const map = L.map("map", { preferCanvas: true }).setView([26.08, 119.3], 11);
  cad110.tiles(map);
  const incidents = L.layerGroup().addTo(map);
  const units = L.layerGroup().addTo(map);

  fetch("/api/v1/jurisdictions?geometry=true", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const districts = data.items.filter((j) => j.level === "district" && j.boundary);
      const layer = L.geoJSON(
        districts.map((d) => ({ type: "Feature", geometry: d.boundary, properties: { name: d.name_zh } })),
        // Boundaries only draw: drawn after the markers, an interactive polygon would take
        // their hover and click on the shared canvas.
        { style: { color: "#334e68", weight: 1.5, fillOpacity: 0.03 }, interactive: false }
      ).addTo(map);
      L.geoJSON(
        data.grids.map((g) => ({ type: "Feature", geometry: g.boundary, properties: { name: g.name_zh } })),
        { style: { color: "#9fb3c8", weight: 0.5, fillOpacity: 0 }, interactive: false }
      ).addTo(map);
      if (districts.length) map.fitBounds(layer.getBounds());
    });

  function drawIncidents(markers) {
    incidents.clearLayers();
    markers.forEach((m) => {
      L.circleMarker([m.lat, m.lon], { radius: 8, color: "#fff", weight: 2, fillColor: GRADE_COLOURS[m.grade] || "#7b8794", fillOpacity: 1 })
        .bindTooltip(text(m.number + " " + (m.address || "")))
        .on("click", () => htmx.ajax("GET", panelOf(m.number), "#panel"))
        .addTo(incidents);
    });
  }

  function drawUnits() {
    fetch("/api/v1/units", { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        units.clearLayers();
        data.items.filter((u) => u.lon !== null && u.status !== "off_duty").forEach((u) => {
          const dot = document.createElement("span");
          if (UNIT_STATES.includes(u.status)) dot.className = u.status;
          L.marker([u.lat, u.lon], { icon: L.divIcon({ className: "unit-icon", html: dot }) })
            .bindTooltip(text(u.name_zh + " · " + u.status))
            .addTo(units);
        });
      });
  }

  function refreshIncidents() {
    fetch("/api/v1/incidents?limit=500&status=received&status=accepted&status=assessed&status=queued&status=dispatched&status=acknowledged&status=departed&status=arrived&status=handled&status=reported", { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => drawIncidents(data.items.filter((i) => i.lon !== null).map((i) => ({ number: i.number, grade: i.grade, lon: i.lon, lat: i.lat, address: i.address }))));
  }

  refreshIncidents();
  drawUnits();

  // One listener for all rows (500 rows with their own handlers slowed the first paint).
  const rows = document.getElementById("rows");
  const open = (row) => row && htmx.ajax("GET", panelOf(row.dataset.number), "#panel");
  rows.addEventListener("click", (event) => open(event.target.closest("tr[data-number]")));
  rows.addEventListener("keyup", (event) => {
    if (event.key === "Enter") open(event.target.closest("tr[data-number]"));
  });

  // Keyboard: "d" dispatches the recommendation of the open incident (its first N units when
  // the category needs N), arrows move through the queue.
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey) return;
    if (event.key === "d") {
      const button = document.querySelector("#panel button.dispatch.primary") || document.querySelector("#panel button.dispatch");
      if (button) button.click();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const current = document.activeElement.closest && document.activeElement.closest("tr[data-number]");
      const next = current ? (event.key === "ArrowDown" ? current.nextElementSibling : current.previousElementSibling) : rows.querySelector("tr[data-number]");
      if (next && next.dataset.number) {
        event.preventDefault();
        next.focus();
        open(next);
      }
    }
  });

  // One click dispatches; the panel and the queue refresh from the server.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.dispatch, button.action");
    if (!button) return;
    const number = button.dataset.number;
    const message = document.querySelector("#panel .message");
    button.disabled = true;
    try {
      if (button.classList.contains("dispatch")) {
        await cad110.call("POST", "/api/v1/incidents/" + encodeURIComponent(number) + "/dispatch", { units: button.dataset.unit.split(",") });
      } else {
        await cad110.call("POST", "/api/v1/incidents/" + encodeURIComponent(number) + "/" + encodeURIComponent(button.dataset.action), {});
      }
      htmx.ajax("GET", panelOf(number), "#panel");
      htmx.trigger("#rows", "refresh");
      drawUnits();
    } catch (error) {
      if (message) message.textContent = error.message;
      button.disabled = false;
    }
  });

  // The count in the title follows the rows after every refresh.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "rows") {
      document.getElementById("open-count").textContent = "(" + event.target.querySelectorAll("tr[data-number]").length + ")";
    }
  });

  cad110.live(() => {
    htmx.trigger("#rows", "refresh");
    refreshIncidents();
    drawUnits();
    // The open panel follows the change unless the user is working in it: typing a reason,
    // reading values they revealed (a refresh would mask them again), or on one of its controls.
    const panel = document.getElementById("panel");
    const open = panel.querySelector(".incident");
    const busy =
      panel.contains(document.activeElement) ||
      panel.querySelector("form.reveal-form:not([hidden]), .pii.revealed");
    if (open && !busy) htmx.ajax("GET", panelOf(open.dataset.number), "#panel");
  });
})();
