// The place search box (templates/_place_search.html): the address field searches the standard
// addresses as it is typed, nearest the call's known point first; arrows and Enter pick, Esc
// closes. A pick from here, a map click resolved to its nearest address, or a phone pop's
// location all arrive as one `cad110:place` event on `document` (the contract of the desk,
// the board and the missing-person pages); the box fills its form from that event only, so
// every source fills the same way. A box marked `data-place-own` (one in a dialog, beside the
// page's own) takes only the events addressed to it (`detail.box`, its field's id), and a
// page's box none addressed to another. Boxes swapped in later (the board's panel) are set up
// by `cad110.placeSearch(root)`. Every word shown comes from the page.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});
  const block = document.getElementById("place-search-texts");
  const texts = block ? JSON.parse(block.textContent) : {};
  const zh = document.documentElement.lang === "zh-CN";
  const fill = (template, values) =>
    String(template || "").replace(/\{(\w+)\}/g, (whole, k) => (values[k] !== undefined ? String(values[k]) : whole));

  // Station and grid names by code, asked once per page (the place says codes).
  let names = null;
  function nameOf(code) {
    if (!names) {
      names = fetch("/api/v1/jurisdictions", { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { items: [], grids: [] }))
        .then((data) => {
          const found = {};
          (data.items || []).concat(data.grids || []).forEach((j) => (found[j.code] = zh ? j.name_zh : j.name_en));
          return found;
        })
        .catch(() => ({}));
    }
    return names.then((found) => (code ? found[code] || code : ""));
  }

  cad110.distanceText = function (metres) {
    if (metres === null || metres === undefined) return "";
    return metres < 1000 ? fill(texts.metres, { m: Math.round(metres) }) : fill(texts.km, { km: (metres / 1000).toFixed(1) });
  };

  // The event's detail for a place of the API (PlaceOut).
  cad110.placeDetail = function (place, source) {
    return {
      code: place.code,
      lon: place.lon,
      lat: place.lat,
      full_text: place.full_text,
      district: place.district,
      station: place.station,
      grid: place.grid,
      approximate: !!place.approximate,
      source: source,
    };
  };
  cad110.pickPlace = function (detail) {
    document.dispatchEvent(new CustomEvent("cad110:place", { detail: detail }));
  };

  // A map click: the nearest standard address within 500 m fills the form (its point, its
  // address where nothing was typed); far from every address the clicked point is kept. `note`
  // says which, with the distance; `box` (a field's id) addresses the event to that box only.
  // A later click's answer wins over an earlier one's.
  let clickSeq = 0;
  cad110.placeAtClick = async function (lng, lat, note, box) {
    const lon = Number(lng.toFixed(6));
    const at = Number(lat.toFixed(6));
    const mine = ++clickSeq;
    note.textContent = texts.looking;
    let found = null;
    try {
      const answer = await fetch("/api/v1/places/nearest?lon=" + lon + "&lat=" + at, { credentials: "same-origin" });
      if (answer.ok) found = await answer.json();
    } catch (err) {
      found = null;
    }
    if (mine !== clickSeq) return;
    let detail;
    if (found && found.place) {
      note.textContent = fill(texts.nearest, { address: found.place.full_text, distance: cad110.distanceText(found.distance_m) });
      detail = cad110.placeDetail(found.place, "map");
    } else {
      note.textContent = texts.none_near;
      detail = { code: null, lon: lon, lat: at, full_text: "", district: "", station: null, grid: null, source: "map" };
    }
    if (box) detail.box = box;
    cad110.pickPlace(detail);
  };

  const inRange = (lon, lat) => isFinite(lon) && isFinite(lat) && lon >= 73 && lon <= 136 && lat >= 3 && lat <= 54;

  function setup(box) {
    const input = box.querySelector("input[role=combobox]");
    const list = box.querySelector(".combo-list");
    const picked = box.querySelector(".place-picked");
    const where = box.querySelector(".place-where");
    const use = box.querySelector(".place-use");
    const clear = box.querySelector(".place-clear");
    const form = input.form;
    const lonField = form.elements[box.dataset.lonField];
    const latField = form.elements[box.dataset.latField];
    const prefix = input.id + "-place-";
    const own = box.hasAttribute("data-place-own");
    let options = [];
    let active = -1;
    let seq = 0;
    let timer = null;
    const SEARCH_MAX = 80;
    let chosen = null; // the detail last filled in: its full_text is what the field then says
    let offered = null; // a map or phone place whose address was not put over typed text

    function near() {
      const lon = parseFloat(lonField.value);
      const lat = parseFloat(latField.value);
      return inRange(lon, lat) ? "&lon=" + lon + "&lat=" + lat : "";
    }

    async function search(q) {
      const mine = ++seq;
      const answer = await fetch("/api/v1/places?limit=8&q=" + encodeURIComponent(q) + near(), { credentials: "same-origin" });
      if (!answer.ok) return mine === seq ? [] : null;
      const data = await answer.json();
      return mine === seq ? data.items : null; // a later keystroke's answer wins
    }

    function closeList() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render() {
      list.replaceChildren();
      options.forEach((hit, i) => {
        const li = document.createElement("li");
        li.id = prefix + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = hit.place.full_text;
        const more = [];
        if (hit.place.name && hit.place.full_text.indexOf(hit.place.name) < 0) more.push(hit.place.name);
        if (hit.distance_m !== null && hit.distance_m !== undefined) more.push(cad110.distanceText(hit.distance_m));
        if (more.length) {
          const small = document.createElement("span");
          small.className = "muted";
          small.textContent = more.join(" · ");
          li.append(" ", small);
        }
        li.addEventListener("mousedown", (e) => {
          e.preventDefault(); // keep the focus in the field
          pick(hit.place);
        });
        list.appendChild(li);
      });
      if (!options.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = texts.no_match;
        list.appendChild(li);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) input.setAttribute("aria-activedescendant", prefix + active);
      else input.removeAttribute("aria-activedescendant");
    }

    function pick(place) {
      closeList();
      const detail = cad110.placeDetail(place, "search");
      if (own) detail.box = input.id;
      cad110.pickPlace(detail);
    }

    function lockPoint(locked) {
      [lonField, latField].forEach((f) => {
        f.readOnly = locked;
        f.classList.toggle("from-place", locked);
      });
    }

    async function say(detail) {
      const station = await nameOf(detail.station);
      // A grid's name says it is a grid (网格01); a bare code is said as "grid 3501020101".
      const gridName = detail.grid ? await nameOf(detail.grid) : "";
      const grid = gridName && gridName === detail.grid ? fill(texts.grid, { grid: gridName }) : gridName;
      const parts = detail.code ? [detail.district, station, grid] : [texts.point_only];
      if (detail.approximate) parts.push(texts.approximate);
      let line = parts.filter(Boolean).join(" · ");
      if (offered) line = fill(texts.typed_kept, { address: offered.full_text }) + " " + line;
      where.textContent = line;
      use.hidden = !offered;
      picked.hidden = false;
    }

    function unpick() {
      chosen = null;
      offered = null;
      delete box.dataset.code;
      picked.hidden = true;
      where.textContent = "";
      lockPoint(false);
    }

    // Every source fills the form here. Typed text is not overwritten by a map click or a phone
    // location (it may name the district the caller said: the server compares the two); the
    // nearest address is offered beside it instead.
    function onPlace(e) {
      if (!box.isConnected) {
        // Its panel was swapped out: the box is gone, and so is what it listened for.
        document.removeEventListener("cad110:place", onPlace);
        return;
      }
      const d = e.detail || {};
      if (d.box ? d.box !== input.id : own) return; // another box's, or the page's
      if (!inRange(Number(d.lon), Number(d.lat))) return;
      const typed = input.value.trim();
      const ours = !typed || (chosen && typed === chosen.full_text) || d.source === "search";
      offered = null;
      if (d.full_text && ours) input.value = d.full_text;
      else if (d.full_text) offered = d;
      chosen = d;
      if (d.code && ours) box.dataset.code = d.code;
      else delete box.dataset.code;
      lonField.value = Number(d.lon).toFixed(6);
      latField.value = Number(d.lat).toFixed(6);
      lockPoint(true);
      say(d);
      form.dispatchEvent(new CustomEvent("cad110:place-filled", { detail: d }));
    }
    document.addEventListener("cad110:place", onPlace);

    use.addEventListener("click", () => {
      if (!offered) return;
      const d = offered;
      input.value = "";
      cad110.pickPlace(Object.assign({}, d));
      input.focus();
    });
    clear.addEventListener("click", () => {
      unpick();
      lonField.value = "";
      latField.value = "";
      form.dispatchEvent(new CustomEvent("cad110:place-cleared"));
      input.focus();
    });
    form.addEventListener("reset", () => setTimeout(unpick, 0));

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      // Past the search's own limit (GET /api/v1/places, q ≤ 80) the text is the call-taker's
      // description of the place, not a search: each keystroke would be refused.
      if (!q || q.length > SEARCH_MAX) {
        options = [];
        closeList();
        return;
      }
      timer = setTimeout(async () => {
        const found = await search(q).catch(() => null);
        // Not when the answer comes after the call-taker moved on: the list would cover the form.
        if (found === null || input.value.trim() !== q || document.activeElement !== input) return;
        options = found;
        active = options.length ? 0 : -1;
        render();
      }, 150);
    });
    input.addEventListener("keydown", async (e) => {
      if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        e.stopPropagation();
        closeList();
        return;
      }
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        // Enter here picks, never saves the form.
        e.preventDefault();
        if (!list.hidden && active >= 0) {
          pick(options[active].place);
          return;
        }
        const q = input.value.trim();
        if (!q || (chosen && chosen.full_text === q)) return;
        clearTimeout(timer);
        const found = await search(q).catch(() => null);
        if (found && found.length) pick(found[0].place);
        else if (found) {
          options = [];
          render();
        }
        return;
      }
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && !list.hidden && options.length) {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
        render();
      }
    });
    input.addEventListener("blur", () => setTimeout(closeList, 100));
  }

  cad110.placeSearch = function (root) {
    root.querySelectorAll("[data-place-search]").forEach((box) => {
      if (box.dataset.placeReady) return;
      box.dataset.placeReady = "1";
      setup(box);
    });
  };
  cad110.placeSearch(document);
})();
