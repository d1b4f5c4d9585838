// Call inspector: reload when new calls arrive, and copy curl commands.
(function () {
  var root = document.getElementById("calls");
  if (!root) return;
  var total = root.getAttribute("data-total");
  setInterval(function () {
    fetch("/_emulator/calls/total", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (String(j.total) !== total && !document.querySelector("details[open]:not(.attempt)")) {
          window.location.reload();
        }
      })
      .catch(function () {});
  }, 1500);
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var pre = document.getElementById(b.getAttribute("data-target"));
      if (pre && navigator.clipboard) {
        navigator.clipboard.writeText(pre.textContent).then(function () { b.textContent = "Copied"; });
      }
    });
  });
})();
