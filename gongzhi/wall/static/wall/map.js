/* The wall's offline map (docs/WALL.md): the street's own GeoJSON registered with ECharts (registerMap) —
   no tile server, no internet. Outlines are regions of the geo component, centre points a scatter layer on
   it; every estate is labelled with its state's icon and the tooltip names the state in words, so colour
   is never the only signal. Re-drawn after htmx swaps (the big screen refreshes itself). */
(function () {
  "use strict";
  var FRAME = "\u0000frame";

  function features(data, pointsOnly) {
    return data.features.filter(function (f) {
      return (f.geometry.type === "Point") === pointsOnly;
    });
  }

  // A street with only centre points still needs one region for the geo component: an invisible frame
  // around the points.
  function frame(points) {
    var xs = points.map(function (f) { return f.geometry.coordinates[0]; });
    var ys = points.map(function (f) { return f.geometry.coordinates[1]; });
    var x0 = Math.min.apply(null, xs) - 0.002, x1 = Math.max.apply(null, xs) + 0.002;
    var y0 = Math.min.apply(null, ys) - 0.002, y1 = Math.max.apply(null, ys) + 0.002;
    return { type: "Feature", properties: { name: FRAME }, geometry: { type: "Polygon", coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } };
  }

  function draw(el) {
    if (!window.echarts) return;
    var source = document.getElementById(el.dataset.wallMap);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var name = "gongzhi-" + (el.dataset.mapName || "street");
    var dark = el.classList.contains("dark");
    var polygons = features(data, false);
    var points = features(data, true);
    if (!polygons.length && !points.length) return;
    var regions = polygons.length ? polygons : [frame(points)];
    window.echarts.registerMap(name, { type: "FeatureCollection", features: regions });
    var meta = {};
    data.features.forEach(function (f) { meta[f.properties.name] = f.properties; });
    var labelSize = dark ? 17 : 11;
    var ink = dark ? "#f5f7fa" : "#1d232b";
    var plate = dark ? "rgba(11,15,20,0.62)" : "rgba(255,255,255,0.78)";  // the name stays legible on any fill
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        textStyle: { fontSize: dark ? 20 : 13 },
        formatter: function (p) {
          var d = meta[p.name] || (p.data && p.data.props) || {};
          return [d.name || p.name, (d.icon || "") + " " + (d.word || ""), d.value || ""].join("<br>");
        }
      },
      geo: {
        map: name,
        roam: !dark,
        // Fill the box, keeping the shape's proportions (layoutSize would size it by the box's shorter side).
        left: 8, right: 8, top: 8, bottom: 8,
        aspectScale: 0.86,
        itemStyle: { borderColor: dark ? "#0b0f14" : "#ffffff", borderWidth: 1 },
        label: {
          show: true,
          fontSize: labelSize,
          color: ink,
          backgroundColor: plate,
          padding: [1, 3],
          borderRadius: 3,
          formatter: function (p) { var d = meta[p.name]; return d ? (d.icon || "") + " " + p.name : ""; }
        },
        emphasis: { label: { show: true }, itemStyle: { areaColor: dark ? "#3d5a80" : "#cfe0f5" } },
        regions: polygons.length ? polygons.map(function (f) {
          return { name: f.properties.name, itemStyle: { areaColor: f.properties.fill, opacity: 0.9 } };
        }) : [{ name: FRAME, itemStyle: { areaColor: "transparent", borderColor: "transparent" }, silent: true }]
      },
      series: [{
        type: "scatter",
        coordinateSystem: "geo",
        symbol: "circle",
        symbolSize: dark ? 26 : 14,
        label: {
          show: true,
          position: "bottom",
          fontSize: labelSize,
          color: ink,
          backgroundColor: plate,
          padding: [1, 3],
          borderRadius: 3,
          formatter: function (p) { return (p.data.props.icon || "") + " " + p.data.props.name; }
        },
        data: points.map(function (f) {
          return {
            name: f.properties.name,
            value: f.geometry.coordinates,
            props: f.properties,
            itemStyle: { color: f.properties.fill, borderColor: ink, borderWidth: 1 }
          };
        })
      }]
    }, true);
    if (!el.dataset.bound) {
      el.dataset.bound = "1";
      chart.on("click", function (p) {
        var d = meta[p.name] || (p.data && p.data.props) || {};
        if (d.url) window.location.href = d.url;
      });
    }
    el.dataset.drawn = String(data.features.length);
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-wall-map]").forEach(function (el) {
      // A map not on show (phone width: the list instead; a big-screen panel not shown now) is not drawn;
      // the screen draws it when it shows its panel.
      if (el.offsetParent === null) return;
      draw(el);
    });
  }

  // One listener for every map on the page (the big screen swaps its map in every minute).
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-wall-map]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  // A map about to be swapped out by htmx is disposed, so that an unattended screen does not pile up charts.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    e.target.querySelectorAll("[data-wall-map]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) chart.dispose();
    });
  });

  window.gongzhiWallMap = { drawAll: drawAll, draw: draw };
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.body.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
})();
