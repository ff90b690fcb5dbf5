// The chatbot's admin section:
//   the owner's FAQ, kept by the site (the chatbot answers from it):
//     GET/POST /api/site/faq ({question, answer}); PUT/DELETE /api/site/faq/{id}
//   the chatbot's question log:
//     GET /api/chat/questions/summary?days=7 -> {asked, answered, declined,
//       declined_with_suggestions, suggestion_picked}: how it did lately
//     GET /api/chat/questions?unanswered=true[&order=most_asked] -> [{id, question, asked_at,
//       times_asked}]: one per wording; answering or dismissing it does the same for its repeats
//     GET /api/chat/questions?answered=true&limit=50 -> {items: [{id, question, answer,
//       answered, sources: [{type, section, index, field, id, title}], asked_at,
//       times_asked}]}: the answered questions, one per wording, newest first
//     POST /api/chat/questions/{id}/faq ({answer}): the chatbot adds it to the site's FAQ
//   teaching the chatbot which of its entries answers a logged question:
//     GET /api/chat/entries -> {items: [{key, title, section, type}]}, in profile order
//     (a logged question offered entries to the visitor may name the one they picked:
//     picked: {key, title}; it is chosen first in the picker)
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
  var unansweredOrder = document.querySelector("[data-unanswered-order]");
  var recentList = document.querySelector("[data-recent]");
  // The latest answered questions shown, out of the latest questions logged.
  var RECENT_SHOWN = 20;
  var RECENT_FETCHED = 50;
  var taughtList = document.querySelector("[data-taught]");
  var summaryText = document.querySelector("[data-summary]");
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
  // The entries the chatbot ranks best for the question come first, the first of them
  // chosen: most often the owner only confirms it.
  function fillEntrySelect(select, items, suggested) {
    select.textContent = "";
    var none = element("option", "", t("chatadmin.choose_entry"));
    none.value = "";
    select.appendChild(none);
    function option(entry) {
      var label = sectionLabel(entry) + " · " + text(entry.title || entry.key);
      var node = element("option", "", label);
      node.value = text(entry.key);
      return node;
    }
    function usable(entry) {
      return entry && typeof entry === "object" && entry.key;
    }
    var likely = suggested.filter(usable);
    if (likely.length) {
      var first = element("optgroup");
      first.label = t("chatadmin.suggested");
      likely.forEach(function (entry) { first.appendChild(option(entry)); });
      select.appendChild(first);
    }
    var groups = {};
    items.filter(usable).forEach(function (entry) {
      var label = sectionLabel(entry);
      if (!groups[label]) {
        groups[label] = element("optgroup");
        groups[label].label = label;
        select.appendChild(groups[label]);
      }
      groups[label].appendChild(option(entry));
    });
    if (likely.length) { select.value = text(likely[0].key); }
  }

  function button(className, label, type) {
    var node = element("button", className, label);
    node.type = type;
    return node;
  }

  // A row of buttons (and the status line that reports on them).
  function actionsOf(children) {
    var node = element("div", "form-actions");
    children.forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // Where a form or a row says how its request went; read out by screen readers.
  function statusLine() {
    var node = element("p", "form-status");
    node.setAttribute("role", "status");
    return node;
  }

  // A form shown on demand: one labelled control, its submit button and a status line.
  function hiddenForm(labelText, control, submitText) {
    var form = element("form", "stack");
    form.hidden = true;
    form.appendChild(labelled(labelText, control));
    var submit = button("small primary", submitText, "submit");
    var status = statusLine();
    form.appendChild(actionsOf([submit, status]));
    return { form: form, submit: submit, status: status };
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
    var save = button("small", t("chatadmin.save"), "submit");
    var remove = button("small danger", t("chatadmin.delete"), "button");
    var status = statusLine();
    form.appendChild(actionsOf([save, remove, status]));
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

  // The answer as the owner skims it: whole characters, cut with "…" past about `limit`.
  function shortened(value, limit) {
    var characters = Array.from(text(value).trim());
    if (characters.length <= limit) { return characters.join(""); }
    return characters.slice(0, limit - 1).join("").trim() + "…";
  }

  // The title of the entry an answer came from; "" when the log names none.
  function sourceTitle(entry) {
    var sources = listOf(entry.sources, []);
    var first = sources[0];
    return first && typeof first === "object" ? text(first.title || first.key) : "";
  }

  function isSmallTalk(entry) {
    var first = listOf(entry.sources, [])[0];
    return Boolean(first && typeof first === "object" && first.type === "smalltalk");
  }

  // A logged question, with what the owner can do about it: answer it in the FAQ (in place:
  // the chatbot marks it resolved; where that is not offered, the answer goes in as a new
  // FAQ entry) or show the chatbot the entry of the profile that answers it.
  // An unanswered question can also be dismissed; an answered one shows the chatbot's answer
  // and the entry it came from, so the owner can see when it is wrong.
  function questionItem(entry, showAnswer) {
    var item = element("li");
    var row = element("div", "row");
    var body = element("div");
    body.appendChild(element("p", "", text(entry.question)));
    if (showAnswer) {
      body.appendChild(element("p", "muted", shortened(entry.answer, 200)));
      var title = sourceTitle(entry);
      if (title) { body.appendChild(element("p", "muted", t("chatadmin.answered_from", { title: title }))); }
    }
    var picked = entry.picked && typeof entry.picked === "object" && entry.picked.key ? entry.picked : null;
    if (picked) {
      body.appendChild(element("p", "muted", t("chatadmin.visitor_picked", { title: text(picked.title || picked.key) })));
    }
    var asked = entry.asked_at || entry.created_at;
    if (asked) {
      // One line of either list stands for every asking of its wording.
      var times = typeof entry.times_asked === "number" ? entry.times_asked : 1;
      var askedText = times > 1
        ? t("chatadmin.asked_times", { count: String(times), when: when(asked) })
        : t("chatadmin.asked_at", { when: when(asked) });
      body.appendChild(element("p", "muted", askedText));
    }
    var tools = element("div", "form-actions");
    var answerButton = button("small", t("chatadmin.answer_this"), "button");
    var fromProfileButton = button("small", t("chatadmin.answer_from_profile"), "button");
    tools.appendChild(answerButton);
    tools.appendChild(fromProfileButton);
    var dismiss = null;
    if (!showAnswer) {
      dismiss = button("small", t("chatadmin.dismiss"), "button");
      tools.appendChild(dismiss);
    }
    row.appendChild(body);
    row.appendChild(tools);
    item.appendChild(row);

    var answer = element("textarea");
    answer.rows = 3;
    answer.maxLength = 4000;
    var answerForm = hiddenForm(t("chatadmin.your_answer"), answer, t("chatadmin.save"));
    var form = answerForm.form;
    var status = answerForm.status;
    item.appendChild(form);

    var entrySelect = element("select");
    entrySelect.name = "entry_key";
    entrySelect.required = true;
    var picker = hiddenForm(t("chatadmin.entry_label"), entrySelect, t("chatadmin.use_entry"));
    var entryForm = picker.form;
    var useEntry = picker.submit;
    var entryStatus = picker.status;
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
      var results = await Promise.all([
        entries(),
        site.api("GET", "/api/chat/questions/" + encodeURIComponent(entry.id) + "/suggestions"),
      ]);
      var result = results[0];
      if (!result.ok) {
        useEntry.disabled = false;
        entryProblem(problem(result));
        return;
      }
      // Without suggestions (an older chatbot, say) the whole profile is still offered.
      var suggested = results[1].ok ? listOf(results[1].data, ["items"]) : [];
      if (picked) {
        // What the visitor picked comes first (chosen), then the engine's other likely ones.
        var known = listOf(result.data, ["items", "entries"]).filter(function (item) {
          return item && item.key === picked.key;
        });
        if (known.length) {
          suggested = known.concat(suggested.filter(function (item) { return item && item.key !== picked.key; }));
        }
      }
      fillEntrySelect(entrySelect, listOf(result.data, ["items", "entries"]), suggested);
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
    if (dismiss) {
      dismiss.addEventListener("click", async function () {
        var result = await site.api("DELETE", "/api/chat/questions/" + encodeURIComponent(entry.id));
        if (result.ok) {
          item.remove();
        } else {
          showAlert(problem(result));
        }
      });
    }
    return item;
  }

  function unansweredItem(entry) {
    return questionItem(entry, false);
  }

  function answeredItem(entry) {
    return questionItem(entry, true);
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
    var forget = button("small", t("chatadmin.forget"), "button");
    var status = statusLine();
    row.appendChild(body);
    row.appendChild(actionsOf([forget, status]));
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

  // "42 questions: 35 answered, 7 not answered." and, when some were offered entries, how
  // many of those a visitor picked from.
  function showSummary(result) {
    if (!summaryText) { return; }
    summaryText.removeAttribute("aria-busy");
    var data = result.data || {};
    if (!result.ok) {
      summaryText.textContent = problem(result);
      return;
    }
    if (!data.asked) {
      summaryText.textContent = t("chatadmin.summary_none");
      return;
    }
    var sentences = [t("chatadmin.summary_text", {
      asked: text(data.asked), answered: text(data.answered), declined: text(data.declined),
    })];
    if (data.declined_with_suggestions) {
      sentences.push(t("chatadmin.summary_offered", {
        offered: text(data.declined_with_suggestions), picked: text(data.suggestion_picked || 0),
      }));
    }
    summaryText.textContent = sentences.join(" ");
  }

  // Newest first, or the most asked first: the questions whose answer helps the most visitors.
  function unansweredPath() {
    var order = unansweredOrder && unansweredOrder.value === "most_asked" ? "&order=most_asked" : "";
    return "/api/chat/questions?unanswered=true" + order;
  }

  function showUnanswered(questions) {
    if (questions.ok) {
      fill(unansweredList, listOf(questions.data, ["items", "questions"]), unansweredItem,
        t("chatadmin.none_unanswered"));
    } else {
      fill(unansweredList, [], unansweredItem, problem(questions));
    }
  }

  if (unansweredOrder) {
    unansweredOrder.addEventListener("change", async function () {
      showUnanswered(await site.api("GET", unansweredPath()));
    });
  }

  async function load() {
    var results = await Promise.all([
      site.api("GET", "/api/site/faq"),
      site.api("GET", unansweredPath()),
      site.api("GET", "/api/chat/taught"),
      site.api("GET", "/api/chat/questions?answered=true&limit=" + RECENT_FETCHED),
      site.api("GET", "/api/chat/questions/summary?days=7"),
    ]);
    var faq = results[0];
    var questions = results[1];
    var taught = results[2];
    var recent = results[3];
    showSummary(results[4]);
    if (faq.ok) {
      fill(faqList, listOf(faq.data, ["items", "faq", "faqs", "entries"]), faqItem, t("chatadmin.empty_faq"));
    } else {
      fill(faqList, [], faqItem, problem(faq));
    }
    showUnanswered(questions);
    if (recent.ok) {
      var answered = listOf(recent.data, ["items", "questions"]).filter(function (entry) {
        return entry && typeof entry === "object" && entry.answered === true && !isSmallTalk(entry);
      });
      fill(recentList, answered.slice(0, RECENT_SHOWN), answeredItem, t("chatadmin.none_recent"));
    } else {
      fill(recentList, [], answeredItem, problem(recent));
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
