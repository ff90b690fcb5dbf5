// "Send me a message": all calls to the Kakao service from the profile page are here:
//   POST /api/kakao/messages {text} with an Idempotency-Key -> 202 {id, status}
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var form = document.querySelector("[data-message-form]");
  if (!form) { return; }
  var textarea = form.elements.text;
  var status = form.querySelector("[data-message-status]");
  var button = form.querySelector('button[type="submit"]');
  // One key per message: a retry after a lost answer cannot send it twice.
  var pending = null;

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "form-status" + (kind ? " " + kind : "");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text) {
      say(t("message.empty"), "error");
      textarea.focus();
      return;
    }
    if (!pending || pending.text !== text) {
      pending = { text: text, key: newKey() };
    }
    button.disabled = true;
    say(t("message.sending"));
    var result = await site.api("POST", "/api/kakao/messages", {
      body: { text: text },
      headers: { "Idempotency-Key": pending.key },
    });
    button.disabled = false;
    if (result.ok) {
      pending = null;
      textarea.value = "";
      say(t("message.sent"), "ok");
    } else if (result.status === 401) {
      say(t("common.session_ended"), "error");
    } else if (result.status === 429) {
      say(t("message.rate_limited"), "error");
    } else if (result.status === 0) {
      say(t("common.network_error"), "error");
    } else if (result.status === 422 && result.data && result.data.message) {
      say(result.data.message, "error");
    } else {
      say(t("message.failed"), "error");
    }
  });
})();
