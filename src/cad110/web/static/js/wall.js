// 大屏: draws every panel of the wall from GET /api/v1/stats/wall and redraws it after each live
// change, at most once per THROTTLE_MS, so that a new incident shows within a second. A wall
// runs all day: each chart is made once and only given new options (no growth), the stream
// reconnects after a drop, and a minute's timer catches what changes with time alone.
(function () {
  "use strict";
  const THROTTLE_MS = 500;
  const RECONNECT_MS = 3000;
  const WORDS = JSON.parse(document.getElementById("wall-words").textContent);
  const MAP = "cad110-wall";
  // A leader's wall of one district (?jurisdiction=35010201); the API checks it is theirs.
  const PLACE = new URLSearchParams(window.location.search).get("jurisdiction");
  const SOURCE = "/api/v1/stats/wall" + (PLACE ? "?jurisdiction=" + encodeURIComponent(PLACE) : "");
  const HERE = encodeURIComponent(window.location.pathname + window.location.search);
  const COLORS = { bg: "#050b18", text: "#dfe9ff", muted: "#8ea6cf", edge: "#1d3a6b", accent: "#36c2ff", alert: "#ff5d5d" };
  const GRADE_COLORS = { 1: "#ff5d5d", 2: "#ff9f43", 3: "#f7d154", 4: "#8ea6cf" };
  const charts = {};
  let last = null;
  let mapCodes = "";
  let mapReady = false;
  // Where each district's label goes: the centroid of its largest polygon, as ECharts puts it.
  let mapCenters = {};
  // The server's clock less this screen's: the clock and the countdowns keep the centre's
  // time even where the wall's own computer runs fast or slow.
  let skew = 0;
  const { fill, plain, centroid, fit } = window.cad110Wall;

  const word = (code) => WORDS.codes[code] || code;
  const named = (zh, en) => (WORDS.english ? en || zh : zh || en) || "";
  // A bureau by its place alone on the map, where full names overlap at 1920×1080: 鼓楼分局 →
  // 鼓楼, 闽侯县公安局 → 闽侯, "Minhou County Public Security Bureau" → Minhou. Tooltips keep
  // the full name.
  const shortName = (zh, en) =>
    named(
      (zh || "").replace(/(分局|公安局)$/, "").replace(/^(.{2,})[县市区]$/, "$1"),
      (en || "").replace(/\s+((District|County|City)\s+)?(Public Security (Sub-)?Bureau|PSB|Sub-bureau)$/i, ""),
    ) || named(zh, en);

  // Chart text grows with the screen: by its height on a wall, by its width on a phone.
  const fontSize = () => Math.max(12, Math.round(Math.min(window.innerHeight / 60, window.innerWidth / 32)));
  const seconds = (s) => (s == null ? WORDS.no_data : fill(WORDS.seconds, { s: s }));

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
    return charts[id];
  }

  function tooltip() {
    return { renderMode: "richText", backgroundColor: "#0b1730", borderColor: COLORS.edge, textStyle: { color: COLORS.text, fontSize: fontSize() } };
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach((el) => (el.textContent = text));
  }

  function counters(data) {
    Object.entries(data.counters).forEach(([key, value]) => setText(`[data-counter="${key}"]`, String(value)));
  }

  function gauges(data) {
    const f = fontSize();
    data.gauges.forEach((g) => {
      const limits = g.limits.map((l) => l.seconds);
      const top = Math.max(...limits, 1) * 1.5;
      const stops = limits.map((s, n) => [s / top, ["#2ecc71", "#f7d154", "#ff9f43"][n] || "#ff9f43"]);
      stops.push([1, COLORS.alert]);
      const p50 = g.time.p50_s;
      const limitsText = fill(WORDS.limits, { list: limits.join("/") });
      const within = g.within.percent == null ? "" : fill(WORDS.within, { percent: g.within.percent });
      // The dial; its name, median, share within the limit and the limits beside it.
      const box = document.getElementById(`gauge-box-${g.key}`);
      const say = (part, text) => (box.querySelector(`[data-gauge="${part}"]`).textContent = text);
      say("name", WORDS.figures[g.key]);
      say("p50", seconds(p50));
      say("within", within);
      say("limits", limitsText);
      chart(`gauge-${g.key}`).setOption({
        series: [
          {
            type: "gauge",
            min: 0,
            max: top,
            radius: "92%",
            center: ["50%", "55%"],
            axisLine: { lineStyle: { width: f * 0.6, color: stops } },
            axisTick: { show: false },
            splitLine: { show: false },
            axisLabel: { show: false },
            pointer: { width: f * 0.3, length: "70%", itemStyle: { color: COLORS.accent } },
            anchor: { show: true, size: f * 0.6, itemStyle: { color: COLORS.accent } },
            title: { show: false },
            detail: { show: false },
            data: [{ value: p50 == null ? 0 : Math.min(p50, top) }],
          },
        ],
      });
    });
  }

  async function registerMap(data) {
    const codes = data.districts.map((d) => d.code).join(",");
    if (codes === mapCodes) return mapReady;
    mapCodes = codes;
    const response = await fetch("/api/v1/jurisdictions?geometry=true", { credentials: "same-origin" });
    if (!response.ok) return (mapReady = false);
    const wanted = new Set(data.districts.map((d) => d.code));
    const body = await response.json();
    const features = body.items
      .filter((j) => wanted.has(j.code) && j.boundary)
      .map((j) => ({ type: "Feature", properties: { name: j.code }, geometry: j.boundary }));
    mapCenters = {};
    features.forEach((f) => (mapCenters[f.properties.name] = centroid(f.geometry)));
    if (features.length) echarts.registerMap(MAP, { type: "FeatureCollection", features: features });
    return (mapReady = features.length > 0);
  }

  async function map(data) {
    if (!(await registerMap(data))) return;
    const f = fontSize();
    const names = {};
    const loads = {};
    const labels = [];
    data.districts.forEach((d) => {
      names[d.code] = named(d.name_zh, d.name_en);
      if (mapCenters[d.code]) labels.push({ name: d.code, value: mapCenters[d.code], short: shortName(d.name_zh, d.name_en) });
      loads[d.code] = d.incidents;
    });
    const most = Math.max(1, ...data.districts.map((d) => d.incidents));
    chart("chart-map").setOption({
      tooltip: Object.assign(tooltip(), {
        formatter: (p) => {
          if (p.seriesType === "scatter") {
            const d = p.data;
            return plain([d.name, d.category, d.grade ? "G" + d.grade : "", word(d.status)].filter(Boolean).join(" · "));
          }
          return plain(`${names[p.name] || p.name}: ${loads[p.name] || 0} ${WORDS.incidents}`);
        },
      }),
      geo: {
        map: MAP,
        roam: false,
        layoutCenter: ["50%", "50%"],
        layoutSize: "96%",
        // The names are a series of their own below: ECharts hides overlapping labels of series
        // (labelLayout), not of the geo component.
        label: { show: false },
        itemStyle: { areaColor: "#0f2a55", borderColor: COLORS.accent, borderWidth: 1 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#1f6fd1" } },
      },
      visualMap: {
        type: "continuous",
        seriesIndex: 0,
        min: 0,
        max: most,
        left: "2%",
        bottom: "3%",
        itemHeight: f * 6,
        itemWidth: f * 0.8,
        text: [String(most), "0"],
        textStyle: { color: COLORS.muted, fontSize: f * 0.8 },
        inRange: { color: ["#12305e", "#1f6fd1", "#ff9f43", "#ff5d5d"] },
      },
      series: [
        { type: "map", geoIndex: 0, data: data.districts.map((d) => ({ name: d.code, value: d.incidents })) },
        {
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: (v, p) => f * (p.data.grade === 1 ? 0.9 : 0.6),
          itemStyle: { color: (p) => GRADE_COLORS[p.data.grade] || COLORS.accent, borderColor: "#050b18", borderWidth: 1 },
          data: data.points.map((p) => ({
            name: p.number,
            value: [p.lon, p.lat],
            grade: p.grade,
            status: p.status,
            category: named(p.category_zh, p.category_en),
          })),
        },
        {
          type: "scatter",
          coordinateSystem: "geo",
          silent: true,
          z: 5, // the names above the incidents' points
          tooltip: { show: false },
          symbolSize: 0,
          // A dark halo round each name: read from across the room over the incidents' points.
          label: {
            show: true,
            position: "inside",
            color: COLORS.text,
            fontSize: f * 0.9,
            fontWeight: 600,
            textBorderColor: "#050b18",
            textBorderWidth: Math.max(2, f * 0.18),
            formatter: (p) => plain(p.data.short),
          },
          labelLayout: { hideOverlap: true },
          data: labels,
        },
      ],
    });
  }

  function axis(f) {
    return {
      axisLabel: { color: COLORS.muted, fontSize: f * 0.8 },
      axisLine: { lineStyle: { color: COLORS.edge } },
      splitLine: { lineStyle: { color: COLORS.edge, opacity: 0.5 } },
    };
  }

  function hours(data) {
    const f = fontSize();
    const today = WORDS.today;
    const average = fill(WORDS.average, { weeks: data.compare_weeks });
    chart("chart-hours").setOption({
      tooltip: Object.assign(tooltip(), { trigger: "axis" }),
      legend: { data: [today, average], textStyle: { color: COLORS.text, fontSize: f * 0.85 }, top: 0, itemWidth: f, itemHeight: f * 0.6 },
      grid: { left: f * 2.4, right: f, top: f * 2.2, bottom: f * 1.8 },
      xAxis: Object.assign(axis(f), { type: "category", data: data.hours.map((h) => String(h.hour)) }),
      yAxis: Object.assign(axis(f), { type: "value", minInterval: 1 }),
      series: [
        { name: today, type: "bar", itemStyle: { color: COLORS.accent }, data: data.hours.map((h) => h.today) },
        { name: average, type: "line", smooth: true, symbol: "none", lineStyle: { color: "#ff9f43", type: "dashed", width: f * 0.15 }, itemStyle: { color: "#ff9f43" }, data: data.hours.map((h) => h.average) },
      ],
    });
  }

  // Bars across, their names whole on the left ("Drunk or mentally ill person in public"): a
  // name is cut only past three fifths of the chart's width, which leaves the bars the rest. The
  // tooltip names it in full.
  function bars(id, labels, values, color) {
    const f = fontSize();
    const c = chart(id);
    const names = Object.assign(axis(f), { type: "category", data: labels.map(plain), inverse: true });
    names.axisLabel = Object.assign(names.axisLabel, {
      fontSize: f * 0.85,
      color: COLORS.text,
      interval: 0,
      width: c.getWidth() * 0.6,
      overflow: "truncate",
    });
    c.setOption({
      tooltip: Object.assign(tooltip(), { trigger: "axis" }),
      grid: { left: f * 0.5, right: f * 2.2, top: f * 0.5, bottom: f * 1.6, containLabel: true },
      xAxis: Object.assign(axis(f), { type: "value", minInterval: 1 }),
      yAxis: names,
      series: [counted(values, color, "right", f * 1.4)],
    });
  }

  // One bar per name, at most `thickness` thick, its count written at its end.
  function counted(values, color, position, thickness) {
    return {
      type: "bar",
      data: values,
      barMaxWidth: thickness,
      itemStyle: { color: color },
      label: { show: true, position: position, color: COLORS.text, fontSize: fontSize() * 0.85 },
    };
  }

  // Columns, their names below: the units' seven states in a panel too low for seven rows
  // of names (at 1366×768 they overlapped). A name wraps at its spaces; its longest word sets
  // the names' size, smaller where one would not fit its column ("Unavailable" at 1366).
  const measure = document.createElement("canvas").getContext("2d");
  function columns(id, labels, values, color) {
    const f = fontSize();
    const c = chart(id);
    const width = (c.getWidth() / Math.max(1, labels.length)) * 0.9;
    measure.font = f * 0.8 + "px sans-serif";
    const widest = Math.max(1, ...labels.flatMap((l) => String(l).split(/\s+/)).map((w) => measure.measureText(w).width));
    const names = Object.assign(axis(f), { type: "category", data: labels.map(plain) });
    names.axisLabel = Object.assign(names.axisLabel, {
      fontSize: Math.max(f * 0.6, Math.min(f * 0.8, (f * 0.8 * width) / widest)),
      color: COLORS.text,
      interval: 0,
      width: width,
      overflow: "break",
    });
    c.setOption({
      tooltip: Object.assign(tooltip(), { trigger: "axis" }),
      grid: { left: f * 0.5, right: f * 0.5, top: f * 1.4, bottom: f * 0.3, containLabel: true },
      xAxis: names,
      yAxis: Object.assign(axis(f), { type: "value", minInterval: 1, axisLabel: { show: false } }),
      series: [counted(values, color, "top", f * 1.6)],
    });
  }

  function supervisions(data) {
    const s = data.supervisions;
    setText("#sup-open", String(s.open));
    setText("#sup-escalated", fill(WORDS.escalated_of, { n: s.escalated }));
    const list = document.getElementById("sup-oldest");
    const items = s.oldest.map((row) => {
      const li = document.createElement("li");
      const cells = [row.incident, named(row.category_zh, row.category_en), WORDS.steps[row.step] || row.step, named(row.owner_zh, row.owner_en)];
      cells.forEach((text) => {
        const span = document.createElement("span");
        span.textContent = text;
        li.appendChild(span);
      });
      const due = document.createElement("time");
      if (row.done) due.textContent = WORDS.done_late;
      else due.dataset.due = new Date(Date.parse(row.due_at) - skew).toISOString();
      li.appendChild(due);
      return li;
    });
    if (!items.length) {
      const none = document.createElement("li");
      none.className = "none";
      none.textContent = WORDS.none_open;
      items.push(none);
    }
    list.replaceChildren(...items);
    if (window.cad110 && cad110.tick) cad110.tick();
    fit(list);
  }


  function missing(data) {
    const m = data.missing;
    setText("#missing-title", fill(WORDS.missing_title, { hours: m.hours }));
    setText("#missing-window-label", fill(WORDS.found_in_window, { hours: m.hours }));
    setText("#missing-open", String(m.open_in_window));
    setText("#missing-found", String(m.found_today));
    setText("#missing-window", String(m.found_in_window_today));
  }

  // 源头治理: today's repeats and their share, the cases still worked by tier (A/B, visited
  // with community cadres, stand out) and those threatening extreme acts, and 12345's tickets.
  function source(data) {
    const g = data.source;
    setText("#source-repeats", String(g.repeats.numerator == null ? 0 : g.repeats.numerator));
    setText("#source-share", g.repeats.percent == null ? "" : fill(WORDS.share_of_today, { percent: g.repeats.percent }));
    const tiers = g.tiers.map((t) => {
      const item = document.createElement("span");
      item.className = t.high ? "item high" : "item";
      item.dataset.tier = t.tier;
      const label = document.createElement("small");
      label.textContent = fill(WORDS.tier, { t: t.tier });
      const n = document.createElement("output");
      n.textContent = String(t.cases);
      item.append(label, n);
      return item;
    });
    document.getElementById("source-tiers").replaceChildren(...tiers);
    setText("#source-extreme", String(g.extreme));
    document.querySelector("#panel-source .extreme").classList.toggle("alert", g.extreme > 0);
    setText("#source-out", String(g.tickets_out));
    setText("#source-done", String(g.tickets_done));
    setText("#source-overdue", String(g.tickets_overdue));
  }

  // 反诈预警: counts and a sum only; the amount in 万元 in Chinese, in yuan in English.
  const YUAN = new Intl.NumberFormat("en-US", { style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol", maximumFractionDigits: 0 });
  function money(fen) {
    if (WORDS.english) return YUAN.format(Math.round(fen / 100));
    return fill(WORDS.wan_yuan, { n: String(Math.round(fen / 10000) / 100) });
  }

  function fraud(data) {
    const f = data.fraud;
    setText("#fraud-today", String(f.warnings));
    const levels = f.levels.map((l) => {
      const item = document.createElement("span");
      item.className = l.level === "urgent" ? "item urgent" : "item";
      item.dataset.level = l.level;
      const label = document.createElement("small");
      label.textContent = WORDS.fraud_levels[l.level] || l.level;
      const n = document.createElement("output");
      n.textContent = String(l.warnings);
      item.append(label, n);
      return item;
    });
    document.getElementById("fraud-levels").replaceChildren(...levels);
    setText("#fraud-urgent", String(f.urgent_open));
    document.querySelector("#fraud-urgent").closest(".item").classList.toggle("alert", f.urgent_open > 0);
    setText("#fraud-dissuaded", String(f.dissuaded));
    setText("#fraud-protected", money(f.protected_fen));
  }

  async function render(data) {
    last = data;
    setText("#wall-place", named(data.jurisdiction_zh, data.jurisdiction_en));
    setText("#wall-updated", cad110.when(data.at, { seconds: true }));
    counters(data);
    gauges(data);
    hours(data);
    bars("chart-categories", data.categories.map((c) => named(c.zh, c.en)), data.categories.map((c) => c.incidents), "#4f8dff");
    columns("chart-units", data.units.map((u) => word(u.status)), data.units.map((u) => u.units), "#2ecc71");
    supervisions(data);
    missing(data);
    source(data);
    fraud(data);
    setText("#map-left-off", data.points_left_off ? fill(WORDS.left_off, { n: data.points_left_off }) : "");
    await map(data);
    document.body.dataset.updated = data.at;
  }

  // At most one fetch in flight and one per THROTTLE_MS; a change during a fetch asks for one more.
  let inFlight = false;
  let pending = false;
  let lastStart = 0;
  let timer = null;
  function schedule() {
    pending = true;
    if (timer || inFlight) return;
    timer = setTimeout(refresh, Math.max(0, lastStart + THROTTLE_MS - Date.now()));
  }
  async function refresh() {
    timer = null;
    pending = false;
    inFlight = true;
    lastStart = Date.now();
    try {
      const response = await fetch(SOURCE, { credentials: "same-origin" });
      if (response.status === 401) return window.location.assign("/login?next=" + HERE);
      refused(response.ok ? null : await refusal(response));
      if (response.ok) {
        const data = await response.json();
        skew = Date.parse(data.at) - Date.now();
        clock(); // by the server's time at once, not after the next second's tick
        await render(data);
      }
    } catch (_) {
      // The server is away: the next change or the minute's timer tries again.
    } finally {
      inFlight = false;
      if (pending) schedule();
    }
  }

  // A refusal (a jurisdiction not the reader's, a code mistyped) in the reader's words, in
  // place of the figures; a server error says only that the figures could not be read.
  async function refusal(response) {
    const body = await response.json().catch(() => ({}));
    if (response.status >= 500 || !cad110.describeError) return WORDS.failed;
    return cad110.describeError(response.status, body).message;
  }
  function refused(text) {
    const box = document.getElementById("wall-refused");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function connect() {
    if (!window.EventSource) return;
    const source = new EventSource("/api/v1/live");
    const lost = document.getElementById("wall-lost");
    ["change", "resync", "ready"].forEach((name) => source.addEventListener(name, schedule));
    source.addEventListener("open", () => (lost.hidden = true));
    source.addEventListener("error", () => {
      lost.hidden = false;
      // The browser retries by itself unless the server refused the stream; then so do we.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
    });
    source.addEventListener("end", () => {
      source.close();
      window.location.assign("/login?next=" + HERE);
    });
  }

  // The centre's time as every screen writes it ("12-01 10:04:00"), by the server's clock.
  function clock() {
    setText("#wall-clock", cad110.when(new Date(Date.now() + skew).toISOString(), { seconds: true }));
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  }

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      Object.values(charts).forEach((c) => c.resize());
      if (last) render(last);
    }, 200);
  });
  document.getElementById("wall-fullscreen").addEventListener("click", toggleFullscreen);
  document.addEventListener("keydown", (e) => {
    if (e.key === "f" && !e.ctrlKey && !e.metaKey && !e.altKey) toggleFullscreen();
  });
  clock();
  setInterval(clock, 1000);
  setInterval(schedule, 60000);
  schedule();
  connect();
})();
