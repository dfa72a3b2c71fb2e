// Resident survey: a live "answered n / total" count and progress bar; no inline scripts (CSP).
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) { return; }
  var text = form.querySelector("[data-progress-text]");
  var bar = form.querySelector("[data-progress-bar]");
  var total = parseInt(text.getAttribute("data-total"), 10) || 0;
  var template = text.textContent.replace(/\d+\s*\/\s*\d+/, "{n} / " + total);
  function update() {
    var answered = form.querySelectorAll("[data-survey-item] input:checked").length;
    text.textContent = template.replace("{n}", answered);
    bar.style.width = (total ? Math.round(100 * answered / total) : 0) + "%";
  }
  form.addEventListener("change", function (event) {
    update();
    var item = event.target.closest("[data-survey-item]");
    if (item) { item.classList.remove("missing"); }
  });
  update();
})();
