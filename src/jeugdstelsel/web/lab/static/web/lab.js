// Scenario lab: poll a run's status. While the user waits for the comparison, reload the page
// as soon as it is there. Once the comparison is shown, never reload by itself (WCAG 2.2.2:
// the reader may be reading it): say that the details are ready and offer a button.
// Without JavaScript the page offers a reload button instead.
(function () {
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var seen = box.getAttribute("data-status");
  var live = document.getElementById("status-tekst");
  var polls = 0;
  function offerDetails() {
    if (!live) { return; }
    live.textContent = "De gevoeligheidsanalyse en de kosten per hefboom zijn klaar. ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "knop knop-tweede";
    button.textContent = "Toon ze";
    button.addEventListener("click", function () { window.location.reload(); });
    live.appendChild(button);
    var hint = box.querySelector("p.klein");  // "a button will appear here": it has
    if (hint) { hint.remove(); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var key = s.status + (s.details ? "+" : "");
        if (key !== seen) {
          if (seen === "klaar") { offerDetails(); return; }  // the result is on screen
          window.location.reload();
          return;
        }
        if (live && s.status === "wachtrij") {
          live.textContent = "In de wachtrij" + (s.position ? " (" + s.position + " voor u)" : "") + "…";
        }
        polls += 1;  // every half second for the first half minute, then every two seconds
        if (!s.complete) { window.setTimeout(poll, polls < 60 ? 500 : 2000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
