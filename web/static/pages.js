// b2cemu's page script. It makes the checks B2C's pages make in the browser before anything is
// sent (required fields, the email format, matching passwords) and shows their messages in
// B2C's error containers: hidden with aria-hidden="true" and display: none, shown with
// aria-hidden="false" and display: block, item-level ones with the class "show" and the
// input with "highlightError". The messages come from the page (data-required, data-invalid),
// in the page's language. Then it submits as B2C's pages do, in the background: the fields by
// input id and request_type=RESPONSE, POSTed to {hosts.tenant}/SelfAsserted?tx=…&p=… with the
// X-CSRF-TOKEN header; on {"status":"200"} it goes to api/{api}/confirmed, on
// {"status":"400","message":…} it shows the message and keeps the page, every value in it.
// Without this script the forms post and the server makes the same checks.
"use strict";

(function () {
  const settings = window.SETTINGS;

  function query(s) {
    return "csrf_token=" + encodeURIComponent(s.csrf) + "&tx=" + s.transId + "&p=" + encodeURIComponent(s.hosts.policy);
  }

  // confirmedURL is where the page goes after a taken submission. The unified page's carries
  // the "Keep me signed in" checkbox's state, false when the page has none, as B2C's does.
  function confirmedURL(s) {
    const box = document.getElementById("rememberMe");
    const remember = s.api === "CombinedSigninAndSignup" ? "rememberMe=" + (box !== null && box.checked) + "&" : "";
    return s.hosts.tenant + "/api/" + s.api + "/confirmed?" + remember + query(s);
  }

  // submit sends form's fields in the background. box is the error container for the
  // server's message; button is disabled while the request is out. It reports whether it took
  // the submission (false without SETTINGS or fetch: the form then posts).
  function submit(form, box, button) {
    if (!settings || !window.fetch) {
      return false;
    }
    const body = new URLSearchParams(new FormData(form));
    body.set("request_type", "RESPONSE");
    const url = settings.hosts.tenant + "/SelfAsserted?tx=" + settings.transId + "&p=" + encodeURIComponent(settings.hosts.policy);
    button.disabled = true;
    post(url, body).then(function (answer) {
      if (answer.status === "200") {
        window.location.assign(confirmedURL(settings));
        return;
      }
      show(box, answer.message || "");
      button.disabled = false;
    }).catch(function () {
      // Not B2C's JSON (the run expired, the server is gone): the form's own post shows why.
      HTMLFormElement.prototype.submit.call(form);
    });
    return true;
  }

  // post sends body to url in the background with B2C's CSRF header and reads the JSON
  // answer, whose seq the page's forms carry from then on.
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "X-CSRF-TOKEN": settings.csrf},
      body: body
    }).then(function (r) {
      return r.json();
    }).then(function (answer) {
      for (const seq of document.querySelectorAll("input[name=seq]")) {
        seq.value = String(answer.seq);
      }
      return answer;
    });
  }

  // verify runs a verification button (value "ver_<action>:<field>") in the background, as
  // B2C's page does: the built-in email verification posts to SelfAsserted with
  // request_type VERIFICATION_REQUEST (send) or VALIDATION_REQUEST (verify, with user_input),
  // a display control to SelfAsserted/DisplayControlAction/vbeta/<control>/SendCode or
  // VerifyCode. The control's new state then comes from the page as the server renders it
  // now; every other value on the page stays. "Change" posts the form.
  function verify(form, button) {
    const [action, field] = button.value.slice("ver_".length).split(":");
    const control = button.closest(".verificationControl");
    if (!settings || !window.fetch || !control) {
      return false;
    }
    if (action === "change") {
      post0(form, button);
      return true;
    }
    const body = new URLSearchParams(new FormData(form));
    const q = "?tx=" + settings.transId + "&p=" + encodeURIComponent(settings.hosts.policy);
    let url = settings.hosts.tenant + "/SelfAsserted" + q;
    if (control.classList.contains("displayControl")) {
      url = settings.hosts.tenant + "/SelfAsserted/DisplayControlAction/vbeta/" + encodeURIComponent(control.id) + "/" + (action === "verify" ? "VerifyCode" : "SendCode") + q;
    } else {
      const input = form.querySelector("#" + CSS.escape(field));
      body.set("request_type", action === "verify" ? "VALIDATION_REQUEST" : "VERIFICATION_REQUEST");
      body.set("claim_id", field);
      body.set("claim_value", input ? input.value.trim() : "");
      const code = form.querySelector("#" + CSS.escape(field + "_ver_input"));
      if (action === "verify") {
        body.set("user_input", code ? code.value.trim() : "");
      }
    }
    const wait = form.querySelector("#" + CSS.escape(field + "_ver_wait"));
    toggle(wait, true);
    button.disabled = true;
    post(url, body).then(function () {
      return fetch(confirmedURL(settings), {credentials: "same-origin"});
    }).then(function (r) {
      return r.text();
    }).then(function (html) {
      refresh(form, control, field, new DOMParser().parseFromString(html, "text/html"));
    }).catch(function () {
      window.location.assign(confirmedURL(settings));
    });
    return true;
  }

  // post0 posts the form as its button would without this script (the button is
  // type="button" here, as B2C's are): its fields and op=<the button's value>.
  function post0(form, button) {
    const op = document.createElement("input");
    op.type = "hidden";
    op.name = "op";
    op.value = button.value;
    form.appendChild(op);
    HTMLFormElement.prototype.submit.call(form);
  }

  // asB2C makes a control's buttons type="button", as on B2C's page: the server renders the
  // shown ones as submit buttons for pages without scripts; here the script runs them, and
  // #continue stays the form's only submit button.
  function asB2C(control) {
    for (const b of control.querySelectorAll("button")) {
      b.type = "button";
    }
  }

  // refresh takes a verification control, its field's state and #continue's from doc, the page
  // as the server renders it now. The control's elements stay the same elements, as on B2C's
  // page, where the state only shows and hides them: each takes the attributes and text of
  // its counterpart.
  function refresh(form, control, field, doc) {
    const fresh = doc.getElementById(control.id);
    if (!fresh) {
      window.location.assign(confirmedURL(settings));
      return;
    }
    if (!syncTree(control, fresh)) {
      const copy = document.importNode(fresh, true);
      control.replaceWith(copy);
      asB2C(copy);
    }
    const input = form.querySelector("#" + CSS.escape(field));
    const freshInput = doc.getElementById(field);
    if (input && freshInput) {
      input.readOnly = freshInput.readOnly;
      const box = itemError(input);
      const freshBox = doc.getElementById(field + "_error");
      if (box && freshBox) {
        box.replaceWith(document.importNode(freshBox, true));
      }
      input.classList.toggle("highlightError", freshInput.classList.contains("highlightError"));
    }
    const next = form.querySelector("#continue");
    const freshNext = doc.getElementById("continue");
    if (next && freshNext) {
      next.disabled = freshNext.disabled;
      next.setAttribute("aria-disabled", freshNext.getAttribute("aria-disabled") || "false");
    }
    const focus = form.querySelector(".verificationControl input:not([aria-hidden=true]):not([disabled]).verifyInput, .verificationControl [aria-hidden=false] input.textInput:not([disabled])");
    if (focus) {
      focus.focus();
    }
  }

  // syncTree gives el and its descendants the attributes (but type) and texts of fresh's,
  // element by element; false when the two trees differ in shape.
  function syncTree(el, fresh) {
    const mine = [el, ...el.querySelectorAll("*")];
    const theirs = [fresh, ...fresh.querySelectorAll("*")];
    if (mine.length !== theirs.length || mine.some(function (e, i) { return e.tagName !== theirs[i].tagName || e.id !== theirs[i].id; })) {
      return false;
    }
    mine.forEach(function (e, i) {
      const f = theirs[i];
      for (const a of Array.from(e.attributes)) {
        if (a.name !== "type" && !f.hasAttribute(a.name)) {
          e.removeAttribute(a.name);
        }
      }
      for (const a of Array.from(f.attributes)) {
        if (a.name !== "type") {
          e.setAttribute(a.name, a.value);
        }
      }
      if (e.tagName === "BUTTON") {
        e.disabled = f.disabled;
      }
      if (e.tagName === "INPUT") {
        e.value = f.value;
        e.disabled = f.disabled;
      } else if (f.children.length === 0 && e.textContent !== f.textContent) {
        e.textContent = f.textContent;
      }
    });
    return true;
  }

  // show puts a server message in an error container and shows it.
  function show(box, message) {
    if (!box) {
      return;
    }
    const p = box.querySelector("p");
    (p || box).textContent = message;
    toggle(box, message !== "");
  }

  function toggle(el, shown) {
    if (!el) {
      return;
    }
    el.setAttribute("aria-hidden", shown ? "false" : "true");
    el.style.display = shown ? "block" : "none";
    if (el.classList.contains("itemLevel")) {
      el.classList.toggle("show", shown);
    }
  }

  // itemError is the item-level error container of an input's entry.
  function itemError(input) {
    const entry = input.closest(".attrEntry, .entry-item");
    return entry ? entry.querySelector(".error.itemLevel") : null;
  }

  function setItem(input, message) {
    const box = itemError(input);
    if (box) {
      let p = box.querySelector("p");
      if (!p) {
        p = document.createElement("p");
        box.appendChild(p);
      }
      p.textContent = message;
      toggle(box, message !== "");
    }
    input.classList.toggle("highlightError", message !== "");
    input.setAttribute("aria-invalid", message !== "" ? "true" : "false");
  }

  const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/u;

  // problem is the message for an input's value, "" when it is fine.
  function problem(input, required) {
    const value = input.type === "password" ? input.value : input.value.trim();
    if (value === "") {
      return required ? input.dataset.required || "" : "";
    }
    if (input.type === "email" && !emailPattern.test(value)) {
      return input.dataset.invalid || "";
    }
    if (input.pattern && !matches(input.pattern, value)) {
      return input.dataset.invalid || "";
    }
    return "";
  }

  // matches reports whether value matches all of pattern. A policy's pattern in .NET syntax
  // that JavaScript cannot read is left to the server, which checks every pattern anyway.
  function matches(pattern, value) {
    try {
      return new RegExp("^(?:" + pattern + ")$", "u").test(value);
    } catch (e) {
      return true;
    }
  }

  function signIn(form) {
    const inputs = Array.from(form.querySelectorAll(".entry-item input"));
    form.addEventListener("submit", function (e) {
      toggle(form.querySelector(".error.pageLevel"), false);
      let first = null;
      for (const input of inputs) {
        const message = problem(input, true);
        setItem(input, message);
        if (message !== "" && first === null) {
          first = input;
        }
      }
      if (first !== null) {
        e.preventDefault();
        first.focus();
        return;
      }
      if (submit(form, form.querySelector(".error.pageLevel"), form.querySelector("#next"))) {
        e.preventDefault();
      }
    });
  }

  function selfAsserted(form) {
    const list = form.querySelector("#attributeList");
    const texts = Array.from(list.querySelectorAll("input.textInput[data-required]"));
    const radios = Array.from(list.querySelectorAll("input.radio[required]"));
    for (const input of texts) {
      input.addEventListener("change", function () {
        setItem(input, problem(input, input.required));
      });
    }
    // Enter continues, as on B2C's page, where #continue is the only submit button (the
    // server renders the shown verification buttons as submit buttons, for pages without
    // scripts; the script makes them type="button" below). In a verification code input,
    // Enter verifies the code.
    function enterInInput(e) {
      return e.key === "Enter" && e.target instanceof HTMLInputElement && e.target.type !== "radio";
    }
    // A keypress can arrive without its keydown having been cancelled (some automation sends
    // the two separately); it must not start the browser's own implicit submission.
    form.addEventListener("keypress", function (e) {
      if (enterInInput(e)) {
        e.preventDefault();
      }
    });
    form.addEventListener("keydown", function (e) {
      if (!enterInInput(e)) {
        return;
      }
      const input = e.target;
      e.preventDefault();
      const control = input.closest(".verificationControl");
      const button = control ? control.querySelector("button.verifyCode, button.verifyButton") : form.querySelector("#continue");
      if (button && !button.disabled) {
        button.type === "submit" ? form.requestSubmit(button) : button.click();
      }
    });
    // The verification buttons are B2C's type="button": a click runs them.
    if (settings && window.fetch) {
      for (const control of form.querySelectorAll(".verificationControl")) {
        asB2C(control);
      }
    }
    form.addEventListener("click", function (e) {
      const button = e.target instanceof Element ? e.target.closest(".verificationControl button") : null;
      if (button && button.value.startsWith("ver_") && !button.disabled && verify(form, button)) {
        e.preventDefault();
      }
    });
    form.addEventListener("submit", function (e) {
      if (e.submitter && e.submitter.value.startsWith("ver_") && verify(form, e.submitter)) {
        e.preventDefault();
        return;
      }
      if (!e.submitter || e.submitter.id !== "continue") {
        return; // cancel and the verification buttons skip the checks, as formnovalidate says
      }
      let missing = false;
      let incorrect = false;
      let first = null;
      for (const input of texts) {
        if (input.readOnly) {
          continue;
        }
        const message = problem(input, input.required);
        setItem(input, message);
        if (message !== "") {
          missing = missing || input.value.trim() === "";
          incorrect = incorrect || input.value.trim() !== "";
          first = first || input;
        }
      }
      const groups = new Map();
      for (const r of radios) {
        groups.set(r.name, (groups.get(r.name) || false) || r.checked);
      }
      for (const [name, checked] of groups) {
        const r = radios.find(function (x) { return x.name === name; });
        const box = itemError(r);
        if (box) {
          box.textContent = "";
          const p = document.createElement("p");
          p.textContent = checked ? "" : r.dataset.required || "";
          box.appendChild(p);
          toggle(box, !checked);
        }
        if (!checked) {
          missing = true;
          first = first || r;
        }
      }
      const pw = form.querySelector("#newPassword");
      const again = form.querySelector("#reenterPassword");
      const mismatch = pw !== null && again !== null && pw.value !== "" && again.value !== "" && pw.value !== again.value;
      toggle(form.querySelector("#requiredFieldMissing"), missing);
      toggle(form.querySelector("#fieldIncorrect"), incorrect);
      toggle(form.querySelector("#passwordEntryMismatch"), mismatch);
      const server = form.querySelector("#claimVerificationServerError");
      toggle(server, false);
      if (missing || incorrect || mismatch) {
        e.preventDefault();
        (first || again).focus();
        return;
      }
      if (submit(form, server, e.submitter)) {
        e.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const local = document.getElementById("localAccountForm");
    if (local) {
      signIn(local);
    }
    const attrs = document.getElementById("attributeVerification");
    if (attrs && attrs.querySelector("#attributeList")) {
      selfAsserted(attrs);
    }
  });
})();
