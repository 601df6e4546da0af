// Doelzoeker: poll a goal search's status, show the generation reached, reload when it is done.
// Without JavaScript the page offers a reload button instead.
(function () {
  var box = document.querySelector("[data-search-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-search-url");
  var seen = box.getAttribute("data-status");
  var live = document.getElementById("status-tekst");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.complete || (seen === "wachtrij" && s.status !== "wachtrij")) {
          window.location.reload(); return;
        }
        if (live && s.status === "bezig") {
          live.textContent = "Wordt berekend… generatie " + s.done + " van " + s.total;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
