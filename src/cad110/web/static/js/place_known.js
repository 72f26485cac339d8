// What is known at a place (templates/_place_known.html): hazard flags first, then earlier
// incidents, open missing-person cases and key targets near it. A section with
// data-source="pick" follows the `cad110:place` event (a place picked at the desk or on the
// board); one with data-incident (the board's incident panel) shows its incident's place.
// Data reaches the page through textContent only; every word comes from the page.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});
  const zh = document.documentElement.lang === "zh-CN";
  const SEVERITIES = [3, 2, 1];
  let kinds = null; // the kinds of flag, fetched once for the forms
  let lastPick = null; // the last place picked, for a caller typed after it

  function texts(section) {
    if (!section._texts) {
      try {
        section._texts = JSON.parse(section.dataset.texts || "{}");
      } catch (err) {
        section._texts = {};
      }
    }
    return section._texts;
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, (whole, name) =>
      values[name] !== undefined && values[name] !== null ? String(values[name]) : whole
    );
  }

  // Centre time, as every screen shows it (console.js).
  const when = (iso) => cad110.when(iso);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // A flag's sign is drawn by the style sheet (place_known.css), not a character: the fonts of
  // a Debian console have no ⛔, which showed as an empty box. Its severity is also in words.
  function sign(severity) {
    const node = el("span", "pk-sign sign" + (SEVERITIES.includes(severity) ? severity : 1));
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  function flagItem(section, f) {
    const t = texts(section);
    const li = el("li", "pk-flag sev" + f.severity);
    li.dataset.flag = String(f.id);
    li.dataset.kind = f.kind;
    const head = el("p", "pk-flag-head");
    head.append(sign(f.severity));
    head.append(el("strong", "pk-kind", zh ? f.kind_zh : f.kind_en));
    head.append(el("span", "pk-severity", (t.severity || {})[f.severity] || ""));
    const about =
      f.subject === "place"
        ? t.on_place
        : fill(t.on_person, { who: [f.person.name, f.person.phone, f.person.id_number].filter(Boolean).join(" ") });
    head.append(el("span", "pk-about", about));
    li.append(head);
    li.append(el("p", "pk-reason", f.reason));
    const by = fill(t.set_by, { who: f.set_by_name || f.set_by, when: when(f.set_at) });
    const until = f.expires_at ? fill(t.until, { when: when(f.expires_at) }) : t.until_revoked;
    li.append(el("p", "pk-meta muted", by + " · " + until));
    if (section.querySelector(".pk-form")) li.append(revokeForm(section, f));
    return li;
  }

  function revokeForm(section, f) {
    const t = texts(section);
    const form = el("form", "pk-revoke");
    const input = el("input");
    input.name = "reason";
    input.required = true;
    input.minLength = 4;
    input.maxLength = 500;
    input.placeholder = t.revoke_reason;
    input.setAttribute("aria-label", t.revoke_reason);
    const button = el("button", "", t.revoke);
    button.type = "submit";
    form.append(input, button);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (input.value.trim().length < 4) {
        input.focus();
        return;
      }
      try {
        await cad110.call("POST", "/api/v1/flags/" + f.id + "/revoke", { reason: input.value.trim() });
        reload(section);
      } catch (err) {
        message(section, err.message);
      }
    });
    return form;
  }

  function list(section, selector, items, render, empty) {
    const ul = section.querySelector(selector);
    ul.replaceChildren(...items.map(render));
    if (!items.length) ul.append(el("li", "muted", empty));
  }

  function show(section, known) {
    const t = texts(section);
    section.hidden = false;
    section._shown = true;
    section.querySelector(".pk-status").textContent = "";
    const where = known.place ? known.place.full_text : section.dataset.label || "";
    section.querySelector(".pk-where").textContent = where;
    const flags = section.querySelector(".pk-flags");
    if (known.flags === null) {
      flags.replaceChildren();
    } else {
      flags.replaceChildren(...known.flags.map((f) => flagItem(section, f)));
      if (!known.flags.length) flags.append(el("li", "muted pk-noflag", t.no_flags));
    }
    section.classList.toggle("has-flags", !!(known.flags && known.flags.length));
    const statuses = t.statuses || {};
    list(
      section,
      ".pk-incidents",
      known.incidents,
      (i) => {
        const li = el("li");
        const a = el("a", "", i.number);
        a.href = "/incidents/" + encodeURIComponent(i.number);
        const category = (zh ? i.category_zh : i.category_en) || i.category || "";
        const place = i.same_address ? t.same_address : fill(t.metres, { m: Math.round(i.distance_m || 0) });
        li.append(a, " ", el("span", "", category), " ", el("span", "muted", when(i.received_at) + " · " + (statuses[i.status] || i.status) + " · " + place));
        return li;
      },
      t.none
    );
    list(
      section,
      ".pk-missing",
      known.missing,
      (c) => {
        const li = el("li", c.urgent ? "urgent" : "");
        const a = el("a", "", c.name);
        a.href = "/missing/" + encodeURIComponent(c.number);
        li.append(a, " ", el("span", "muted", c.last_seen_place + " · " + fill(t.metres, { m: Math.round(c.distance_m) })));
        return li;
      },
      t.none
    );
    list(
      section,
      ".pk-targets",
      known.targets,
      (k) => el("li", "", (zh ? k.name_zh : k.name_en) + " · " + fill(t.metres, { m: Math.round(k.distance_m) })),
      t.none
    );
    const form = section.querySelector(".pk-form");
    if (form) {
      section._place = known.place ? known.place.code : null;
      const onPlace = form.subject.querySelector('option[value="place"]');
      onPlace.disabled = !section._place && !section.dataset.incident;
      if (onPlace.disabled) form.subject.value = "person";
    }
  }

  function message(section, text) {
    const m = section.querySelector(".pk-message");
    if (m) m.textContent = text || "";
  }

  async function load(section, query) {
    section._query = query;
    const status = section.querySelector(".pk-status");
    // Only before the first answer: a line appearing above the form on a reload would move
    // what the user is about to click.
    if (!section._shown) status.textContent = texts(section).looking || "";
    const params = new URLSearchParams();
    Object.keys(query).forEach((k) => {
      if (query[k] !== null && query[k] !== undefined && query[k] !== "") params.set(k, query[k]);
    });
    try {
      const known = await cad110.call("GET", "/api/v1/places/known?" + params.toString());
      if (section._query === query) show(section, known);
    } catch (err) {
      status.textContent = err.message;
    }
  }

  function reload(section) {
    if (section._query) load(section, section._query);
  }

  // The caller as the desk has them (a person flag and the lookup by the caller's number).
  function caller() {
    const phone = document.querySelector('input[name="caller_phone"]');
    const name = document.querySelector('input[name="caller_name"]');
    return { phone: phone ? phone.value.trim() : "", name: name ? name.value.trim() : "" };
  }

  function pickQuery(detail) {
    const who = caller();
    const query = { phone: /^[0-9+\-() ]{3,20}$/.test(who.phone) ? who.phone : "" };
    if (detail.code) query.code = detail.code;
    else {
      query.lon = detail.lon;
      query.lat = detail.lat;
    }
    return query;
  }

  async function setFlag(section, form) {
    const t = texts(section);
    const reason = form.reason.value.trim();
    if (reason.length < 4) {
      message(section, t.reason_needed);
      form.reason.focus();
      return;
    }
    const body = { subject: form.subject.value, kind: form.kind.value, reason: reason };
    if (form.expires.value) {
      body.expires_at = new Date(Date.now() + Number(form.expires.value) * 86400000).toISOString();
    }
    if (section.dataset.incident) {
      body.incident = section.dataset.incident;
    } else if (body.subject === "place") {
      if (!section._place) return message(section, t.pick_place);
      body.place = section._place;
    } else {
      const who = caller();
      if (!who.phone && !who.name) return message(section, t.no_caller);
      body.person = {};
      if (who.phone) body.person.phone = who.phone;
      if (who.name) body.person.name = who.name;
    }
    try {
      await cad110.call("POST", "/api/v1/flags", body);
      // The next flag starts from the defaults, not from this one's kind and expiry.
      form.reset();
      const onPlace = form.subject.querySelector('option[value="place"]');
      if (onPlace.disabled) form.subject.value = "person";
      message(section, t.flag_set);
      reload(section);
    } catch (err) {
      message(section, err.message);
    }
  }

  async function prepare(section) {
    if (section._ready) return;
    section._ready = true;
    const form = section.querySelector(".pk-form");
    if (!form) return;
    if (!kinds) kinds = cad110.call("GET", "/api/v1/flags/kinds").then((d) => d.items);
    const items = await kinds.catch(() => []);
    // An option cannot hold a drawn sign: the kinds are grouped under their severity in words.
    const t = texts(section);
    form.kind.replaceChildren(
      ...SEVERITIES.map((severity) => {
        const group = el("optgroup");
        group.label = (t.severity || {})[severity] || "";
        items
          .filter((k) => k.severity === severity)
          .forEach((k) => {
            const option = el("option", "", zh ? k.zh : k.en);
            option.value = k.code;
            group.append(option);
          });
        return group;
      }).filter((group) => group.children.length)
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      setFlag(section, form);
    });
  }

  function picked(detail) {
    lastPick = detail;
    document.querySelectorAll('.place-known[data-source="pick"]').forEach((section) => {
      section.dataset.label = detail.full_text || "";
      prepare(section);
      load(section, pickQuery(detail));
    });
  }

  function openIncidents(root) {
    (root || document).querySelectorAll(".place-known[data-incident]").forEach((section) => {
      if (section._query) return;
      prepare(section);
      load(section, { incident: section.dataset.incident });
    });
  }

  document.addEventListener("cad110:place", (event) => {
    // A place addressed to one box (the board's 更正地点 dialog) is that dialog's business.
    if (event.detail && !event.detail.box) picked(event.detail);
  });
  // The desk's form cleared (saved, or a new call popped into it): what was known at the last
  // call's place goes with it, and a caller typed next is not looked up at that place.
  document.addEventListener("reset", (event) => {
    if (!event.target || event.target.id !== "intake") return;
    lastPick = null;
    document.querySelectorAll('.place-known[data-source="pick"]').forEach((section) => {
      section._query = null;
      section.hidden = true;
    });
  });
  // A caller typed (or changed) after the place was picked: their flags are looked up too.
  document.addEventListener("change", (event) => {
    const name = event.target && event.target.name;
    if (lastPick && (name === "caller_phone" || name === "caller_name")) picked(lastPick);
  });
  // The board's incident panel was swapped in (board.js announces it).
  document.addEventListener("board:panel", () => openIncidents(document.getElementById("panel")));
  document.addEventListener("DOMContentLoaded", () => openIncidents(document));
  if (document.readyState !== "loading") openIncidents(document);
})();
