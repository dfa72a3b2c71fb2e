// gongzhi: small progressive enhancements. No inline scripts (CSP script-src 'self').
(function () {
  "use strict";

  // <select data-autosubmit> submits its form on change (language switch, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // <form data-confirm="..."> asks before submitting (delete).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // <div class="chart" data-chart="id-of-json-script"> renders an ECharts option.
  function renderCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var option = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg", locale: document.documentElement.lang === "en" ? "EN" : "ZH" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { renderCharts(event.target); });
})();
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
});

// Demo login table: a click fills the login form (only rendered when the demo street is loaded).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-fill-login]");
  if (!button) { return; }
  var user = document.getElementById("id_username");
  var password = document.getElementById("id_password");
  if (user && password) {
    user.value = button.getAttribute("data-fill-login");
    password.value = button.getAttribute("data-fill-password");
    password.focus();
  }
});
