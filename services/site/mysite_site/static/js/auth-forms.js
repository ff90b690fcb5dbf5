// The login and signup forms: they talk to the auth API through the gateway and show its
// answers next to the fields they are about.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;

  function fieldError(form, name, message) {
    var input = form.querySelector('[name="' + name + '"]');
    var slot = form.querySelector('[data-error-for="' + name + '"]');
    if (input) { input.setAttribute("aria-invalid", "true"); }
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
    }
    return input;
  }

  function clearErrors(form) {
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
    form.querySelectorAll("[data-error-for]").forEach(function (slot) {
      slot.textContent = "";
      slot.hidden = true;
    });
    showAlert(null);
  }

  function showAlert(message) {
    var alert = document.querySelector("[data-form-alert]");
    if (!alert) { return; }
    alert.textContent = message || "";
    alert.hidden = !message;
    if (message) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  function busy(form, on) {
    var button = form.querySelector('button[type="submit"]');
    if (!button) { return; }
    if (on) {
      button.dataset.idleText = button.textContent;
      button.textContent = button.dataset.busyText || button.textContent;
    } else if (button.dataset.idleText) {
      button.textContent = button.dataset.idleText;
    }
    button.disabled = on;
  }

  function requireFields(form, names) {
    var first = null;
    names.forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input && !input.value.trim()) {
        var invalid = fieldError(form, name, t("form.required"));
        first = first || invalid;
      }
    });
    return first;
  }

  function nextOf(form) {
    return site.safeNext(form.dataset.next);
  }

  async function logIn(form, username, password, otp) {
    var body = { username: username, password: password };
    if (otp) { body.otp = otp; }
    return site.api("POST", "/api/auth/login", { body: body, retry: false });
  }

  function loginProblem(result) {
    var code = result.data && result.data.error;
    if (code === "otp_required") { return t("login.otp_required"); }
    if (code === "otp_invalid") { return t("login.otp_invalid"); }
    if (result.status === 401) { return t("login.invalid_credentials"); }
    if (result.status === 429) { return t("login.too_many"); }
    if (result.status === 0) { return t("common.network_error"); }
    return t("login.failed");
  }

  var loginForm = document.getElementById("login-form");
  if (loginForm) {
    // A session may still exist (only the short access token expired): no form needed.
    if (site.hasSessionHint()) {
      site.refreshSession().then(function (ok) {
        if (ok) { location.replace(nextOf(loginForm)); }
      });
    }
    loginForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      clearErrors(loginForm);
      var missing = requireFields(loginForm, ["username", "password"]);
      if (missing) {
        missing.focus();
        return;
      }
      busy(loginForm, true);
      var result = await logIn(
        loginForm,
        loginForm.elements.username.value.trim(),
        loginForm.elements.password.value,
        loginForm.elements.otp.value.trim()
      );
      if (result.ok) {
        location.assign(nextOf(loginForm));
        return;
      }
      busy(loginForm, false);
      var code = result.data && result.data.error;
      var otpField = loginForm.querySelector("[data-otp-field]");
      if (code === "otp_required" || code === "otp_invalid") {
        // The password was right: keep it, ask for (another) code.
        otpField.hidden = false;
        loginForm.elements.otp.value = "";
        showAlert(loginProblem(result));
        loginForm.elements.otp.focus();
        return;
      }
      loginForm.elements.password.value = "";
      showAlert(loginProblem(result));
    });
  }

  var signupForm = document.getElementById("signup-form");
  if (signupForm) {
    signupForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      clearErrors(signupForm);
      var elements = signupForm.elements;
      var first = requireFields(signupForm, ["username", "display_name", "password", "password_confirm"]);
      if (!first && elements.password.value !== elements.password_confirm.value) {
        first = fieldError(signupForm, "password_confirm", t("signup.mismatch"));
      }
      if (first) {
        first.focus();
        return;
      }
      busy(signupForm, true);
      var username = elements.username.value.trim();
      var result = await site.api("POST", "/api/auth/signup", {
        body: {
          username: username,
          password: elements.password.value,
          display_name: elements.display_name.value.trim(),
        },
        retry: false,
      });
      if (result.ok) {
        var login = await logIn(signupForm, username, elements.password.value);
        location.assign(
          login.ok ? nextOf(signupForm) : "/login?next=" + encodeURIComponent(nextOf(signupForm))
        );
        return;
      }
      busy(signupForm, false);
      var code = result.data && result.data.error;
      var serverMessage = (result.data && result.data.message) || "";
      var input = null;
      if (result.status === 409 || code === "username_taken") {
        input = fieldError(signupForm, "username", t("signup.username_taken"));
      } else if (code === "weak_password") {
        input = fieldError(signupForm, "password", t("signup.weak_password") + " " + serverMessage);
      } else if (code === "invalid_username") {
        input = fieldError(signupForm, "username", t("signup.invalid_username"));
      } else if (code === "invalid_display_name") {
        input = fieldError(signupForm, "display_name", t("signup.invalid_display_name"));
      } else if (result.status === 422 && result.data && result.data.fields) {
        Object.keys(result.data.fields).forEach(function (name) {
          input = input || fieldError(signupForm, name, result.data.fields[name]);
        });
      } else if (result.status === 429) {
        showAlert(t("signup.too_many"));
      } else if (result.status === 0) {
        showAlert(t("common.network_error"));
      } else {
        showAlert(t("signup.failed"));
      }
      if (input) {
        showAlert(t("form.fix_fields"));
        input.focus();
      }
    });
  }
})();
