// Evaluation office pages: live weight sums, add/remove template items. No inline scripts (CSP).
(function () {
  "use strict";
  function num(input) { var v = parseFloat(input.value); return isNaN(v) ? 0 : v; }
  function show(el, total) {
    el.textContent = (Math.round(total * 100) / 100).toString();
    el.classList.toggle("good", Math.abs(total - 100) < 1e-9);
    el.classList.toggle("bad", Math.abs(total - 100) >= 1e-9);
  }
  // Campaign form: the four component weights.
  var weights = document.querySelector("[data-weights]");
  if (weights) {
    var sum = weights.querySelector("[data-weights-sum]");
    var update = function () {
      var total = 0;
      weights.querySelectorAll("input[type=number]").forEach(function (i) { total += num(i); });
      show(sum, total);
    };
    weights.addEventListener("input", update);
    update();
  }
  // Template editor: sum of the ticked categories' weights; add and remove item rows.
  var editor = document.querySelector("[data-template-editor]");
  if (editor) {
    var catSum = editor.querySelector("[data-cat-sum]");
    var recount = function () {
      var total = 0;
      editor.querySelectorAll("tbody[data-category]").forEach(function (body) {
        var on = body.querySelector("input[type=checkbox]");
        if (on && on.checked) { total += num(body.querySelector("[data-cat-weight]")); }
      });
      show(catSum, total);
    };
    editor.addEventListener("input", recount);
    editor.addEventListener("change", recount);
    editor.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-item]");
      if (add) {
        var body = add.closest("tbody");
        var rows = body.querySelectorAll("tr[data-item]");
        var template = rows[rows.length - 1];
        if (!template) { return; }
        var copy = template.cloneNode(true);
        copy.querySelectorAll("input[type=text]").forEach(function (i) { i.value = ""; });
        copy.querySelectorAll("input[type=number]").forEach(function (i) { i.value = "1"; });
        copy.querySelectorAll("select").forEach(function (s) { s.value = ""; });
        body.appendChild(copy);
        copy.querySelector("input[type=text]").focus();
        return;
      }
      var remove = event.target.closest("[data-remove-item]");
      if (remove) {
        var row = remove.closest("tr");
        var siblings = row.parentNode.querySelectorAll("tr[data-item]");
        if (siblings.length > 1) { row.remove(); } else { row.querySelector("input[type=text]").value = ""; }
      }
    });
    recount();
  }
})();
