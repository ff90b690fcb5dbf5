// The KakaoTalk admin section. All calls to the Kakao service from the admin are here:
//   GET /api/kakao/status -> {connected, access_token_expires_at, refresh_token_expires_at,
//                             last_refresh_at, last_error, needs_reconnect, ...}
//   POST /api/kakao/disconnect; the connect link is a full-page navigation to
//   /api/kakao/oauth/start; GET /api/kakao/messages (a list, if the service offers one);
//   GET/PUT /api/kakao/notifications/settings -> {guestbook_entry, declined_question, digest,
//   digest_minutes, daily_limit, delivery_state, delivering, pending: {kind: count}}.
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
  var notifySection = document.querySelector("[data-kakao-notify]");
  var notifyForm = document.querySelector("[data-kakao-notify-form]");
  var notifyWhy = document.querySelector("[data-kakao-notify-why]");
  var notifyStatus = document.querySelector("[data-kakao-notify-status]");
  var notifyDigestAbout = document.querySelector("[data-kakao-notify-digest-about]");
  var NOTIFY_SWITCHES = ["guestbook_entry", "declined_question", "digest"];

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
    // The site's own notifications say what they are about instead of a sender.
    if (message.kind && message.kind !== "visitor") { return t("kakao.notify.kind." + message.kind); }
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

  // --- notifications ------------------------------------------------------------------------

  function pendingTotal(pending) {
    if (!pending || typeof pending !== "object") { return 0; }
    return Object.keys(pending).reduce(function (sum, kind) {
      return sum + (Number(pending[kind]) || 0);
    }, 0);
  }

  function renderNotifications(data) {
    NOTIFY_SWITCHES.forEach(function (name) {
      notifyForm.elements[name].checked = Boolean(data[name]);
    });
    notifyDigestAbout.textContent = t("kakao.notify.digest_about", {
      minutes: data.digest_minutes, limit: data.daily_limit,
    });
    // Why nothing arrives, in words (the connection's state), and what is waiting meanwhile.
    var why = [];
    if (!data.delivering) {
      var key = "kakao.notify.why." + data.delivery_state;
      why.push(t(key) === key ? t("kakao.notify.why.not_connected") : t(key));
    }
    var waiting = pendingTotal(data.pending);
    if (waiting) { why.push(t("kakao.notify.pending", { count: waiting })); }
    notifyWhy.textContent = why.join(" ");
    notifyWhy.hidden = !why.length;
    notifyWhy.dataset.state = data.delivery_state || "";
    notifySection.hidden = false;
  }

  async function loadNotifications() {
    var result = await site.api("GET", "/api/kakao/notifications/settings");
    if (!result.ok || !result.data) { return; } // the section stays hidden
    renderNotifications(result.data);
  }

  notifyForm.addEventListener("change", async function (event) {
    var input = event.target;
    if (!input || NOTIFY_SWITCHES.indexOf(input.name) < 0) { return; }
    var change = {};
    change[input.name] = input.checked;
    input.disabled = true;
    notifyStatus.textContent = "";
    var result = await site.api("PUT", "/api/kakao/notifications/settings", { body: change });
    input.disabled = false;
    if (!result.ok || !result.data) {
      input.checked = !input.checked; // nothing changed on the server
      notifyStatus.textContent = t("kakao.failed", { message: site.errorMessage(result) });
      return;
    }
    renderNotifications(result.data);
    notifyStatus.textContent = t("kakao.notify.saved");
  });
  notifyForm.addEventListener("submit", function (event) { event.preventDefault(); });

  disconnect.addEventListener("click", async function () {
    if (!window.confirm(disconnect.dataset.confirm)) { return; }
    var result = await site.api("POST", "/api/kakao/disconnect");
    if (!result.ok) {
      showAlert(t("kakao.failed", { message: site.errorMessage(result) }));
      return;
    }
    showAlert("");
    loadStatus();
    loadNotifications();
  });

  loadStatus();
  loadNotifications();
  loadMessages();
})();
