// 统计: asks the statistics API for the page's filters (web/stats.py put the URLs in
// #stats-config) and draws the figure cards, the chosen figure's series, its breakdown by the
// chosen group (a bar chart and a table) and its hourly profile. Every text reaches the page by
// textContent; charts draw on a canvas and their tooltips are canvas text (renderMode
// "richText"), so no value from the record ever becomes markup.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const W = cad110.statsWords;
  const T = W.T;
  const config = JSON.parse(document.getElementById("stats-config").textContent);
  const form = document.getElementById("stats-form");
  const preset = document.getElementById("stats-preset");
  const defs = {};
  const charts = {};
  let summary = null;
  let hourly = null;
  let current = config.figure;

  const $ = (id) => document.getElementById(id);
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const nameOf = (def) => (T.zh ? def.zh : def.en);
  // The formula as the reader's reports state it: 统计口径 in Chinese, the English one otherwise.
  const formulaOf = (def) => (T.zh ? def.formula_zh : def.formula);
  const figureIn = (figures, key) => (figures || []).find((f) => f.key === key) || null;
  const dayBefore = (iso) => new Date(Date.parse(iso + "T00:00:00Z") - 86400000).toISOString().slice(0, 10);

  // --- The form: presets submit at once; the days are asked for only for 自定义 ------------
  function showCustomDays() {
    const custom = preset.value === "custom";
    form.querySelectorAll(".custom-day").forEach((label) => {
      label.hidden = !custom;
      label.querySelector("input").disabled = !custom;
    });
  }
  preset.addEventListener("change", () => {
    showCustomDays();
    if (preset.value !== "custom") form.requestSubmit();
  });
  form.elements.group_by.addEventListener("change", () => form.requestSubmit());
  showCustomDays();

  // --- A refusal: beside its field, and said once above the cards -----------------------
  function refused(err) {
    $("stats-loading").hidden = true;
    const fields = Object.assign({}, err.fields || {});
    if (err.status === 404) fields.jurisdiction = err.message;
    cad110.showFieldErrors(form, fields);
    const box = $("stats-error");
    // "无法统计：截止日期…" but "could not be shown: the last day…": no space after a full-width colon.
    const gap = /[\u3000-\u303f\uff00-\uffef]$/.test(T.refused) ? "" : " ";
    box.textContent = err.status && err.status < 500 ? T.refused + gap + err.message : T.failed;
    box.hidden = false;
    // Nothing was counted: no empty cards or chart boxes under the refusal, and no export of
    // the same period (it would be refused as well, off the page).
    ["stats-cards", "stats-charts", "groups-table"].forEach((id) => ($(id).hidden = true));
    form.querySelectorAll("a.export").forEach((a) => (a.hidden = true));
  }

  // --- Cards --------------------------------------------------------------------------------
  function card(key, out) {
    const def = defs[key];
    const article = el("article", "figure-card");
    article.dataset.key = key;
    const chartable = out && out.value !== null;
    // A chartable card's name is its button (keyboard and screen readers); a click anywhere
    // on the card does the same.
    const heading = el("h3", "name");
    heading.appendChild(chartable ? el("button", "figure-name", nameOf(def)) : el("span", "", nameOf(def)));
    article.appendChild(heading);
    const shown = out ? W.valueText(def, out.value) : null;
    const value = el("p", "value", shown ? shown.text : "—");
    value.dataset.figure = key;
    article.appendChild(value);
    if (shown) {
      if (shown.detail) article.appendChild(el("p", "detail muted", shown.detail));
      const before = W.valueText(def, out.previous);
      article.appendChild(el("p", "before muted", W.fill(T.before, { value: before ? before.text : "—" })));
      article.appendChild(el("p", "change", W.change(def, out.change)));
    } else {
      article.appendChild(el("p", "why muted", W.why(def, out && out.value)));
    }
    const details = el("details", "formula");
    details.appendChild(el("summary", "", T.formula));
    details.appendChild(el("p", "", formulaOf(def)));
    const stages = T.zh ? def.stages_zh : def.stages;
    const standard = T.zh ? def.standard_zh : def.standard;
    const colon = T.zh ? "：" : ": ";
    if (stages) details.appendChild(el("p", "muted", T.stages + colon + stages));
    if (standard) details.appendChild(el("p", "muted", T.standard + colon + standard));
    details.addEventListener("click", (event) => event.stopPropagation());
    article.appendChild(details);
    article.title = formulaOf(def);
    if (chartable) {
      article.classList.add("chartable");
      heading.firstChild.title = T.chart_this;
      article.addEventListener("click", () => choose(key));
    }
    return article;
  }

  function renderCards() {
    const box = $("stats-cards");
    box.replaceChildren();
    config.sections.forEach(([name, keys]) => {
      const known = keys.filter((key) => defs[key]);
      if (!known.length) return;
      const section = el("section", "figure-section");
      section.dataset.section = name;
      section.appendChild(el("h2", "", T.sections[name] || name));
      const row = el("div", "cards");
      known.forEach((key) => row.appendChild(card(key, figureIn(summary.figures, key))));
      section.appendChild(row);
      // The anti-fraud warnings also in one sentence, in Chinese as the 通报 writes it.
      if (name === "fraud" && summary.fraud_notice) {
        const notice = el("p", "fraud-notice", summary.fraud_notice);
        notice.id = "fraud-notice";
        notice.lang = "zh-CN";
        notice.title = T.fraud_notice;
        section.appendChild(notice);
      }
      box.appendChild(section);
    });
  }

  function choose(key) {
    current = key;
    form.elements.figure.value = key;
    const url = new URL(window.location.href);
    url.searchParams.set("figure", key);
    history.replaceState(null, "", url);
    chartAll();
  }

  // --- Charts ---------------------------------------------------------------------------------
  function intervalFor(days, def) {
    if (days <= 2 && def.kind !== "average") return "hour";
    if (days <= 62) return "day";
    return days <= 180 ? "week" : "month";
  }

  function axisText(def) {
    if (def.kind === "duration") return (n) => W.seconds(n);
    if (def.kind === "rate") return (n) => n + "%";
    if (def.money) return (n) => W.money(n, true);
    return (n) => String(n);
  }

  // What a tooltip says of a value: as its axis, but an amount to the fen ("¥2,500.50").
  function tipText(def) {
    if (def.kind === "count" && def.money) return (n) => W.money(n);
    return axisText(def);
  }

  // A category's name on an axis is cut to this width with "…" (the tooltip says it whole).
  // Slanted time labels ("week of 11-23") are short; names lie flat beside their bars and get
  // about a third of the chart.
  const SLANT = 35;
  const SLANTED_WIDTH = 100;
  const nameWidth = (node) => Math.round(Math.min(220, Math.max(90, node.clientWidth * 0.34)));
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = "12px sans-serif"; // ECharts' own label font

  // How far left of its tick a label slanted by SLANT reaches: `containLabel` makes room for
  // the labels' height only, so the first one ran off the chart's left edge.
  function slantedReach(label) {
    const width = Math.min(measure.measureText(String(label)).width, SLANTED_WIDTH);
    const a = (SLANT * Math.PI) / 180;
    return Math.ceil(width * Math.cos(a) + 14 * Math.sin(a));
  }

  // Names are drawn across: each group a horizontal bar with its name, cut to `nameWidth`,
  // beside it, the first group on top; more groups than fit get a taller chart.
  function draw(id, labels, series, def, options) {
    const node = $(id);
    const how = options || {};
    const across = Boolean(how.across);
    const text = axisText(def);
    const tip = tipText(def);
    // A name's bar needs about 20 px: the stylesheet's height, or more for many groups.
    node.style.height = "";
    const tall = labels.length * 20 + 50;
    if (across && tall > node.clientHeight) node.style.height = tall + "px";
    const chart = charts[id] || (charts[id] = made(node));
    chart.resize();
    const values = {
      type: "value",
      minInterval: def.kind === "count" && !def.money ? 1 : 0,
      axisLabel: { formatter: text, hideOverlap: true },
    };
    let categories;
    let left = 8;
    if (across) {
      categories = {
        type: "category",
        data: labels,
        inverse: true,
        axisLabel: { interval: 0, hideOverlap: true, width: nameWidth(node), overflow: "truncate", ellipsis: "…" },
      };
    } else if (how.many && labels.length > 6) {
      categories = {
        type: "category",
        data: labels,
        axisLabel: {
          interval: 0,
          rotate: SLANT,
          hideOverlap: true,
          width: SLANTED_WIDTH,
          overflow: "truncate",
          ellipsis: "…",
        },
      };
      // The y axis' own labels and their gap (at least 15 px) already lie left of the grid.
      left = Math.max(8, slantedReach(labels[0]) - 15);
    } else {
      categories = { type: "category", data: labels, axisLabel: { hideOverlap: true } };
    }
    chart.setOption(
      {
        animation: false,
        color: ["#0b5cad", "#e08e0b", "#2e7d32"],
        textStyle: { color: "#1c2733" },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: across ? "shadow" : "line" },
          renderMode: "richText",
          confine: true,
          valueFormatter: (n) => (n === null || n === undefined ? "—" : tip(n)),
        },
        legend: series.length > 1 ? { top: 0, data: series.map((s) => s.name) } : { show: false },
        grid: { left: left, right: across ? 32 : 16, top: series.length > 1 ? 30 : 14, bottom: 6, containLabel: true },
        xAxis: across ? values : categories,
        yAxis: across ? categories : values,
        series: series.map((s) => ({ name: s.name, type: s.type, data: s.data, barMaxWidth: 36 })),
      },
      true
    );
    node.dataset.layout = across ? "across" : "up";
  }

  async function drawSeries(def) {
    const interval = intervalFor(summary.days, def);
    $("series-title").textContent = W.fill(T.series_title, { figure: nameOf(def), interval: T.intervals[interval] });
    const note = $("series-note");
    note.hidden = true;
    // Which figure the series shows once it is drawn (a click asks the API again).
    delete $("chart-series").dataset.shows;
    let answer;
    try {
      const url = config.series + "&figure=" + encodeURIComponent(def.key) + "&interval=" + interval;
      answer = await cad110.call("GET", url);
    } catch (err) {
      note.textContent = err.status === 422 ? T.no_series : err.message;
      note.hidden = false;
      if (charts["chart-series"]) charts["chart-series"].clear();
      return;
    }
    const labels = answer.points.map((p) => W.bucketLabel(interval, p.start));
    const series = [{ name: nameOf(def), type: "line", data: answer.points.map((p) => W.plotted(def, p.value)) }];
    if (def.kind === "duration") {
      series[0].name = "P50";
      series.push({ name: "P90", type: "line", data: answer.points.map((p) => p.value.p90_s) });
    }
    draw("chart-series", labels, series, def);
    $("chart-series").dataset.shows = def.key;
  }

  const TIME_GROUPS = ["day", "week", "month", "hour"];

  function drawGroups(def) {
    const groupWords = T.groups[summary.group_by] || summary.group_by;
    $("groups-title").textContent = W.fill(T.groups_title, { figure: nameOf(def), group: groupWords });
    // A figure of another record than the grouping's (a fraud warning has no incident
    // category) has no value in any group (the API's null, where a figure it counts has one
    // even when it is nothing): said so, not drawn as an empty chart.
    const counted = summary.groups.some((g) => (figureIn(g.figures, def.key) || {}).value);
    const note = $("groups-note");
    note.hidden = counted || summary.groups.length === 0;
    note.textContent = note.hidden ? "" : W.fill(T.not_grouped, { figure: nameOf(def), group: groupWords });
    $("chart-groups").hidden = !note.hidden;
    if (!note.hidden) return;
    const labels = summary.groups.map((g) => W.groupLabel(summary.group_by, g, config));
    const data = summary.groups.map((g) => W.plotted(def, (figureIn(g.figures, def.key) || {}).value));
    // Places, categories, grades, case types… are names, often long: drawn across. Days,
    // weeks, months and hours stay a row of columns in time order.
    const across = !TIME_GROUPS.includes(summary.group_by);
    const series = [{ name: nameOf(def), type: "bar", data: data }];
    draw("chart-groups", labels, series, def, { across: across, many: true });
  }

  function drawHours(def) {
    $("hours-title").textContent = W.fill(T.hours_title, { figure: nameOf(def) });
    const byHour = {};
    hourly.groups.forEach((g) => (byHour[g.key] = W.plotted(def, (figureIn(g.figures, def.key) || {}).value)));
    const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
    // An hour without any record counted nothing; a rate or a time there has no value.
    const empty = def.kind === "count" ? 0 : null;
    const data = hours.map((h) => (h in byHour ? byHour[h] : empty));
    draw("chart-hours", hours, [{ name: nameOf(def), type: "bar", data: data }], def);
  }

  function drawTable(def) {
    const table = $("groups-table");
    const keys = [def.key, "calls_total", "valid_incidents", "arrival_time", "overdue_rate"].filter(
      (key, i, all) => defs[key] && all.indexOf(key) === i
    );
    const head = table.tHead.rows[0];
    head.replaceChildren(el("th", "", T.group));
    keys.forEach((key) => head.appendChild(el("th", key === def.key ? "chosen" : "", nameOf(defs[key]))));
    const body = table.tBodies[0];
    body.replaceChildren();
    const rows = [[T.total, summary.figures]].concat(
      summary.groups.map((g) => [W.groupLabel(summary.group_by, g, config), g.figures])
    );
    rows.forEach(([label, figures], i) => {
      const tr = el("tr", i === 0 ? "total" : "");
      tr.appendChild(el("th", "", label));
      keys.forEach((key) => {
        const out = figureIn(figures, key);
        const shown = out ? W.valueText(defs[key], out.value) : null;
        tr.appendChild(el("td", "", shown ? shown.text : "—"));
      });
      body.appendChild(tr);
    });
    table.hidden = false;
  }

  function chartAll() {
    const def = defs[current];
    document.querySelectorAll(".figure-card").forEach((c) => {
      c.classList.toggle("chosen", c.dataset.key === current);
      const button = c.querySelector("button.figure-name");
      if (button) button.setAttribute("aria-pressed", String(c.dataset.key === current));
    });
    $("stats-charts").hidden = false;
    drawGroups(def);
    drawHours(def);
    drawTable(def);
    return drawSeries(def);
  }

  // A chart follows its box, not the window: the box also narrows when a scrollbar appears
  // because the page grew, and no resize event says so.
  function made(node) {
    const chart = echarts.init(node, null, { renderer: "canvas" });
    new ResizeObserver(() => {
      chart.resize();
      // Names drawn across keep about a third of the chart, whatever its new width.
      if (node.dataset.layout === "across") chart.setOption({ yAxis: { axisLabel: { width: nameWidth(node) } } });
    }).observe(node);
    return chart;
  }

  // --- Loading --------------------------------------------------------------------------------
  function showPeriod() {
    $("stats-period").textContent = W.fill(T.period, {
      since: summary.since,
      until: dayBefore(summary.until),
      days: summary.days,
      psince: summary.previous_since,
      puntil: dayBefore(summary.previous_until),
    });
  }

  async function load() {
    try {
      const [figures, answer] = await Promise.all([
        cad110.call("GET", config.figures),
        cad110.call("GET", config.summary),
      ]);
      figures.figures.forEach((d) => (defs[d.key] = d));
      summary = answer;
      hourly = config.group_by === "hour" ? answer : await cad110.call("GET", config.hourly);
    } catch (err) {
      refused(err);
      return;
    }
    $("stats-loading").hidden = true;
    showPeriod();
    renderCards();
    const chosen = figureIn(summary.figures, current);
    if (!defs[current] || !chosen || chosen.value === null) current = "calls_total";
    // Grouped by a repeat case's type or tier, only the cases' figures have groups to draw.
    const byCase = config.group_by === "case_type" || config.group_by === "case_tier";
    if (byCase && defs[current].source !== "repeat_cases") current = "repeat_cases_opened";
    const byFraud = ["fraud_level", "fraud_type", "officer"].includes(config.group_by);
    if (byFraud && defs[current].source !== "fraud_warnings") current = "fraud_warnings";
    await chartAll();
    document.body.dataset.statsReady = "true";
  }
  load();
})();
