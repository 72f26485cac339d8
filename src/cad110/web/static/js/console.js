// Shared console helpers: JSON calls with the session's CSRF token, and deadline countdowns.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});

  cad110.csrf = function () {
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRF-Token"] : "";
  };

  cad110.call = async function (method, url, body) {
    const response = await fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": cad110.csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = Array.isArray(data.detail)
        ? data.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("; ")
        : data.detail || response.statusText;
      throw new Error(detail);
    }
    return data;
  };

  // A tile layer only where the centre runs its own tile server (maps work without one).
  cad110.tiles = function (map) {
    const url = document.body.dataset.tileUrl;
    if (url) L.tileLayer(url, { maxZoom: 19 }).addTo(map);
  };

  // Remaining time to each deadline, turning amber in the last minute and red when passed.
  function tick() {
    const now = Date.now();
    document.querySelectorAll("time[data-due]").forEach((el) => {
      const left = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      const abs = Math.abs(left);
      const text = Math.floor(abs / 60) + ":" + String(abs % 60).padStart(2, "0");
      el.textContent = left >= 0 ? text : "-" + text;
      el.classList.toggle("near", left >= 0 && left < 60);
      el.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  // Live: every change in the caller's jurisdiction triggers the page's own refresh hook.
  cad110.live = function (onChange) {
    if (!window.EventSource) return;
    let timer = null;
    const source = new EventSource("/api/v1/live");
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 150);
    };
    source.addEventListener("change", fire);
    source.addEventListener("resync", fire);
  };
})();
