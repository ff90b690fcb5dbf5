// One message for the owner, read from the Kakao service:
//   GET /api/kakao/messages/{id} -> the message (text, sender, time, delivery status)
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var view = document.querySelector("[data-message-id]");
  if (!view) { return; }
  var facts = view.querySelector("[data-message-facts]");
  var textBox = view.querySelector("[data-message-text]");
  var alertBox = view.querySelector("[data-message-alert]");

  function when(value) {
    var date = new Date(value);
    if (!value || isNaN(date.getTime())) { return value ? String(value) : ""; }
    return date.toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "full", timeStyle: "short",
    });
  }

  function fact(term, value) {
    if (!value) { return; }
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    dd.textContent = value;
    facts.appendChild(dt);
    facts.appendChild(dd);
  }

  async function load() {
    var id = view.dataset.messageId;
    var result = await site.api("GET", "/api/kakao/messages/" + encodeURIComponent(id));
    view.removeAttribute("aria-busy");
    textBox.textContent = "";
    if (!result.ok || !result.data) {
      alertBox.textContent = result.status === 404 ? t("msgpage.not_found") : t("kakao.unavailable");
      alertBox.hidden = false;
      return;
    }
    var message = result.data.message && typeof result.data.message === "object"
      ? result.data.message : result.data;
    var sender = message.sender_display_name || message.sender_name || message.sender ||
      message.username || message.from;
    if (sender && typeof sender === "object") {
      sender = sender.display_name || sender.username || "";
    }
    if (message.kind && message.kind !== "visitor") { sender = t("kakao.notify.kind." + message.kind); }
    fact(t("msgpage.from"), sender ? String(sender) : "");
    fact(t("msgpage.sent_at"), when(message.created_at || message.sent_at));
    fact(t("msgpage.status"), message.status ? String(message.status) : "");
    if (message.last_error) { fact(t("kakao.last_error"), String(message.last_error)); }
    textBox.textContent = String(message.text || message.body || "");
    if (message.status === "failed") { offerRetry(message.id !== undefined ? message.id : id); }
  }

  // A message Kakao refused for good can be sent again once the connection is fixed.
  function offerRetry(id) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = t("msgpage.retry");
    button.addEventListener("click", async function () {
      button.disabled = true;
      var result = await site.api("POST", "/api/kakao/messages/" + encodeURIComponent(id) + "/retry");
      if (result.ok) {
        facts.textContent = "";
        button.remove();
        load();
      } else {
        button.disabled = false;
        alertBox.textContent = t("kakao.failed", { message: site.errorMessage(result) });
        alertBox.hidden = false;
      }
    });
    view.appendChild(button);
  }

  load();
})();
