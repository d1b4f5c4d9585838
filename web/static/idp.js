// The fake identity provider's page. While an identity is typed under "Sign in as another
// identity", it asks the server whether that identity already has a user (the server reads
// the fields as it reads a submission: the subject, else the claims box's sub, else the
// email) and shows the page's notice: signing in then runs no sign-up API connector. Without
// this script the notice appears once a submission comes back to the page.
(function () {
  "use strict";
  const notice = document.getElementById("typedExisting");
  const form = document.getElementById("idpAccounts");
  if (!notice || !form || !window.fetch) {
    return;
  }
  const fields = ["idp_email", "idp_issuerAssignedId", "claims"].map(function (id) { return document.getElementById(id); });
  let timer = 0;
  let asked = 0;

  // show fills the notice with the existing user's object id, or hides it.
  function show(objectID) {
    notice.hidden = objectID === "";
    const del = notice.querySelector("button.deleteUser");
    if (del) {
      del.value = "deleteUser:" + objectID;
    }
    const span = notice.querySelector(".objectId");
    if (span) {
      span.textContent = objectID;
    }
  }

  function check() {
    const q = new URLSearchParams();
    fields.forEach(function (f) { q.set(f.id, f.value); });
    const n = ++asked;
    fetch(notice.dataset.check + "&" + q.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (a) {
        if (a && n === asked) { // an older answer must not hide a newer one
          show(a.objectId || "");
        }
      })
      .catch(function () {});
  }

  fields.forEach(function (f) {
    f.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 200);
    });
  });
})();
