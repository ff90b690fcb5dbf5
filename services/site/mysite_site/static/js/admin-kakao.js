// The KakaoTalk admin section. All calls to the Kakao service from the admin are here:
//   GET /api/kakao/status -> {connected, access_token_expires_at, refresh_token_expires_at,
//                             last_refresh_at, last_error, needs_reconnect, ...}
//   POST /api/kakao/disconnect; the connect link is a full-page navigation to
//   /api/kakao/oauth/start; GET /api/kakao/messages (a list, if the service offers one).
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var statusBox = document.querySelector("[data-kakao-status]");
  var alertBox = document.querySelector("[data-kakao-alert]");
  var connect = document.querySelector("[data-kakao-connect]");
  var disconnect = document.querySelector('[data-action="disconnect"]');
  var messagesSection = document.querySelector("[data-kakao-messages-section]");
  var messagesList = document.querySelector("[data-kakao-messages]");

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function when(value) {
    var date = new Date(value);
    if (!value || isNaN(date.getTime())) { return value ? String(value) : "—"; }
    return date.toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium", timeStyle: "short",
    });
  }

  function senderName(message) {
    var sender = message.sender;
    if (sender && typeof sender === "object") {
      return sender.display_name || sender.username || "";
    }
    return message.sender_display_name || message.sender_name || sender || message.username || "";
  }

  function showAlert(message) {
    alertBox.textContent = message || "";
    alertBox.hidden = !message;
  }

  function fact(list, term, value, className) {
    list.appendChild(element("dt", "", term));
    list.appendChild(element("dd", className || "", value));
  }

  function renderStatus(data) {
    statusBox.textContent = "";
    statusBox.removeAttribute("aria-busy");
    var connected = Boolean(data.connected);
    var facts = element("dl", "facts");
    fact(facts, t("kakao.connection"), connected ? t("kakao.connected") : t("kakao.not_connected"),
      connected && !data.needs_reconnect ? "status-ok" : "status-bad");
    if (data.access_token_expires_at) { fact(facts, t("kakao.access_expires"), when(data.access_token_expires_at)); }
    if (data.refresh_token_expires_at) { fact(facts, t("kakao.refresh_expires"), when(data.refresh_token_expires_at)); }
    if (data.last_refresh_at) { fact(facts, t("kakao.last_refresh"), when(data.last_refresh_at)); }
    if (data.last_error) { fact(facts, t("kakao.last_error"), String(data.last_error), "status-bad"); }
    statusBox.appendChild(facts);
    if (data.messages && typeof data.messages === "object") {
      var counts = Object.keys(data.messages).map(function (key) {
        return key + " " + data.messages[key];
      });
      if (counts.length) { fact(facts, t("kakao.counts"), counts.join(" · ")); }
    }
    if (data.configured === false) {
      statusBox.appendChild(element("p", "notice", t("kakao.not_configured")));
      if (connect) { connect.hidden = true; }
    } else if (data.needs_reconnect) {
      statusBox.appendChild(element("p", "notice", t("kakao.needs_reconnect")));
    }
    disconnect.hidden = !connected;
  }

  function messageItem(message) {
    var id = message.id !== undefined ? message.id : message.message_id;
    var item = element("li");
    var row = element("div", "row");
    var body = element("div");
    var from = senderName(message);
    var preview = String(message.text || message.preview || "").slice(0, 140);
    var heading = element("p");
    heading.appendChild(element("strong", "", String(from || "#" + id)));
    var sent = message.created_at || message.sent_at;
    if (sent) { heading.appendChild(element("span", "muted", " · " + when(sent))); }
    if (message.status) { heading.appendChild(element("span", "muted", " · " + String(message.status))); }
    body.appendChild(heading);
    if (preview) { body.appendChild(element("p", "", preview)); }
    var link = element("a", "button-link small", t("kakao.open"));
    link.href = "/admin/messages/" + encodeURIComponent(id);
    row.appendChild(body);
    row.appendChild(link);
    item.appendChild(row);
    return item;
  }

  async function loadStatus() {
    var result = await site.api("GET", "/api/kakao/status");
    if (!result.ok || !result.data) {
      statusBox.textContent = "";
      statusBox.removeAttribute("aria-busy");
      statusBox.appendChild(element("p", "status-bad", t("kakao.unavailable")));
      return;
    }
    renderStatus(result.data);
  }

  async function loadMessages() {
    var result = await site.api("GET", "/api/kakao/messages");
    if (!result.ok) { return; } // no list offered, or unavailable: the section stays hidden
    var data = result.data;
    var items = Array.isArray(data) ? data : (data && (data.items || data.messages)) || [];
    messagesSection.hidden = false;
    messagesList.textContent = "";
    if (!items.length) {
      messagesList.appendChild(element("li", "muted", t("kakao.no_messages")));
      return;
    }
    items.forEach(function (message) {
      if (message && typeof message === "object") { messagesList.appendChild(messageItem(message)); }
    });
  }

  disconnect.addEventListener("click", async function () {
    if (!window.confirm(disconnect.dataset.confirm)) { return; }
    var result = await site.api("POST", "/api/kakao/disconnect");
    if (!result.ok) {
      showAlert(t("kakao.failed", { message: site.errorMessage(result) }));
      return;
    }
    showAlert("");
    loadStatus();
  });

  loadStatus();
  loadMessages();
})();
