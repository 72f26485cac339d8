// Call-taker desk: keyboard-first intake, map point, category search and guide, and calls that
// end without an incident (the number's history: desk_history.js; the phone: phone_pop.js).
// Every word shown comes from the page.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const form = document.getElementById("intake");
  const result = document.getElementById("result");
  const last = document.getElementById("last");
  const guideBox = document.getElementById("guide");
  const texts = JSON.parse(document.getElementById("desk-texts").textContent);
  const zh = document.documentElement.lang === "zh-CN";
  const label = (c) => (zh ? c.zh : c.en);
  const categories = {}; // code → full catalog entry (guide, labels), for the guide and history
  const catalogReady = fetch("/api/v1/categories", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => data.categories.forEach((c) => (categories[c.code] = c)))
    .catch(() => {});
  // The history box (desk_history.js) names the categories too.
  cad110.deskCategories = catalogReady.then(() => categories);

  // ---- map -----------------------------------------------------------------------------
  const map = L.map("desk-map").setView([26.08, 119.3], 11);
  cad110.tiles(map);
  let marker = null;
  // The whole city, to come back to for the next call (a picked place zooms in).
  let city = null;
  fetch("/api/v1/jurisdictions?geometry=true", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const districts = data.items.filter((j) => j.level === "district" && j.boundary);
      const layer = L.geoJSON(districts.map((d) => ({ type: "Feature", geometry: d.boundary })), { style: { color: "#334e68", weight: 1, fillOpacity: 0.03 } }).addTo(map);
      if (districts.length) {
        city = layer.getBounds();
        map.fitBounds(city);
      }
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
  // A click is resolved to the nearest standard address (within 500 m), which fills the form
  // through the same `cad110:place` event as a search pick; a click far from every address
  // keeps the clicked point and says so.
  const mapNote = document.getElementById("map-note");
  map.on("click", (e) => {
    place(e.latlng.lat, e.latlng.lng);
    cad110.placeAtClick(e.latlng.lng, e.latlng.lat, mapNote);
  });
  // While the point comes from a standard address, Tab goes from the address straight on to
  // what happened: the point's clear button and the read-only longitude and latitude are
  // skipped (still there for the mouse).
  const clearPoint = form.querySelector(".place-clear");
  function skipPoint(skip) {
    [clearPoint, form.lon, form.lat].forEach((f) => {
      if (!f) return;
      if (skip) f.setAttribute("tabindex", "-1");
      else f.removeAttribute("tabindex");
    });
  }
  form.addEventListener("cad110:place-filled", (e) => {
    const lat = Number(e.detail.lat), lon = Number(e.detail.lon);
    skipPoint(!!e.detail.code);
    place(lat, lon);
    if (e.detail.source !== "map") {
      // Picked by name: show the streets around it; a click keeps the view it was made in.
      map.setView([lat, lon], Math.max(map.getZoom(), 15));
      mapNote.textContent = "";
    }
    hideWarning();
  });
  form.addEventListener("cad110:place-cleared", () => {
    skipPoint(false);
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    mapNote.textContent = "";
    hideWarning();
  });

  // ---- the address names one district, the point lies in another -----------------------
  const warning = document.getElementById("place-warning");
  const warningText = warning.querySelector(".place-warning-text");
  let confirmedPlace = false;
  // What the confirmation goes on with: the save, or the call ended without an incident.
  let afterConfirm = null;
  function hideWarning() {
    warning.hidden = true;
    confirmedPlace = false;
  }
  function showWarning(message, then) {
    const confirm = document.getElementById("place-confirm");
    warningText.textContent = message;
    warning.hidden = false;
    afterConfirm = then;
    // It says what the confirmation goes on with: the incident saved, or the call recorded.
    confirm.textContent = then === save ? confirm.dataset.save : confirm.dataset.record;
    confirm.focus();
  }
  document.getElementById("place-confirm").addEventListener("click", (e) => {
    confirmedPlace = true;
    warning.hidden = true;
    afterConfirm(e);
  });
  document.getElementById("place-correct").addEventListener("click", () => {
    hideWarning();
    form.address.focus();
  });
  ["address", "lon", "lat"].forEach((name) => form[name].addEventListener("input", hideWarning));

  // ---- category combobox: labels on screen, the code only in what is sent --------------
  const input = document.getElementById("category");
  const list = document.getElementById("category-list");
  let options = []; // [{code, zh, en, default_grade}] as last searched
  let active = -1;
  let picked = null; // the chosen category {code, zh, en, default_grade}
  let searchSeq = 0;

  function showGuide(code) {
    guideBox.replaceChildren();
    const c = code && categories[code];
    if (!c) return;
    const title = document.createElement("h2");
    title.textContent = label(c) + " · " + texts.grade.replace("{grade}", c.default_grade);
    const ul = document.createElement("ul");
    c.guide.forEach((g) => {
      const li = document.createElement("li");
      li.textContent = zh ? g.zh : g.en;
      if (g.required) li.className = "required";
      ul.appendChild(li);
    });
    guideBox.append(title, ul);
  }

  function closeList() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    list.replaceChildren();
    options.forEach((c, i) => {
      const li = document.createElement("li");
      li.id = "category-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.textContent = label(c);
      const grade = document.createElement("span");
      grade.className = "muted";
      grade.textContent = texts.grade.replace("{grade}", c.default_grade);
      li.append(" ", grade);
      li.addEventListener("mousedown", (e) => {
        e.preventDefault(); // keep the focus in the field
        pick(c);
      });
      list.appendChild(li);
    });
    if (!options.length && input.value.trim()) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = texts.no_match;
      list.appendChild(li);
    }
    list.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", "category-option-" + active);
    else input.removeAttribute("aria-activedescendant");
  }

  async function searchCategories(q) {
    const seq = ++searchSeq;
    const answer = await fetch("/api/v1/catalog/categories?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" });
    if (answer.status === 401) {
      const ended = new Error(cad110.sessionEnded());
      ended.status = 401;
      throw ended;
    }
    if (!answer.ok) return [];
    const data = await answer.json();
    if (seq !== searchSeq) return null; // a later keystroke's answer wins
    return data.items;
  }

  // A search still on its way when the call-taker picks or closes the list must not open it
  // again over the form: its answer is dropped.
  function dropPendingSearch() {
    clearTimeout(searchTimer);
    searchSeq += 1;
  }

  function pick(c) {
    dropPendingSearch();
    picked = c;
    // For the repeat warning (desk_repeats.js): the same kind of matter is one of its reasons.
    form.dataset.category = c.code;
    form.dispatchEvent(new CustomEvent("cad110:category", { detail: { code: c.code } }));
    input.value = label(c);
    closeList();
    showGuide(c.code);
  }

  let searchTimer = null;
  input.addEventListener("input", () => {
    picked = null;
    delete form.dataset.category;
    showGuide(null);
    clearTimeout(searchTimer);
    const q = input.value.trim();
    if (!q) {
      options = [];
      closeList();
      return;
    }
    searchTimer = setTimeout(async () => {
      const found = await searchCategories(q).catch(() => null); // a 401 has said so at the top
      if (found === null || input.value.trim() !== q || document.activeElement !== input) return;
      options = found;
      active = options.length ? 0 : -1;
      render();
    }, 120);
  });
  input.addEventListener("keydown", async (e) => {
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && (list.hidden || active < 0)) {
      // Enter here picks, never saves: typed faster than the list came, take the best match.
      e.preventDefault();
      const q = input.value.trim();
      if (!q || (picked && label(picked) === q)) return;
      clearTimeout(searchTimer);
      const found = await searchCategories(q).catch(() => null);
      if (found && found.length) pick(found[0]);
      return;
    }
    if (e.key === "Escape") {
      // Also before the list has come: the answer on its way is dropped.
      dropPendingSearch();
      if (!list.hidden) {
        e.preventDefault();
        closeList();
      }
      return;
    }
    if (list.hidden || !options.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      active = (active + step + options.length) % options.length;
      render();
    } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && active >= 0) {
      e.preventDefault();
      pick(options[active]);
    }
  });
  input.addEventListener("blur", () => setTimeout(closeList, 100));

  // What is sent: the picked category's code; a name typed in full (盗窃, Theft) without
  // picking counts as picked; anything else is a question for the call-taker, not the API.
  async function categoryCode() {
    const text = input.value.trim();
    if (!text) return null;
    if (picked && label(picked) === text) return picked.code;
    // Saving now: the typing search still waiting would make this answer look stale.
    dropPendingSearch();
    const found = (await searchCategories(text)) || [];
    const exact = found.find((c) => c.zh === text || c.en.toLowerCase() === text.toLowerCase());
    if (exact) {
      picked = exact;
      return exact.code;
    }
    return undefined;
  }

  // ---- a clean desk: after a save, or a phone pop replacing only what a pop put there -----
  form.addEventListener("reset", () => {
    picked = null;
    delete form.dataset.category;
    options = [];
    dropPendingSearch();
    closeList();
    showGuide(null);
    hideWarning();
    skipPoint(false);
    mapNote.textContent = "";
    cad110.showFieldErrors(form, {});
    result.textContent = "";
    result.className = "result";
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    if (city) map.fitBounds(city);
  });
  function reset(previous) {
    form.reset();
    last.replaceChildren(previous);
    form.caller_phone.focus();
  }
  function refused(error) {
    cad110.showFieldErrors(form, error.fields || {});
    result.textContent = error.message;
    result.className = "result error";
  }

  // One key per incident being entered: a save whose answer was lost and is pressed again
  // creates one incident, not two. A refusal (4xx) did nothing, so the corrected form is new.
  let pendingKey = null;
  let saving = false;

  // Where the call was: the address, the point and the standard address picked, with the
  // call-taker's confirmation of a point the address contradicts.
  function placeOf(body) {
    if (form.address.value.trim()) body.address = form.address.value.trim();
    if (form.lon.value && form.lat.value) {
      body.lon = Number(form.lon.value);
      body.lat = Number(form.lat.value);
    }
    const box = form.querySelector("[data-place-search]");
    if (box.dataset.code) body.place = box.dataset.code;
    if (confirmedPlace) body.place_confirmed = true;
  }
  // The address names one district and the point lies in another: said once, in the warning
  // that asks for the confirmation (and beside the address); confirmed, `then` goes on.
  function contradicted(error, then) {
    const item = error.body && Array.isArray(error.body.detail) ? error.body.detail[0] : null;
    if (!item || item.code !== "place_contradiction") return false;
    cad110.showFieldErrors(form, error.fields || {});
    result.textContent = "";
    result.className = "result";
    // The warning says the sentence alone: it is about the address, which it names itself.
    showWarning(Object.values(error.fields || {})[0] || error.message, then);
    return true;
  }

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    saving = true;
    try {
      const body = { accept: true, source: "call_110" };
      ["caller_phone", "caller_name", "narrative"].forEach((k) => {
        if (form[k].value.trim()) body[k] = form[k].value.trim();
      });
      placeOf(body);
      const code = await categoryCode();
      // The desk accepts (受理) as it saves, and 受理 needs a category: asked here, not by a 422.
      if (!code) {
        refused({ message: texts.pick_category, fields: { category: texts.pick_category } });
        input.focus();
        return;
      }
      body.category = code;
      if (form.grade.value) body.grade = Number(form.grade.value);
      const tags = form.tags.value.split(/[,，]/).map((t) => t.trim()).filter(Boolean);
      if (tags.length) body.tags = tags;
      // The phone call the pop loaded into this form (phone_pop.js): the record is of that one.
      if (form.dataset.phoneCall) body.call = { phone_call: form.dataset.phoneCall };
      pendingKey = pendingKey || cad110.newKey();
      const incident = await cad110.call("POST", "/api/v1/incidents", body, { idempotencyKey: pendingKey });
      pendingKey = null;
      const link = document.createElement("a");
      link.href = "/incidents/" + encodeURIComponent(incident.number);
      link.textContent = incident.number;
      const line = document.createDocumentFragment();
      line.append(texts.previous + " ", link);
      if (!incident.located) {
        // Recorded, but nowhere: said at once, not found out on the board.
        const none = document.createElement("strong");
        none.className = "no-point";
        none.textContent = texts.no_point;
        line.append(" ", none);
      }
      reset(line);
    } catch (error) {
      if (error.status && error.status < 500) pendingKey = null;
      if (contradicted(error, save)) return;
      refused(error);
    } finally {
      saving = false;
    }
  }
  form.addEventListener("submit", save);

  // ---- a call without an incident: F2, then a digit --------------------------------------
  const menu = document.getElementById("outcomes");
  const menuButtons = Array.from(menu.querySelectorAll("button[data-outcome]"));
  let returnFocus = null;
  function openMenu() {
    returnFocus = document.activeElement;
    menu.hidden = false;
    menuButtons[0].focus();
  }
  function closeMenu() {
    menu.hidden = true;
    if (returnFocus) returnFocus.focus();
  }
  let callKey = null;
  async function recordCall(outcome) {
    menu.hidden = true;
    const body = { outcome: outcome };
    const phone = form.caller_phone.value.trim();
    if (phone) body.caller_phone = phone;
    if (form.caller_name.value.trim()) body.caller_name = form.caller_name.value.trim();
    const note = form.narrative.value.trim();
    if (note) body.note = note;
    if (form.dataset.phoneCall) body.phone_call = form.dataset.phoneCall;
    // Where and what it was about go with it (a 转12345's ticket takes them); a category
    // typed but not one of the list is asked for, as the save asks.
    placeOf(body);
    try {
      const code = await categoryCode();
      if (code === undefined) {
        refused({ message: texts.pick_category, fields: { category: texts.pick_category } });
        input.focus();
        return;
      }
      if (code) body.category = code;
      callKey = callKey || cad110.newKey();
      // The call's note is what the form calls 警情内容: a refusal of it is said there.
      await cad110.call("POST", "/api/v1/calls", body, { idempotencyKey: callKey, fields: { note: "narrative" } });
      callKey = null;
      reset(texts.previous_call.replace("{outcome}", texts.outcomes[outcome] || outcome));
    } catch (error) {
      if (error.status && error.status < 500) callKey = null;
      if (contradicted(error, () => recordCall(outcome))) return;
      refused(error);
      (returnFocus || form.caller_phone).focus();
    }
  }
  document.getElementById("no-incident").addEventListener("click", openMenu);
  menuButtons.forEach((b) => b.addEventListener("click", () => recordCall(b.dataset.outcome)));
  menu.addEventListener("keydown", (e) => {
    const n = Number(e.key);
    if (n >= 1 && n <= menuButtons.length) {
      e.preventDefault();
      recordCall(menuButtons[n - 1].dataset.outcome);
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeMenu();
    }
  });

  // Wherever the focus is on the page (the map after a click, the hazard-flag form): Ctrl+Enter
  // saves, F2 opens the outcomes; not while one of the page's dialogs waits for an answer
  // (F2 again closes its own menu).
  function dialogOpen() {
    return !!document.querySelector("dialog[open], [role=dialog]:not([hidden]), [aria-modal=true]:not([hidden])");
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      if (!menu.hidden || dialogOpen()) return;
      save(e);
    } else if (e.key === "F2") {
      e.preventDefault();
      if (!menu.hidden) closeMenu();
      else if (!dialogOpen()) openMenu();
    }
  });
  // Only to hear that the session ended: the desk stays, with the call being typed on it.
  cad110.live(() => {}, true);
})();
