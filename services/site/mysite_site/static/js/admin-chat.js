// The chatbot's admin section:
//   the owner's FAQ, kept by the site (the chatbot answers from it):
//     GET/POST /api/site/faq ({question, answer}); PUT/DELETE /api/site/faq/{id}
//   the chatbot's question log:
//     GET /api/chat/questions?unanswered=true -> [{id, question, asked_at}]
//     POST /api/chat/questions/{id}/faq ({answer}): the chatbot adds it to the site's FAQ
//   teaching the chatbot which of its entries answers a logged question:
//     GET /api/chat/entries -> {items: [{key, title, section, type}]}, in profile order
//     POST /api/chat/questions/{id}/entry ({entry_key}); GET /api/chat/taught;
//     DELETE /api/chat/taught/{id}
// Field names are read defensively: the service may wrap lists or name things slightly
// differently.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var alertBox = document.querySelector("[data-chat-alert]");
  var faqList = document.querySelector("[data-faq-list]");
  var unansweredList = document.querySelector("[data-unanswered]");
  var taughtList = document.querySelector("[data-taught]");
  var sectionLabelsTemplate = document.querySelector("template[data-section-labels]");
  var faqForm = document.querySelector("[data-faq-form]");
  var faqStatus = faqForm.querySelector("[data-faq-status]");

  function listOf(data, names) {
    if (Array.isArray(data)) { return data; }
    for (var i = 0; data && i < names.length; i += 1) {
      if (Array.isArray(data[names[i]])) { return data[names[i]]; }
    }
    return [];
  }

  function text(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function showAlert(message) {
    alertBox.textContent = message || "";
    alertBox.hidden = !message;
  }

  function problem(result) {
    if (result.status === 0 || result.status >= 500) { return t("chatadmin.unavailable"); }
    return t("chatadmin.failed", { message: site.errorMessage(result) });
  }

  function when(value) {
    var date = new Date(value);
    if (!value || isNaN(date.getTime())) { return text(value); }
    return date.toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium", timeStyle: "short",
    });
  }

  var sectionLabels = {};
  if (sectionLabelsTemplate) {
    sectionLabelsTemplate.content.querySelectorAll("[data-section]").forEach(function (node) {
      sectionLabels[node.getAttribute("data-section")] = node.textContent;
    });
  }

  function sectionLabel(entry) {
    var section = entry.type === "faq" ? "faq" : text(entry.section);
    if (sectionLabels[section]) { return sectionLabels[section]; }
    var key = "chatadmin.section." + section;
    var label = t(key);
    return label !== key ? label : section;
  }

  // Asked for once per page, when the first picker opens; a failure is not kept, so opening
  // another picker tries again.
  var entriesRequest = null;

  function entries() {
    if (!entriesRequest) {
      entriesRequest = site.api("GET", "/api/chat/entries").then(function (result) {
        if (!result.ok) { entriesRequest = null; }
        return result;
      });
    }
    return entriesRequest;
  }

  // Grouped by section in the order the entries come (profile order); each option still
  // names its section, since a closed select shows the option alone.
  function fillEntrySelect(select, items) {
    select.textContent = "";
    var none = element("option", "", t("chatadmin.choose_entry"));
    none.value = "";
    select.appendChild(none);
    var groups = {};
    items.forEach(function (entry) {
      if (!entry || typeof entry !== "object" || !entry.key) { return; }
      var label = sectionLabel(entry);
      if (!groups[label]) {
        groups[label] = element("optgroup");
        groups[label].label = label;
        select.appendChild(groups[label]);
      }
      var option = element("option", "", label + " · " + text(entry.title || entry.key));
      option.value = text(entry.key);
      groups[label].appendChild(option);
    });
  }

  function labelled(labelText, control) {
    var label = element("label");
    label.appendChild(element("span", "label-text", labelText));
    label.appendChild(control);
    var field = element("div", "field");
    field.appendChild(label);
    return field;
  }

  function faqItem(entry) {
    var id = entry.id !== undefined ? entry.id : entry.faq_id;
    var item = element("li");
    var form = element("form", "stack");
    var question = element("input");
    question.type = "text";
    question.name = "question";
    question.maxLength = 500;
    question.value = text(entry.question);
    var answer = element("textarea");
    answer.name = "answer";
    answer.rows = 3;
    answer.maxLength = 4000;
    answer.value = text(entry.answer);
    form.appendChild(labelled(t("chatadmin.question"), question));
    form.appendChild(labelled(t("chatadmin.answer"), answer));
    var actions = element("div", "form-actions");
    var save = element("button", "small", t("chatadmin.save"));
    save.type = "submit";
    var remove = element("button", "small danger", t("chatadmin.delete"));
    remove.type = "button";
    var status = element("p", "form-status");
    status.setAttribute("role", "status");
    actions.appendChild(save);
    actions.appendChild(remove);
    actions.appendChild(status);
    form.appendChild(actions);
    item.appendChild(form);

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var result = await site.api("PUT", "/api/site/faq/" + encodeURIComponent(id), {
        body: { question: question.value.trim(), answer: answer.value.trim() },
      });
      status.textContent = result.ok ? t("chatadmin.saved") : problem(result);
      status.className = "form-status " + (result.ok ? "ok" : "error");
    });
    remove.addEventListener("click", async function () {
      if (!window.confirm(t("chatadmin.confirm_delete"))) { return; }
      var result = await site.api("DELETE", "/api/site/faq/" + encodeURIComponent(id));
      if (result.ok) {
        item.remove();
        showAlert("");
      } else {
        status.textContent = problem(result);
        status.className = "form-status error";
      }
    });
    return item;
  }

  // An unanswered question becomes an FAQ entry in place (the chatbot marks it resolved);
  // where that is not offered, the answer goes in as a new FAQ entry.
  function unansweredItem(entry) {
    var item = element("li");
    var row = element("div", "row");
    var body = element("div");
    body.appendChild(element("p", "", text(entry.question)));
    var asked = entry.asked_at || entry.created_at;
    if (asked) { body.appendChild(element("p", "muted", t("chatadmin.asked_at", { when: when(asked) }))); }
    var tools = element("div", "form-actions");
    var answerButton = element("button", "small", t("chatadmin.answer_this"));
    answerButton.type = "button";
    var fromProfileButton = element("button", "small", t("chatadmin.answer_from_profile"));
    fromProfileButton.type = "button";
    var dismiss = element("button", "small", t("chatadmin.dismiss"));
    dismiss.type = "button";
    tools.appendChild(answerButton);
    tools.appendChild(fromProfileButton);
    tools.appendChild(dismiss);
    row.appendChild(body);
    row.appendChild(tools);
    item.appendChild(row);

    var form = element("form", "stack");
    form.hidden = true;
    var answer = element("textarea");
    answer.rows = 3;
    answer.maxLength = 4000;
    form.appendChild(labelled(t("chatadmin.your_answer"), answer));
    var actions = element("div", "form-actions");
    var save = element("button", "small primary", t("chatadmin.save"));
    save.type = "submit";
    var status = element("p", "form-status");
    status.setAttribute("role", "status");
    actions.appendChild(save);
    actions.appendChild(status);
    form.appendChild(actions);
    item.appendChild(form);

    var entryForm = element("form", "stack");
    entryForm.hidden = true;
    var entrySelect = element("select");
    entrySelect.name = "entry_key";
    entrySelect.required = true;
    entryForm.appendChild(labelled(t("chatadmin.entry_label"), entrySelect));
    var entryActions = element("div", "form-actions");
    var useEntry = element("button", "small primary", t("chatadmin.use_entry"));
    useEntry.type = "submit";
    var entryStatus = element("p", "form-status");
    entryStatus.setAttribute("role", "status");
    entryActions.appendChild(useEntry);
    entryActions.appendChild(entryStatus);
    entryForm.appendChild(entryActions);
    item.appendChild(entryForm);

    function entryProblem(message) {
      entryStatus.textContent = message;
      entryStatus.className = "form-status error";
    }

    answerButton.addEventListener("click", function () {
      entryForm.hidden = true;
      form.hidden = false;
      answer.focus();
    });
    fromProfileButton.addEventListener("click", async function () {
      form.hidden = true;
      entryForm.hidden = false;
      if (entrySelect.options.length) {
        entrySelect.focus();
        return;
      }
      useEntry.disabled = true;
      entryStatus.textContent = t("chatadmin.loading");
      entryStatus.className = "form-status";
      var result = await entries();
      if (!result.ok) {
        useEntry.disabled = false;
        entryProblem(problem(result));
        return;
      }
      var items = listOf(result.data, ["items", "entries"]);
      fillEntrySelect(entrySelect, items);
      if (entrySelect.options.length < 2) {
        entryProblem(t("chatadmin.no_entries"));
        return;
      }
      useEntry.disabled = false;
      entryStatus.textContent = "";
      entrySelect.focus();
    });
    entryForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!entrySelect.value) {
        entrySelect.focus();
        return;
      }
      useEntry.disabled = true;
      var result = await site.api(
        "POST", "/api/chat/questions/" + encodeURIComponent(entry.id) + "/entry",
        { body: { entry_key: entrySelect.value } }
      );
      useEntry.disabled = false;
      if (!result.ok) {
        entryProblem(problem(result));
        return;
      }
      load();
    });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var reply = answer.value.trim();
      if (!reply) {
        answer.focus();
        return;
      }
      var result = await site.api(
        "POST", "/api/chat/questions/" + encodeURIComponent(entry.id) + "/faq", { body: { answer: reply } }
      );
      if (result.status === 404 || result.status === 405) {
        result = await site.api("POST", "/api/site/faq", { body: { question: text(entry.question), answer: reply } });
      }
      if (!result.ok) {
        status.textContent = problem(result);
        status.className = "form-status error";
        return;
      }
      load();
    });
    dismiss.addEventListener("click", async function () {
      var result = await site.api("DELETE", "/api/chat/questions/" + encodeURIComponent(entry.id));
      if (result.ok) {
        item.remove();
      } else {
        showAlert(problem(result));
      }
    });
    return item;
  }

  function taughtItem(entry) {
    var item = element("li");
    var row = element("div", "row");
    var body = element("div");
    body.appendChild(element("p", "", text(entry.question)));
    if (text(entry.title)) {
      body.appendChild(element("p", "", "→ " + text(entry.title)));
    } else {
      body.appendChild(element("p", "muted", t("chatadmin.entry_removed")));
    }
    var tools = element("div", "form-actions");
    var forget = element("button", "small", t("chatadmin.forget"));
    forget.type = "button";
    var status = element("p", "form-status");
    status.setAttribute("role", "status");
    tools.appendChild(forget);
    tools.appendChild(status);
    row.appendChild(body);
    row.appendChild(tools);
    item.appendChild(row);

    forget.addEventListener("click", async function () {
      var result = await site.api("DELETE", "/api/chat/taught/" + encodeURIComponent(entry.id));
      if (!result.ok) {
        status.textContent = problem(result);
        status.className = "form-status error";
        return;
      }
      item.remove();
      if (!taughtList.children.length) {
        fill(taughtList, [], taughtItem, t("chatadmin.none_taught"));
      }
    });
    return item;
  }

  function fill(list, items, render, emptyText) {
    list.textContent = "";
    list.removeAttribute("aria-busy");
    if (!items.length) {
      list.appendChild(element("li", "muted", emptyText));
      return;
    }
    items.forEach(function (entry) {
      if (entry && typeof entry === "object") { list.appendChild(render(entry)); }
    });
  }

  async function load() {
    var results = await Promise.all([
      site.api("GET", "/api/site/faq"),
      site.api("GET", "/api/chat/questions?unanswered=true"),
      site.api("GET", "/api/chat/taught"),
    ]);
    var faq = results[0];
    var questions = results[1];
    var taught = results[2];
    if (faq.ok) {
      fill(faqList, listOf(faq.data, ["items", "faq", "faqs", "entries"]), faqItem, t("chatadmin.empty_faq"));
    } else {
      fill(faqList, [], faqItem, problem(faq));
    }
    if (questions.ok) {
      fill(unansweredList, listOf(questions.data, ["items", "questions"]), unansweredItem,
        t("chatadmin.none_unanswered"));
    } else {
      fill(unansweredList, [], unansweredItem, problem(questions));
    }
    if (taught.ok) {
      fill(taughtList, listOf(taught.data, ["items", "taught"]), taughtItem, t("chatadmin.none_taught"));
    } else {
      fill(taughtList, [], taughtItem, problem(taught));
    }
    showAlert(!faq.ok && !questions.ok ? problem(faq) : "");
  }

  faqForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    var question = faqForm.elements.question.value.trim();
    var answer = faqForm.elements.answer.value.trim();
    if (!question || !answer) {
      faqStatus.textContent = t("chatadmin.question") + " / " + t("chatadmin.answer");
      faqStatus.className = "form-status error";
      return;
    }
    var result = await site.api("POST", "/api/site/faq", { body: { question: question, answer: answer } });
    if (!result.ok) {
      faqStatus.textContent = problem(result);
      faqStatus.className = "form-status error";
      return;
    }
    faqForm.reset();
    faqStatus.textContent = t("chatadmin.saved");
    faqStatus.className = "form-status ok";
    load();
  });

  load();
})();
