/* The big screen (大屏): cycles its panels (map → areas → red estates) every data-cycle seconds and keeps
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
    var map = panels[index].querySelector("[data-wall-map]");
    if (map && window.gongzhiWallMap) {
      window.gongzhiWallMap.draw(map);
      var chart = window.echarts && window.echarts.getInstanceByDom(map);
      if (chart) chart.resize();
    }
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
