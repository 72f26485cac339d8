// 大屏's helpers that hold no state of the wall's: its words' patterns, text safe for the
// canvas, a district's centroid, and a list's rows fitted to their panel (wall.js uses them).
window.cad110Wall = (function () {
  "use strict";

  // "%(name)s" patterns of the words block; "%%" is a percent sign.
  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, (_, k) => String(values[k])).replace(/%%/g, "%");
  }
  // Chart text is drawn on the canvas (richText tooltips, labels): never markup. Braces and bars
  // would be read as rich-text styling, so they are shown as their full-width forms.
  function plain(text) {
    return String(text == null ? "" : text).replace(/[{}|]/g, (c) => ({ "{": "｛", "}": "｝", "|": "｜" })[c]);
  }

  // The area-weighted centroid of a GeoJSON geometry's largest outer ring.
  function centroid(geometry) {
    const rings = geometry.type === "Polygon" ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
    let best = null;
    rings.forEach((ring) => {
      let area = 0, x = 0, y = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        area += cross;
        x += (ring[j][0] + ring[i][0]) * cross;
        y += (ring[j][1] + ring[i][1]) * cross;
      }
      if (area && (!best || Math.abs(area) > Math.abs(best.area))) best = { area: area, at: [x / (3 * area), y / (3 * area)] };
    });
    return best ? best.at : null;
  }

  // The supervisions' rows as large as their panel allows: where the columns, each as wide as its
  // longest entry, need more than the panel's width (English names are long), the rows are set
  // smaller, down to SMALLEST of their size (about the charts' labels'); only past that is a
  // name cut short, and then it carries its full text as its title. A phone's rows break into
  // two lines instead (wall.css). Set by the style property, which the policy allows.
  const SMALLEST = 0.7;
  const SLACK = 0.97; // for the time left, which the clock rewrites each second
  const PHONE = window.matchMedia("(max-width: 760px)");
  function fit(list) {
    list.style.fontSize = "";
    const rows = Array.from(list.querySelectorAll("li:not(.none)"));
    if (rows.length && !PHONE.matches) {
      const style = getComputedStyle(list);
      const widths = [];
      rows.forEach((li) => Array.from(li.children).forEach((c, n) => (widths[n] = Math.max(widths[n] || 0, c.scrollWidth))));
      const room = list.clientWidth - (parseFloat(style.columnGap) || 0) * (widths.length - 1);
      const need = widths.reduce((a, b) => a + b, 0);
      const size = parseFloat(style.fontSize);
      if (need > room) list.style.fontSize = Math.max(size * SMALLEST, (size * SLACK * room) / need).toFixed(1) + "px";
    }
    list.querySelectorAll("li:not(.none) > span").forEach((cell) => {
      if (cell.scrollWidth > cell.clientWidth) cell.title = cell.textContent;
    });
  }

  return { fill: fill, plain: plain, centroid: centroid, fit: fit };
})();
