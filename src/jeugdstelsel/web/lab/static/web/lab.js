// Scenario lab: poll a run's status and reload the page when its result (or details) arrive.
// Without JavaScript the page offers a reload button instead.
(function () {
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var seen = box.getAttribute("data-status");
  var live = document.getElementById("status-tekst");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var key = s.status + (s.details ? "+" : "");
        if (key !== seen) { window.location.reload(); return; }
        if (live && s.status === "wachtrij") {
          live.textContent = "In de wachtrij" + (s.position ? " (" + s.position + " voor u)" : "") + "…";
        }
        polls += 1;  // every half second for the first half minute, then every two seconds
        if (!s.complete) { window.setTimeout(poll, polls < 60 ? 500 : 2000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  var polls = 0;
  window.setTimeout(poll, 300);
})();
