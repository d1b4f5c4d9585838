// A token in the URL fragment (response_mode=fragment) never reaches the server; post it to
// the viewer so the server can decode it and check its signature.
(function () {
  var hash = window.location.hash.replace(/^#/, "");
  if (!hash) return;
  var params = new URLSearchParams(hash);
  var form = document.createElement("form");
  form.method = "post";
  form.action = "/jwt";
  var found = false;
  ["id_token", "code", "state", "error", "error_description"].forEach(function (name) {
    var v = params.get(name);
    if (v === null) return;
    found = true;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = v;
    form.appendChild(input);
  });
  if (!found) return;
  history.replaceState(null, "", window.location.pathname);
  document.body.appendChild(form);
  form.submit();
})();
