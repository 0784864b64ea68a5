// Help Center chat panel: posts each message to our own /help/chat (same origin, CSRF header)
// and shows the bot's replies with their buttons. Bot text is inserted as text, never as HTML.
"use strict";

(function () {
  const panel = document.getElementById("chat");
  if (!panel) return;
  const endpoint = panel.dataset.endpoint;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const language = document.getElementById("chat-language");
  const FALLBACK_ERROR = panel.dataset.unavailable ||
    "Sorry, the assistant is not available right now. Please try again.";
  let started = false;

  function messageId() {  // random, 32 hex digits (crypto.randomUUID needs a secure context)
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function bubble(kind, text, lang) {
    const item = document.createElement("li");
    item.className = "msg " + kind;
    item.setAttribute("dir", "auto");
    if (lang) item.setAttribute("lang", lang);
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function showButtons(item, buttons) {
    if (!buttons || !buttons.length) return;
    const row = document.createElement("div");
    row.className = "buttons";
    row.setAttribute("dir", "auto");
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.dataset.payload = b.payload;
      button.addEventListener("click", function () {
        row.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        send(b.payload, b.title);
      });
      row.appendChild(button);
    }
    item.appendChild(row);
  }

  async function send(message, shown) {
    started = true;
    const mine = bubble("user", shown || message, language.value);
    panel.classList.add("busy");
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        // one id per message: a copy that reaches Rasa twice is answered once (docs/scale-out.md)
        body: JSON.stringify({ message: message, language: language.value, message_id: messageId() }),
      });
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      if (!response.ok || !body || !Array.isArray(body.replies)) {
        bubble("error", (body && body.error) || FALLBACK_ERROR);
        return;
      }
      // the language each text is in (a German message on an English page is German)
      if (typeof body.message_lang === "string") mine.setAttribute("lang", body.message_lang);
      for (const reply of body.replies) {
        showButtons(bubble("bot", reply.text, reply.lang), reply.buttons);
      }
      if (body.live) follow(body.live);
      if (body.survey) askSurvey(body.survey);
    } catch (e) {
      bubble("error", FALLBACK_ERROR);
    } finally {
      panel.classList.remove("busy");
      input.focus();
    }
  }

  // The survey after a chat that opened a ticket (docs/phone.md "Survey"): two questions as
  // buttons, both answers posted once to /help/survey; asked once per page.
  let surveyed = false;
  function choices(item, options, chosen) {
    const row = document.createElement("div");
    row.className = "buttons survey";
    row.setAttribute("dir", "auto");
    for (const [title, value] of options) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = title;
      button.addEventListener("click", function () {
        row.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        chosen(value);
      });
      row.appendChild(button);
    }
    item.appendChild(row);
  }
  function askSurvey(survey) {
    if (surveyed) return;
    surveyed = true;
    const lang = language.value;
    choices(bubble("bot survey", survey.understood, lang), [[survey.yes, true], [survey.no, false]],
      function (understood) {
        const scores = [1, 2, 3, 4, 5].map(function (n) { return [String(n), n]; });
        choices(bubble("bot survey", survey.score, lang), scores, function (score) {
          fetch(survey.endpoint, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
            body: JSON.stringify({ ticket: survey.ticket, understood: understood, score: score, language: lang }),
          }).then(function (r) { if (r.ok) bubble("bot survey", survey.thanks, lang); })
            .catch(function () {});
        });
      });
  }

  // Live hand-off (docs/live-chat.md): once an agent is asked for, the page follows the live
  // chat's stream: the agent's (and the returning bot's) messages, the place in the queue.
  let stream = null;
  const waiting = document.createElement("p");
  waiting.className = "live-waiting";
  waiting.id = "live-waiting";
  waiting.setAttribute("dir", "auto");
  waiting.setAttribute("role", "status");
  waiting.hidden = true;
  log.after(waiting);

  function follow(live) {
    started = true;
    panel.dataset.live = live.state;
    if (stream) return;
    stream = new EventSource(live.stream + "?after=" + encodeURIComponent(live.after));
    stream.addEventListener("message", function (event) {
      const e = JSON.parse(event.data);
      waiting.hidden = true;
      const item = bubble(e.speaker === "agent" ? "agent" : "bot", e.text, e.lang);
      item.dataset.eventId = event.lastEventId;
      if (e.speaker === "agent") {
        const who = document.createElement("span");
        who.className = "who";
        who.textContent = e.name + " · " + e.label;
        who.setAttribute("dir", "auto");
        item.prepend(who);
        // the label comes first: the text's own language sets the bubble's direction
        if (e.lang === "ar") item.setAttribute("dir", "rtl");
      }
      showButtons(item, e.buttons);
    });
    stream.addEventListener("status", function (event) {
      const e = JSON.parse(event.data);
      if (e.status === "taken" || e.status === "returned" || e.status === "closed") waiting.hidden = true;
      panel.dataset.live = e.status;
      if (e.text) bubble("status", e.text, language.value);
    });
    stream.addEventListener("waiting", function (event) {
      const e = JSON.parse(event.data);
      waiting.textContent = e.text;
      waiting.dataset.position = e.position;
      waiting.hidden = false;
    });
    stream.addEventListener("end", function () {
      stream.close();
      stream = null;
      waiting.hidden = true;
      panel.dataset.live = "";
    });
  }

  // after a reload: a live chat in progress is followed again
  fetch(panel.dataset.liveState || "/help/live/state", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) { if (body && body.live) follow(body.live); })
    .catch(function () {});

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  // Before the conversation starts, another language shows the whole page in it; afterwards
  // it only changes the language the assistant is asked to use.
  language.addEventListener("change", function () {
    if (started) return;
    const url = new URL(window.location.href);
    url.searchParams.set("lang", language.value);
    window.location.assign(url.toString());
  });
  // ready: the form is ours now (the page ships the button disabled)
  document.getElementById("chat-send").disabled = false;
  form.dataset.ready = "1";
})();
