// How the statistics page says a figure: its value with its unit, the period before, the change
// ("缩短23秒", "上升1.2个百分点"; in English "23 s shorter", "up 1.2 points"), why a figure has no
// value, and the words of group keys. Pure text: the caller puts it in the page with textContent.
(function () {
  "use strict";
  const cad110 = (window.cad110 = window.cad110 || {});
  const block = document.getElementById("stats-texts");
  const T = block ? JSON.parse(block.textContent) : { moves: {}, seconds: {}, sections: {} };
  const fill = (template, values) =>
    String(template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  // 23 → "23秒"/"23 s", 83 → "1分23秒", 3720 → "1小时2分": as stats/measure.py spoken_seconds.
  function seconds(total) {
    const s = Math.abs(Math.round(total));
    const S = T.seconds;
    if (s < 60) return fill(S.s, { s: s });
    if (s < 3600) {
      const m = Math.floor(s / 60), rest = s % 60;
      return rest ? fill(S.min, { m: m, s: rest }) : fill(S.min_only, { m: m });
    }
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return m ? fill(S.h, { h: h, m: m }) : fill(S.h_only, { h: h });
  }

  // A number as a 通报 writes it: no trailing zeros (1.20 → 1.2), at most two decimals.
  const plain = (n) => String(Math.round(Number(n) * 100) / 100);

  function withUnit(def, n) {
    if (T.zh) return plain(n) + (def.unit_zh || "");
    return plain(n);
  }

  // {text, detail} of a value, or null where there is none (then `why` says why).
  // "¥30,000.00" in both languages: the way the cards, the incident record and the exports say
  // an amount (in English "CN¥" would be Intl's own, and no screen writes it).
  const YUAN = new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY" });
  const YUAN_ROUND = new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  const yuan = (fen) => YUAN.format(fen / 100);
  // An amount in yuan (a chart plots amounts in yuan); `round` drops the fen, for an axis.
  const money = (n, round) => (round ? YUAN_ROUND : YUAN).format(n);

  function valueText(def, v) {
    if (!v) return null;
    switch (def.kind) {
      case "count":
        // Amounts (money protected, lost, frozen) are counted in fen and shown in yuan.
        if (def.money) return { text: yuan(v.count), detail: "" };
        return { text: withUnit(def, v.count), detail: "" };
      case "rate":
        if (v.percent === null || v.percent === undefined) return null;
        // Amounts (losses recovered) in yuan, as the incident's record shows them, not in fen.
        if (def.money) return { text: plain(v.percent) + "%", detail: yuan(v.numerator) + " / " + yuan(v.denominator) };
        return { text: plain(v.percent) + "%", detail: v.numerator + " / " + v.denominator };
      case "average":
        if (v.average === null || v.average === undefined) return null;
        return {
          text: T.zh ? plain(v.average) + (def.unit_zh || "") : fill(T.a_day, { n: plain(v.average) }),
          detail: v.numerator + " / " + v.denominator,
        };
      case "hours":
        if (v.mean_hours === null || v.mean_hours === undefined) return null;
        return {
          text: hours(def, v.mean_hours),
          detail: fill(T.median, { value: hours(def, v.median_hours) }) + " · " + fill(T.measured, { n: v.measured }),
        };
      default:
        if (v.p50_s === null || v.p50_s === undefined) return null;
        return {
          text: seconds(v.p50_s),
          detail: fill(T.p90, { value: seconds(v.p90_s) }) + " · " + fill(T.measured, { n: v.measured }),
        };
    }
  }

  function hours(def, n) {
    return T.zh ? plain(n) + (def.unit_zh || "小时") : fill(T.hours, { n: plain(n) });
  }

  // Why a figure shows "—".
  function why(def, v) {
    if (def && !v && def.source === "repeat_cases") return T.why_case_not_applicable;
    if (def && !v && def.source === "fraud_warnings") return T.why_fraud_not_applicable;
    if (!def || !v) return T.why_not_applicable;
    if (def.kind === "rate" || def.kind === "average") return T.why_nothing_to_divide;
    return T.why_nothing_measured;
  }

  // The change from the period before: the API's own words in Chinese; in English from the
  // difference, in the same units (percentage points, seconds of the p50, hours of the mean).
  // An amount moves as money in both languages, as its card says it ("增加¥30,000.00",
  // "up ¥30,000.00"): the API's difference is in yuan, its words "增加30000元" a 通报's.
  function change(def, c) {
    if (!c) return T.no_change_base;
    const amount = def.kind === "count" && def.money;
    if (T.zh && !amount) return c.words;
    const d = Number(c.difference);
    const M = T.moves;
    if (d === 0) return M.same;
    const n = Math.abs(d);
    if (amount) return fill(d > 0 ? M.more : M.fewer, { n: money(n) });
    switch (def.kind) {
      case "rate":
        return fill(d > 0 ? M.points_up : M.points_down, { n: plain(n) });
      case "duration":
        return fill(d > 0 ? M.longer : M.shorter, { n: seconds(n) });
      case "hours":
        return fill(d > 0 ? M.longer : M.shorter, { n: fill(T.hours, { n: plain(n) }) });
      default:
        return fill(d > 0 ? M.more : M.fewer, { n: plain(n) });
    }
  }

  // The number a chart plots for a value (rates in %, durations in seconds of the p50, hours
  // of the mean, amounts in yuan, not the fen they are counted in); null where there is none.
  function plotted(def, v) {
    if (!v) return null;
    const count = def.money && v.count !== null && v.count !== undefined ? v.count / 100 : v.count;
    const pick = { count: count, rate: v.percent, average: v.average, hours: v.mean_hours };
    const n = def.kind in pick ? pick[def.kind] : v.p50_s;
    return n === null || n === undefined ? null : Number(n);
  }

  // A group's words: places, categories and grades in the reader's language (the API labels
  // them in Chinese), days and hours as every screen writes them.
  function groupLabel(groupBy, group, config) {
    const key = group.key;
    switch (groupBy) {
      case "jurisdiction":
        return config.places[key] || group.label;
      case "category":
        return key ? config.categories[key] || group.label : T.uncategorised;
      case "grade":
        return key ? config.grades[key] || group.label : T.ungraded;
      case "day_type":
        return T.day_types[key] || group.label;
      case "case_type":
        return config.case_types[key] || group.label;
      case "case_tier":
        return config.case_tiers[key] || group.label;
      case "fraud_level":
        return T.fraud_levels[key] || group.label;
      case "fraud_type":
        return config.fraud_types[key] || group.label;
      case "hour":
        return fill(T.hour_label, { hour: key });
      case "week":
        return fill(T.week_of, { day: key.slice(5) });
      case "month":
        return key.slice(0, 7);
      default:
        return key.slice(5);
    }
  }

  // A series bucket's start ("2026-11-24T09:00:00+08:00", centre time) as its axis label.
  function bucketLabel(interval, start) {
    const day = start.slice(5, 10);
    if (interval === "hour") return day + " " + start.slice(11, 16);
    if (interval === "week") return fill(T.week_of, { day: day });
    if (interval === "month") return start.slice(0, 7);
    return day;
  }

  cad110.statsWords = {
    T: T,
    fill: fill,
    seconds: seconds,
    money: money,
    valueText: valueText,
    why: why,
    change: change,
    plotted: plotted,
    groupLabel: groupLabel,
    bucketLabel: bucketLabel,
  };
})();
