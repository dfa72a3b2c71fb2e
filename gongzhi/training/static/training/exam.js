// Asks before a paper with unanswered questions is sent: unanswered questions count as wrong, and a
// stray tap on 交卷 must not end the exam. The server asks again (confirm_unanswered) when this
// script did not run, so the question is never skipped.
(function () {
  var form = document.getElementById("exam-form");
  if (!form) { return; }
  var confirmField = document.getElementById("confirm-unanswered");
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "confirm_unanswered") { return; }  // already confirmed on the page
    var blank = [];
    form.querySelectorAll("fieldset.question").forEach(function (question) {
      if (!question.querySelector("input:checked")) { blank.push(question); }
    });
    if (!blank.length) { confirmField.value = ""; return; }
    var text = form.dataset.unansweredConfirm.replace("%(n)s", String(blank.length));
    if (window.confirm(text)) {
      confirmField.value = "1";
      return;
    }
    event.preventDefault();
    confirmField.value = "";
    blank.forEach(function (question) { question.classList.add("is-unanswered"); });
    blank[0].scrollIntoView({ block: "center" });
  });
  form.addEventListener("change", function (event) {
    var question = event.target.closest("fieldset.question");
    if (question && question.querySelector("input:checked")) { question.classList.remove("is-unanswered"); }
  });
})();
