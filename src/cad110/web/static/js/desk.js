// Call-taker desk: keyboard-first intake, map point, category guide, caller/place history.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const form = document.getElementById("intake");
  const result = document.getElementById("result");
  const historyList = document.getElementById("history");
  const days = Number(form.dataset.historyDays || 30);
  let categories = {};

  fetch("/api/v1/categories", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => data.categories.forEach((c) => (categories[c.code] = c)));

  const map = L.map("desk-map").setView([26.08, 119.3], 11);
  cad110.tiles(map);
  let marker = null;
  fetch("/api/v1/jurisdictions?geometry=true", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const districts = data.items.filter((j) => j.level === "district" && j.boundary);
      const layer = L.geoJSON(districts.map((d) => ({ type: "Feature", geometry: d.boundary })), { style: { color: "#334e68", weight: 1, fillOpacity: 0.03 } }).addTo(map);
      if (districts.length) map.fitBounds(layer.getBounds());
    });
  function place(lat, lon) {
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.marker([lat, lon]).addTo(map);
  }
  ["lon", "lat"].forEach((name) =>
    form[name].addEventListener("change", () => {
      const lon = Number(form.lon.value), lat = Number(form.lat.value);
      if (form.lon.value && form.lat.value && !isNaN(lon) && !isNaN(lat)) place(lat, lon);
    })
  );
  map.on("click", (e) => {
    form.lon.value = e.latlng.lng.toFixed(6);
    form.lat.value = e.latlng.lat.toFixed(6);
    place(e.latlng.lat, e.latlng.lng);
  });

  document.getElementById("category").addEventListener("input", (e) => {
    const c = categories[e.target.value];
    const box = document.getElementById("guide");
    box.replaceChildren();
    if (!c) return;
    const zh = document.documentElement.lang === "zh-CN";
    const title = document.createElement("h2");
    title.textContent = (zh ? c.zh : c.en) + " · " + c.default_grade;
    box.appendChild(title);
    const list = document.createElement("ul");
    c.guide.forEach((g) => {
      const li = document.createElement("li");
      li.textContent = zh ? g.zh : g.en;
      if (g.required) li.className = "required";
      list.appendChild(li);
    });
    box.appendChild(list);
  });

  // A repeat caller or a repeat place is seen at once (重复警情).
  let timer = null;
  function lookup() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const phone = form.caller_phone.value.replace(/\D/g, "");
      const address = form.address.value.trim();
      const since = new Date(Date.now() - days * 86400e3).toISOString();
      const queries = [];
      if (phone.length >= 7) queries.push("caller_phone=" + encodeURIComponent(phone));
      if (address.length >= 2) queries.push("address=" + encodeURIComponent(address));
      historyList.replaceChildren();
      const seen = new Set();
      for (const q of queries) {
        const answer = await fetch("/api/v1/incidents?limit=20&since=" + encodeURIComponent(since) + "&" + q, { credentials: "same-origin" });
        if (answer.status === 401) {
          // Not "no earlier incidents": the lookup could not be made.
          historyList.replaceChildren();
          const ended = document.createElement("li");
          ended.className = "error";
          ended.textContent = cad110.sessionEnded();
          historyList.appendChild(ended);
          return;
        }
        const data = await answer.json();
        (data.items || []).forEach((i) => {
          if (seen.has(i.number)) return;
          seen.add(i.number);
          const li = document.createElement("li");
          const link = document.createElement("a");
          link.href = "/incidents/" + encodeURIComponent(i.number);
          link.appendChild(document.createElement("code")).textContent = i.number;
          const about = document.createElement("span");
          about.textContent = (i.category || "") + " " + (i.address || "") + " " + i.status;
          li.append(link, " ", about);
          historyList.appendChild(li);
        });
      }
      if (!seen.size) {
        const none = document.createElement("li");
        none.className = "muted";
        none.textContent = "—";
        historyList.appendChild(none);
      }
    }, 300);
  }
  form.caller_phone.addEventListener("input", lookup);
  form.address.addEventListener("input", lookup);

  // One key per incident being entered: a save whose answer was lost and is pressed again
  // creates one incident, not two. A refusal (4xx) did nothing, so the corrected form is new.
  let pendingKey = null;

  async function save(event) {
    event.preventDefault();
    const body = { accept: true, source: "call_110" };
    ["caller_phone", "caller_name", "address", "narrative", "category"].forEach((k) => {
      if (form[k].value.trim()) body[k] = form[k].value.trim();
    });
    if (form.lon.value && form.lat.value) {
      body.lon = Number(form.lon.value);
      body.lat = Number(form.lat.value);
    }
    if (form.grade.value) body.grade = Number(form.grade.value);
    const tags = form.tags.value.split(/[,，]/).map((t) => t.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    result.className = "result";
    try {
      pendingKey = pendingKey || cad110.newKey();
      const incident = await cad110.call("POST", "/api/v1/incidents", body, { idempotencyKey: pendingKey });
      pendingKey = null;
      result.textContent = incident.number;
      result.classList.add("ok");
      form.reset();
      if (marker) { map.removeLayer(marker); marker = null; }
      form.caller_phone.focus();
    } catch (error) {
      if (error.status && error.status < 500) pendingKey = null;
      result.textContent = error.message;
      result.classList.add("error");
    }
  }
  form.addEventListener("submit", save);
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) save(e);
  });
  // Only to hear that the session ended: the desk stays, with the call being typed on it.
  cad110.live(() => {}, true);
})();
