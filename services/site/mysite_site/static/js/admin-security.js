// Two-step login for the owner's account: set up with an authenticator app (QR code drawn by
// the auth service), confirm with a first code, keep the recovery codes; or turn it off.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var root = document.querySelector("[data-otp-admin]");
  if (!root) { return; }
  var state = root.querySelector("[data-otp-state]");
  var off = root.querySelector("[data-otp-off]");
  var enrol = root.querySelector("[data-otp-enrol]");
  var codes = root.querySelector("[data-otp-codes]");
  var disable = root.querySelector("[data-otp-disable]");
  var alertLine = root.querySelector("[data-otp-alert]");

  function say(text) { alertLine.textContent = text || ""; }

  function show(enabled) {
    state.textContent = t(enabled ? "admin.security.on" : "admin.security.off");
    off.hidden = enabled;
    disable.hidden = !enabled;
    enrol.hidden = true;
  }

  async function load() {
    var me = await site.api("GET", "/api/auth/me");
    if (me.ok) { show(Boolean(me.data.otp_enabled)); } else { say(t("admin.security.failed")); }
  }

  root.querySelector("[data-otp-start]").addEventListener("click", async function () {
    say("");
    var setup = await site.api("POST", "/api/auth/otp/setup", { body: {}, retry: false });
    if (!setup.ok) { say(t("admin.security.failed")); return; }
    // Parsed as SVG (not HTML), so nothing in it can run.
    var svg = new DOMParser().parseFromString(setup.data.qr_svg, "image/svg+xml").documentElement;
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("admin.security.qr"));
    var qr = enrol.querySelector("[data-otp-qr]");
    qr.replaceChildren(document.importNode(svg, true));
    enrol.querySelector("[data-otp-secret]").textContent = setup.data.secret;
    off.hidden = true;
    enrol.hidden = false;
    enrol.elements.code.focus();
  });

  enrol.addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = await site.api("POST", "/api/auth/otp/enable", {
      body: { code: enrol.elements.code.value.trim() },
      retry: false,
    });
    if (!result.ok) {
      say(t("admin.security.wrong_code"));
      enrol.elements.code.value = "";
      enrol.elements.code.focus();
      return;
    }
    var list = codes.querySelector("[data-otp-code-list]");
    list.replaceChildren();
    result.data.recovery_codes.forEach(function (code) {
      var item = document.createElement("li");
      item.textContent = code;
      list.appendChild(item);
    });
    codes.hidden = false;
    show(true);
    say("");
  });

  disable.addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = await site.api("POST", "/api/auth/otp/disable", {
      body: { password: disable.elements.password.value, code: disable.elements.code.value.trim() },
      retry: false,
    });
    disable.elements.password.value = "";
    disable.elements.code.value = "";
    if (!result.ok) { say(t("admin.security.wrong_password_or_code")); return; }
    codes.hidden = true;
    show(false);
    say("");
  });

  load();
})();
