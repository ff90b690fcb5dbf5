// The chatbot widget on the profile page. All calls to the chatbot service are here:
//   POST /api/chat/ask {question} -> {answer, answered, confidence, sources, language,
//                                      suggestions: [{key, title, answer}], reply_id}
//   POST /api/chat/replies/{reply_id}/pick {entry_key}
// A declined question may come with suggestions: entries the visitor picks to read. The
// pick is told to the chatbot, so the owner sees which entry the visitor wanted.
// Any failure shows "unavailable" and leaves the rest of the page working.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var section = document.querySelector("[data-chat]");
  if (!section) { return; }
  var form = section.querySelector("[data-chat-form]");
  var log = section.querySelector("[data-chat-log]");
  var status = section.querySelector("[data-chat-status]");
  var input = form.elements.question;
  var button = form.querySelector('button[type="submit"]');

  section.hidden = false;
  document.querySelectorAll(".toc .needs-js").forEach(function (item) { item.hidden = false; });

  function bubble(who, text, mine) {
    var item = document.createElement("li");
    item.className = "bubble" + (mine ? " from-me" : "");
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who;
    item.appendChild(label);
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    return item;
  }

  function sourceTitles(sources) {
    if (!Array.isArray(sources)) { return []; }
    return sources
      .filter(function (source) {
        return source && typeof source === "object" && (source.type === "profile" || source.type === "faq");
      })
      .map(function (source) { return String(source.title || ""); })
      .filter(function (title) { return title; })
      .slice(0, 5);
  }

  function withSources(reply, titles) {
    if (!titles.length) { return; }
    var sources = document.createElement("p");
    sources.className = "sources";
    sources.textContent = t("chat.sources") + ": " + titles.join(", ");
    reply.appendChild(sources);
  }

  // Which suggestion the visitor picked, for the owner's question log. Nothing the visitor
  // sees depends on it; a click right after the reply may reach a replica that has not
  // stored the reply yet, so a 404 is tried once more.
  async function tellPick(replyId, key) {
    if (typeof replyId !== "string" || !replyId || !key) { return; }
    var url = "/api/chat/replies/" + encodeURIComponent(replyId) + "/pick";
    var options = { body: { entry_key: String(key) }, retry: false };
    var result = await site.api("POST", url, options);
    if (result.status === 404) {
      await new Promise(function (resolve) { window.setTimeout(resolve, 2000); });
      await site.api("POST", url, options);
    }
  }

  // "Maybe one of these": a button per entry; picking one shows its answer.
  function offerSuggestions(reply, suggestions, replyId) {
    var usable = (Array.isArray(suggestions) ? suggestions : []).filter(function (item) {
      return item && typeof item === "object" && item.title && typeof item.answer === "string";
    }).slice(0, 3);
    if (!usable.length) { return; }
    var group = document.createElement("div");
    group.className = "suggestions";
    group.setAttribute("data-chat-suggestions", "");
    var label = document.createElement("p");
    label.textContent = t("chat.suggestions");
    group.appendChild(label);
    usable.forEach(function (item) {
      var choice = document.createElement("button");
      choice.type = "button";
      choice.className = "small";
      choice.textContent = String(item.title);
      choice.addEventListener("click", function () {
        choice.disabled = true;
        withSources(bubble(t("chat.bot"), item.answer, false), [String(item.title)]);
        tellPick(replyId, item.key);
        input.focus(); // a disabled button loses the focus; the next question is the way on
      });
      group.appendChild(choice);
    });
    reply.appendChild(group);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) {
      status.textContent = t("chat.empty");
      input.focus();
      return;
    }
    bubble(t("chat.you"), question, true);
    input.value = "";
    status.textContent = t("chat.thinking");
    button.disabled = true;
    var result = await site.api("POST", "/api/chat/ask", { body: { question: question }, retry: false });
    button.disabled = false;
    status.textContent = "";
    var data = result.data || {};
    if (result.ok && typeof data.answer === "string") {
      var text = data.answer || t("chat.not_answered");
      if (data.answered === false && !data.answer) { text = t("chat.not_answered"); }
      var reply = bubble(t("chat.bot"), text, false);
      withSources(reply, sourceTitles(data.sources));
      if (data.answered === false) { offerSuggestions(reply, data.suggestions, data.reply_id); }
    } else {
      var problem = result.status === 429 ? t("chat.rate_limited") : t("chat.unavailable");
      bubble(t("chat.bot"), problem, false).classList.add("error");
    }
    input.focus();
  });
})();
