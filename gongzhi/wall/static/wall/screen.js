/* The big screen (大屏): cycles its panels (map → areas → red estates → trends) every data-cycle seconds and keeps
   its place when htmx swaps in the refreshed body (every minute). No input needed: it runs unattended. */
(function () {
  "use strict";
  var index = 0;
  var timer = null;

  function body() { return document.getElementById("screen-body"); }

  function show(i) {
    var root = body();
    if (!root) return;
    var panels = root.querySelectorAll(".screen-panel");
    if (!panels.length) return;
    index = i % panels.length;
    panels.forEach(function (p, n) { p.hidden = n !== index; });
    var current = panels[index].dataset.panel;
    root.querySelectorAll(".screen-tabs [data-panel]").forEach(function (t) {
      t.classList.toggle("on", t.dataset.panel === current);
    });
    drawCharts(panels[index]);
    var map = panels[index].querySelector("[data-wall-map]");
    if (map && window.gongzhiWallMap) {
      window.gongzhiWallMap.draw(map);
      var chart = window.echarts && window.echarts.getInstanceByDom(map);
      if (chart) chart.resize();
    }
  }

  // The trends panel's line charts: drawn when their panel first shows (a hidden panel has no size),
  // dark, the screen's own colours on top of the trends page's option.
  function drawCharts(panel) {
    if (!window.echarts) return;
    panel.querySelectorAll("[data-screen-chart]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); return; }
      var source = document.getElementById(el.dataset.screenChart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      option.backgroundColor = "transparent";
      option.color = ["#5aa9e6"];
      option.animation = false;
      chart = window.echarts.init(el, "dark", { renderer: "svg" });
      chart.setOption(option);
      chart.setOption({
        grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
        xAxis: { axisLabel: { color: "#b8c2cc", fontSize: 13 } },
        yAxis: { axisLabel: { color: "#b8c2cc", fontSize: 13 }, splitLine: { lineStyle: { color: "#26313d" } } },
        series: [{ lineStyle: { width: 3 }, symbolSize: 5 }]
      });
      el.dataset.drawn = "1";
    });
  }

  function start() {
    var root = body();
    if (!root) return;
    var seconds = parseInt(root.dataset.cycle, 10) || 20;
    show(index);
    if (timer) clearInterval(timer);
    timer = setInterval(function () { show(index + 1); }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", start);
  document.body.addEventListener("htmx:afterSettle", function () { show(index); });
})();
