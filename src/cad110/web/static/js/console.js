// Shared console helpers: JSON calls with the session's CSRF token, and deadline countdowns.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});

  // A translated pattern's "%(name)s" places filled (the gettext form the templates hand
  // to the scripts in data attributes and word blocks).
  cad110.fill = (pattern, values) => String(pattern).replace(/%\((\w+)\)s/g, (_, k) => values[k]);

  cad110.csrf = function () {
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRF-Token"] : "";
  };

  // Unsafe calls carry an Idempotency-Key: one per logical action, the same on every retry
  // of it, so that an action whose answer was lost (a timeout, a dropped connection, a busy
  // database) is done once however often it is sent. crypto.randomUUID needs a secure origin;
  // a centre's network may serve the console over plain HTTP, where getRandomValues still works.
  cad110.newKey = function () {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  };

  const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];
  const RETRIES = 2;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // options.idempotencyKey: reuse the key of an action the caller itself tries again;
  // options.fields: the form's name for an API field it calls otherwise ({note: "narrative"}).
  cad110.call = async function (method, url, body, options) {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": cad110.csrf() };
    if (!SAFE_METHODS.includes(method.toUpperCase())) {
      headers["Idempotency-Key"] = (options && options.idempotencyKey) || cad110.newKey();
    }
    const init = {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    };
    let response;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetch(url, init);
        if (response.status !== 503 || attempt >= RETRIES) break;
      } catch (err) {
        // No answer: the action may or may not have been done; the same key makes asking again safe.
        if (attempt >= RETRIES) throw err;
      }
      await pause(500 * (attempt + 1));
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) {
      const error = new Error(cad110.sessionEnded());
      error.status = 401;
      throw error;
    }
    if (!response.ok) {
      // Said in the user's language, by field (static/js/errors.js, loaded on every page).
      const described = cad110.describeError(response.status, data, options && options.fields);
      const error = new Error(described.message);
      error.status = response.status;
      error.fields = described.fields;
      error.body = data;
      throw error;
    }
    return data;
  };

  // A tile layer only where the centre runs its own tile server (maps work without one).
  cad110.tiles = function (map) {
    const url = document.body.dataset.tileUrl;
    if (url) L.tileLayer(url, { maxZoom: 19 }).addTo(map);
  };

  // A moment as every screen shows it (web/render.py `when`): centre time, month and day in
  // ISO order, "12-01 01:27" in both languages, never day/month; options.seconds adds seconds.
  const CENTRE_TIME = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Shanghai",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  cad110.when = function (iso, options) {
    if (!iso) return "";
    const date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    const p = {};
    CENTRE_TIME.formatToParts(date).forEach((part) => (p[part.type] = part.value));
    const text = p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
    return options && options.seconds ? text + ":" + p.second : text;
  };

  // Remaining time to each deadline, turning amber in the last minute and red when passed:
  // "1小时39分" / "4分12秒" / "超时 2分05秒" with the page's own words (a #deadline-format block),
  // else m:ss.
  let format;
  function remaining(seconds) {
    if (format === undefined) {
      const block = document.getElementById("deadline-format");
      format = block ? JSON.parse(block.textContent) : null;
    }
    const abs = Math.abs(seconds);
    const sign = seconds < 0 ? "-" : "";
    const h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), s = abs % 60;
    if (!format) return sign + Math.floor(abs / 60) + ":" + String(s).padStart(2, "0");
    const fill = cad110.fill;
    // A page whose block has words for a passed deadline says it so: the board in whole
    // units ("超时 3分"), supervision with the full time ("超时 2分55秒"); else "-".
    if (seconds < 0 && format.overdue_minutes) {
      if (h > 0) return fill(format.overdue_hours, { h: h, m: m });
      return m > 0 ? fill(format.overdue_minutes, { m: m }) : fill(format.overdue_seconds, { s: s });
    }
    const text = h > 0 ? fill(format.hours, { h: h, m: m }) : fill(format.minutes, { m: m, s: m > 0 ? String(s).padStart(2, "0") : s });
    if (seconds < 0 && format.overdue) return fill(format.overdue, { t: text });
    return sign + text;
  }
  cad110.remaining = remaining;

  // How long an incident has waited since it was received (the board's queue): "1小时05分",
  // "12分", "40秒". The server says the age when it renders the row (data-age, by its own
  // clock); the page counts on from the moment it first saw the row.
  function age(el, now) {
    if (el._seenAt === undefined) el._seenAt = now;
    const seconds = Math.max(0, Number(el.dataset.age) + Math.floor((now - el._seenAt) / 1000));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
    if (format === undefined) remaining(0); // reads the page's words once
    if (!format || !format.age_minutes) return h + ":" + String(m).padStart(2, "0");
    const fill = cad110.fill;
    if (h > 0) return fill(format.hours, { h: h, m: m });
    return m > 0 ? fill(format.age_minutes, { m: m }) : fill(format.age_seconds, { s: seconds });
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("time[data-age]").forEach((el) => {
      el.textContent = age(el, now);
    });
    document.querySelectorAll("time[data-due]").forEach((el) => {
      const left = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      el.textContent = remaining(left);
      el.classList.toggle("near", left >= 0 && left < 60);
      el.classList.toggle("overdue", left < 0);
    });
  }
  cad110.tick = tick;
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  // The session ended (logged out elsewhere, revoked, disabled, expired): said once, in the
  // user's language, at the top of the page, which stays as it is so that nothing typed on it
  // vanishes before the user has seen it.
  cad110.sessionEnded = function () {
    const text = document.body.dataset.sessionEnded || "";
    if (!document.getElementById("session-ended")) {
      const banner = document.createElement("p");
      banner.id = "session-ended";
      banner.className = "session-ended";
      banner.setAttribute("role", "alert");
      const link = document.createElement("a");
      link.href = "/login?next=" + encodeURIComponent(window.location.pathname);
      link.textContent = text;
      banner.appendChild(link);
      document.body.prepend(banner);
    }
    return text;
  };

  // A page's live refresh: GET `url` (the page's changing parts as HTML), parsed as an inert
  // document (nothing in it runs, and it becomes nodes, not a string) and handed to `merge`;
  // `wrap` ([before, after]) puts bare table rows inside a table so they parse as rows. One at
  // a time: a change during one asks once more when it is done.
  cad110.refresher = function (url, merge, wrap) {
    const [before, after] = wrap || ["", ""];
    let asking = false;
    let again = false;
    async function refresh() {
      if (asking) {
        again = true;
        return;
      }
      asking = true;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.status === 401) return void cad110.sessionEnded();
        if (!response.ok) return;
        merge(new DOMParser().parseFromString(before + (await response.text()) + after, "text/html"));
      } catch (_) {
        // The server is away: the next change or the page's timer tries again.
      } finally {
        asking = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    }
    return refresh;
  };

  // Live: every change in the caller's jurisdiction triggers the page's own refresh hook.
  // A page where the user types (`keepOnEnd`) stays when the session ends, with the banner;
  // others go straight to the login page.
  cad110.live = function (onChange, keepOnEnd) {
    if (!window.EventSource) return;
    let timer = null;
    const source = new EventSource("/api/v1/live");
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 150);
    };
    source.addEventListener("change", fire);
    source.addEventListener("resync", fire);
    // Each change as it comes, for a part of the page that follows one kind of thing (the
    // desk's phone pop follows "phone_call"); "resync" and "ready": something may be missed.
    const tell = (detail) => document.dispatchEvent(new CustomEvent("cad110:live", { detail: detail }));
    source.addEventListener("change", (e) => {
      try {
        tell(JSON.parse(e.data));
      } catch (_) {
        tell({ kind: "resync" });
      }
    });
    source.addEventListener("resync", () => tell({ kind: "resync" }));
    source.addEventListener("ready", () => tell({ kind: "resync" }));
    // The session was ended (logout elsewhere, revoked, disabled, expired): stop listening and
    // go to the login page rather than reconnect into 401s.
    source.addEventListener("end", () => {
      source.close();
      if (keepOnEnd) cad110.sessionEnded();
      else window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    });
  };
})();
