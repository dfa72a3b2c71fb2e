// Counts the remaining time down on the page. Only a convenience: the server recorded the start time
// and refuses to count answers sent after the deadline, whatever this clock shows.
(function () {
  var box = document.getElementById("timer");
  if (!box) { return; }
  var value = box.querySelector(".timer-value");
  var end = Date.now() + parseInt(box.dataset.remaining, 10) * 1000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    value.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    if (left <= 60) { box.classList.add("urgent"); }
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
