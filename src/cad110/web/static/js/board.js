// Dispatch board: the queue (merged in place on live changes), the map with clustered unit
// markers, and the incident panel (refreshed only when its incident changed). The panel's
// actions and dialogs are in board_actions.js.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const board = (cad110.board = {});
  const I18N = JSON.parse(document.getElementById("board-i18n").textContent);
  const GRADE_COLOURS = { 1: "#c62828", 2: "#e08e0b", 3: "#0b5cad", 4: "#7b8794" };
  // Unit states with a colour of their own in board.css (.unit-icon span.<state>).
  const UNIT_STATES = ["available", "returning", "dispatched", "en_route", "on_scene"];
  const OPEN_STATUSES = ["received", "accepted", "assessed", "queued", "dispatched", "acknowledged", "departed", "arrived", "handled", "reported"];

  board.i18n = I18N;
  board.statusWord = (status) => I18N.status[status] || status;

  // Leaflet puts a string tooltip in as HTML: data goes in as a text node, never as markup.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  const panelUrl = (number) => "/board/incident/" + encodeURIComponent(number);

  // ---------------------------------------------------------------- map
  const map = L.map("map", { preferCanvas: true, maxZoom: 18 }).setView([26.08, 119.3], 11);
  cad110.tiles(map);
  const incidents = L.layerGroup().addTo(map);
  // Cluster icons built from DOM nodes (the plugin's default is an HTML string; ours carries
  // only classes, which the Content-Security-Policy allows).
  const units = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: (cluster) => {
      const count = cluster.getChildCount();
      const outer = document.createElement("div");
      const inner = document.createElement("span");
      inner.textContent = String(count);
      outer.appendChild(inner);
      const size = count < 10 ? "small" : count < 50 ? "medium" : "large";
      return L.divIcon({ html: outer, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(36, 36) });
    },
  }).addTo(map);

  // The city's outlines, fetched once for every map of the board (this one and the 更正地点
  // dialog's): its districts, with the grids finer under them.
  const outlines = fetch("/api/v1/jurisdictions?geometry=true", { credentials: "same-origin" }).then((r) => r.json());
  // Draws the outlines on a map once they are loaded; resolves to the loaded list and the
  // districts' layer. Boundaries only draw: drawn after the markers, an interactive polygon
  // would take their hover and click on a shared canvas (and a click on the dialog's map is
  // the map's, not a district's).
  board.drawOutlines = function (on) {
    return outlines.then((data) => {
      const districts = data.items.filter((j) => j.level === "district" && j.boundary);
      const layer = L.geoJSON(
        districts.map((d) => ({ type: "Feature", geometry: d.boundary })),
        { style: { color: "#334e68", weight: 1.5, fillOpacity: 0.03 }, interactive: false }
      ).addTo(on);
      L.geoJSON(
        data.grids.filter((g) => g.boundary).map((g) => ({ type: "Feature", geometry: g.boundary })),
        { style: { color: "#9fb3c8", weight: 0.5, fillOpacity: 0 }, interactive: false }
      ).addTo(on);
      return { items: data.items, districts: layer };
    });
  };
  board.drawOutlines(map).then((drawn) => {
    if (drawn.districts.getLayers().length) map.fitBounds(drawn.districts.getBounds());
  });

  function drawIncidents(items) {
    incidents.clearLayers();
    items.forEach((m) => {
      L.circleMarker([m.lat, m.lon], { radius: 7, color: "#fff", weight: 2, fillColor: GRADE_COLOURS[m.grade] || "#7b8794", fillOpacity: 1 })
        .bindTooltip(text(m.number + " " + (m.address || "")))
        .on("click", () => select(rowOf(m.number), true) || openPanel(m.number))
        .addTo(incidents);
    });
  }

  board.drawUnits = function () {
    fetch("/api/v1/units", { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        const locale = document.documentElement.lang;
        units.clearLayers();
        units.addLayers(
          data.items
            .filter((u) => u.lon !== null && u.status !== "off_duty")
            .map((u) => {
              const dot = document.createElement("span");
              if (UNIT_STATES.includes(u.status)) dot.className = u.status;
              const name = locale === "en" ? u.name_en : u.name_zh;
              return L.marker([u.lat, u.lon], { icon: L.divIcon({ className: "unit-icon", html: dot, iconSize: L.point(14, 14) }) })
                .bindTooltip(text(name + " · " + board.statusWord(u.status)));
            })
        );
      });
  };

  board.refreshIncidents = refreshIncidents;
  function refreshIncidents() {
    const query = OPEN_STATUSES.map((s) => "status=" + s).join("&");
    fetch("/api/v1/incidents?limit=500&" + query, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => drawIncidents(data.items.filter((i) => i.lon !== null)));
  }

  // ---------------------------------------------------------------- queue
  const rows = document.getElementById("rows");
  const queue = document.getElementById("queue");
  const rowOf = (number) => rows.querySelector('tr[data-number="' + CSS.escape(number) + '"]');
  let selected = null; // the number of the selected row

  // One row is in the tab order (roving tabindex): the selected one, else the first.
  function roving() {
    const all = rows.querySelectorAll("tr[data-number]");
    all.forEach((tr) => tr.setAttribute("tabindex", tr.dataset.number === selected ? "0" : "-1"));
    if (!rows.querySelector('tr[tabindex="0"]') && all.length) all[0].setAttribute("tabindex", "0");
  }

  function select(row, open) {
    if (!row) return false;
    selected = row.dataset.number;
    rows.querySelectorAll("tr.selected").forEach((tr) => tr.classList.remove("selected"));
    row.classList.add("selected");
    roving();
    row.focus({ preventScroll: false });
    if (open) openPanel(selected);
    return true;
  }

  // The open panel and its version: a live change reloads it only when it is stale.
  // `wanted` is the incident last asked for: a reload after an action must not bring back the
  // panel on screen when the dispatcher has meanwhile opened another (its load still in flight).
  let wanted = null;
  function openPanel(number) {
    wanted = number;
    return htmx.ajax("GET", panelUrl(number), "#panel");
  }
  board.reloadPanel = function () {
    const open = document.querySelector("#panel .incident");
    if (open) return openPanel(wanted || open.dataset.number);
    return Promise.resolve();
  };
  board.refreshRows = function () {
    return fetch("/board/rows", { credentials: "same-origin" })
      .then((r) => {
        if (r.status === 401) throw new Error(cad110.sessionEnded());
        return r.text();
      })
      .then(mergeRows);
  };

  rows.addEventListener("click", (event) => select(event.target.closest("tr[data-number]"), true));
  rows.addEventListener("keydown", (event) => {
    if (event.key === "Enter") select(event.target.closest("tr[data-number]"), true);
  });

  // The server's rows merged into the table in place, keyed by number: a changed row has its
  // cells replaced, new rows are inserted where they belong, gone rows removed; the selected
  // row keeps its selection and focus, and the queue keeps its scroll position.
  function mergeRows(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = Array.from(template.content.querySelectorAll("tr"));
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#rows tr[data-number]");
    const focusedNumber = focused ? focused.dataset.number : null;
    const scroll = queue.scrollTop;
    const wanted = new Set(fresh.map((tr) => tr.dataset.number).filter(Boolean));
    Array.from(rows.children).forEach((tr) => {
      if (!tr.dataset.number || !wanted.has(tr.dataset.number)) tr.remove();
    });
    let cursor = rows.firstElementChild;
    fresh.forEach((tr) => {
      const number = tr.dataset.number;
      let row = number ? rowOf(number) : null;
      if (row) {
        if (row.dataset.sig !== tr.dataset.sig) {
          row.replaceChildren(...Array.from(tr.childNodes));
          row.className = tr.className;
          row.dataset.sig = tr.dataset.sig;
          row.dataset.version = tr.dataset.version;
        }
      } else {
        row = document.importNode(tr, true);
      }
      if (row !== cursor) rows.insertBefore(row, cursor);
      else cursor = cursor.nextElementSibling;
    });
    if (selected) {
      const row = rowOf(selected);
      if (row) row.classList.add("selected");
    }
    roving();
    // Moving a focused row among its siblings blurs it in some browsers: put focus back.
    if (focusedNumber) {
      const row = rowOf(focusedNumber);
      if (row && document.activeElement !== row && !document.querySelector("dialog[open]")) row.focus({ preventScroll: true });
    }
    queue.scrollTop = scroll;
    document.getElementById("open-count").textContent = "(" + rows.querySelectorAll("tr[data-number]").length + ")";
    cad110.tick();
    markLate();
  }

  // A row whose earliest unmet deadline has passed stands out (marked by the server too; the
  // clock runs on between live changes).
  function markLate() {
    const now = Date.now();
    rows.querySelectorAll("tr[data-number]").forEach((tr) => {
      const due = tr.querySelector("time[data-due]");
      tr.classList.toggle("overdue", Boolean(due) && Date.parse(due.dataset.due) < now);
    });
  }
  setInterval(markLate, 1000);

  // The user is working in the panel: typing, in a dialog, or reading values they revealed
  // (a refresh would mask them again). The panel waits until they are done.
  board.busy = function () {
    const panel = document.getElementById("panel");
    const active = document.activeElement;
    return Boolean(
      document.querySelector("dialog[open]") ||
        (active && panel.contains(active) && active.matches("input, textarea, select")) ||
        panel.querySelector("form.reveal-form:not([hidden]), .pii.revealed")
    );
  };

  // Stale: its row shows another version, or it left the queue while the panel showed it open.
  function panelStale() {
    const open = document.querySelector("#panel .incident");
    if (!open) return false;
    const row = rowOf(open.dataset.number);
    if (row) return row.dataset.version !== open.dataset.version;
    return open.dataset.open === "1";
  }
  board.followLive = function () {
    if (panelStale() && !board.busy()) board.reloadPanel();
  };
  // A reload asked for before a dialog opened may come back while it is open: the dialogs live
  // in the panel, so that swap would take the dialog (and what is typed in it) away. It is
  // dropped; the panel catches up when the dialog closes (followLive on "close").
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "panel" && document.querySelector("#panel dialog[open]")) {
      event.detail.shouldSwap = false;
    }
  });

  // ---------------------------------------------------------------- keys
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return; // a dialog has its own keys
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const current = (document.activeElement.closest && document.activeElement.closest("#rows tr[data-number]")) || (selected && rowOf(selected));
      const down = event.key === "ArrowDown";
      let next = current ? (down ? current.nextElementSibling : current.previousElementSibling) : rows.querySelector("tr[data-number]");
      if (next && next.dataset.number) {
        event.preventDefault();
        select(next, true);
      }
      return;
    }
    // The panel's actions: each button shows its key.
    if (event.key.length === 1) {
      const key = CSS.escape(event.key);
      const button = document.querySelector('#panel button[data-key="' + key + '"]:not([disabled])');
      if (button) {
        event.preventDefault();
        button.click();
        return;
      }
      // A key whose action cannot be taken now says why, never nothing.
      const why = document.querySelector('#panel .unavailable li[data-key="' + key + '"]');
      const message = document.querySelector("#panel .message");
      if (why && message) {
        event.preventDefault();
        message.textContent = why.textContent.trim();
        message.classList.remove("done");
      }
    }
  });

  // After the panel is swapped in: the row of its incident is the selected one.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id !== "panel") return;
    const open = document.querySelector("#panel .incident");
    if (open && open.dataset.number !== selected) {
      const row = rowOf(open.dataset.number);
      if (row) {
        selected = open.dataset.number;
        rows.querySelectorAll("tr.selected").forEach((tr) => tr.classList.remove("selected"));
        row.classList.add("selected");
        roving();
      }
    }
    document.dispatchEvent(new CustomEvent("board:panel"));
  });

  // A dialog closed: the panel catches up with changes that came while it was open.
  document.addEventListener("close", (event) => {
    if (event.target.matches && event.target.matches("dialog.board-dialog")) setTimeout(board.followLive, 0);
  }, true);

  refreshIncidents();
  board.drawUnits();
  roving();

  cad110.live(() => {
    board.refreshRows().then(board.followLive).catch(() => {});
    refreshIncidents();
    board.drawUnits();
  });
})();
