// One live chat for the agent: the transcript so far (server-rendered), then every event of
// the chat as it happens (Server-Sent Events; the browser resumes after its last event id).
// Actions are POSTs with the console's CSRF token. Text is inserted as text, never HTML.
"use strict";

(function () {
  const section = document.getElementById("live-chat");
  if (!section) return;
  const d = section.dataset;
  const log = document.getElementById("live-log");
  const notice = document.getElementById("live-notice");
  const me = Number(d.me);
  const buttons = {
    take: document.getElementById("live-take"),
    giveBack: document.getElementById("live-give-back"),
    close: document.getElementById("live-close"),
  };
  const compose = document.getElementById("live-compose");
  const ticketForm = document.getElementById("live-ticket-form");
  const text = document.getElementById("live-text");

  function line(kind, who, said) {
    const item = document.createElement("li");
    item.className = "turn " + kind;
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who;
    const body = document.createElement("span");
    body.className = "said";
    body.setAttribute("dir", "auto"); // Arabic text runs right to left after a Latin label
    body.textContent = said;
    item.append(name, " ", body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function say(message, bad) {
    notice.hidden = !message;
    notice.textContent = message || "";
    notice.classList.toggle("error", !!bad);
  }

  function show(state, holder) {
    const mine = state === "taken" && holder === me;
    buttons.take.hidden = state !== "waiting";
    buttons.giveBack.hidden = !mine;
    buttons.close.hidden = !mine;
    compose.hidden = !mine;
    ticketForm.hidden = !mine;
    section.dataset.state = state;
    section.dataset.mine = mine ? "1" : "";
  }

  async function post(url, fields) {
    const form = new URLSearchParams(fields || {});
    form.set("csrf_token", d.csrf);
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: form,
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) say((body && body.error) || ("Refused (" + response.status + ")"), true);
    return response.ok ? body : null;
  }

  buttons.take.addEventListener("click", function () { post(d.take); });
  buttons.giveBack.addEventListener("click", function () { post(d.giveBack); });
  buttons.close.addEventListener("click", function () { post(d.close); });
  compose.addEventListener("submit", async function (event) {
    event.preventDefault();
    const message = text.value.trim();
    if (!message) return;
    if (await post(d.send, { text: message })) text.value = "";
    text.focus();
  });
  ticketForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const body = await post(d.ticket, {
      priority: document.getElementById("live-priority").value,
      summary: document.getElementById("live-summary").value,
    });
    if (body) say(body.number ? "Ticket " + body.number + " opened." : "No ticket: " + body.outcome + " (" + body.reason + ")", !body.number);
  });

  const stream = new EventSource(d.stream + "?after=" + encodeURIComponent(d.after));
  stream.addEventListener("message", function (event) {
    const e = JSON.parse(event.data);
    const who = e.speaker === "agent" ? "agent:" + e.staff_id + " (" + e.name + ")" : e.speaker;
    line(e.speaker, who, e.text).dataset.eventId = event.lastEventId;
  });
  stream.addEventListener("status", function (event) {
    const e = JSON.parse(event.data);
    line("status", "—", e.text + (e.name ? " (" + e.name + ")" : ""));
  });
  stream.addEventListener("state", function (event) {
    const e = JSON.parse(event.data);
    document.getElementById("live-state").textContent = e.state + (e.agent ? " (" + e.agent + ")" : "");
    show(e.state, e.id);
    section.dataset.ready = "1";
  });
  stream.addEventListener("presence", function (event) {
    const e = JSON.parse(event.data);
    const shown = document.getElementById("live-presence");
    shown.textContent = e.present ? "on the page" : "has left the page" + (e.seen_at ? " (last seen " + e.seen_at + ")" : "");
    shown.classList.toggle("gone", !e.present);
    section.dataset.present = e.present ? "1" : "0";
  });
  show(null, null);
})();
