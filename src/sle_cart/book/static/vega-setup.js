// Altair's loader checks window.VEGA_DEBUG for the versions of Vega, Vega-Lite and vega-embed
// already on the page; with it set, it uses the bundle served with the site and never asks a CDN.
window.VEGA_DEBUG = __VERSIONS__;

// Dark mode. The charts are specified for a light page. When the reader's theme is dark (the theme
// sets data-theme="dark" on <html>), each chart is drawn on a transparent background with light
// text and axes, and its ink (the colour sle_cart.present.charts.INK, of reference lines and
// medians) turns light; a chart is drawn again when the reader switches theme. Every chart on a
// page is drawn through window.vegaEmbed, which the bundle defines after this script: the setter
// below wraps it as it is defined.
(function () {
  const INK = "black";
  const LIGHT = "#e4e7eb";
  const MUTED = "#aab2bd";
  const DARK = {
    background: "transparent",
    title: { color: LIGHT, subtitleColor: MUTED },
    axis: { labelColor: LIGHT, titleColor: LIGHT, domainColor: MUTED, tickColor: MUTED, gridColor: "#3a4049" },
    legend: { labelColor: LIGHT, titleColor: LIGHT, symbolBaseStrokeColor: LIGHT },
    header: { labelColor: LIGHT, titleColor: LIGHT },
    text: { color: LIGHT },
  };
  const charts = [];
  let embed = null;
  let wrapped = null;

  const isDark = () => document.documentElement.dataset.theme === "dark";

  // A copy of a compiled (Vega) spec with its ink made light, the ink Vega-Lite adds included
  // (e.g. legend symbols); the data are kept as they are.
  function inked(value, key) {
    if (key === "datasets" || key === "data") return value;
    if (Array.isArray(value)) return value.map((v) => inked(v));
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = inked(v, k);
      return out;
    }
    return value === INK ? LIGHT : value;
  }

  function merged(base, over) {
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const both = v && typeof v === "object" && out[k] && typeof out[k] === "object";
      out[k] = both ? merged(out[k], v) : v;
    }
    return out;
  }

  function draw(chart) {
    const dark = isDark();
    const spec = dark ? { ...chart.spec, config: merged(chart.spec.config || {}, DARK) } : chart.spec;
    const opts = dark ? { ...chart.opts, tooltip: { theme: "dark" }, patch: (vg) => inked(vg) } : chart.opts;
    chart.dark = dark;
    chart.result = embed(chart.el, spec, opts);
    return chart.result;
  }

  function wrap(fn) {
    embed = fn;
    wrapped = function (el, spec, opts) {
      const chart = { el, spec, opts };
      charts.push(chart);
      return draw(chart);
    };
    Object.assign(wrapped, fn); // vegaEmbed.vega, vegaEmbed.vegaLite, … stay reachable
    return wrapped;
  }

  Object.defineProperty(window, "vegaEmbed", {
    configurable: true,
    get: () => wrapped,
    set: (fn) => {
      wrap(fn);
    },
  });

  new MutationObserver(() => {
    for (const chart of charts) {
      if (chart.dark === isDark()) continue;
      Promise.resolve(chart.result)
        .then((r) => r && r.finalize && r.finalize())
        .catch(() => {})
        .then(() => draw(chart));
    }
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
