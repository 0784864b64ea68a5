// Hand-off queue, live: the server sends the whole queue each time it changes (Server-Sent
// Events, web/console/live.py); wait times tick here. Text is inserted as text, never HTML.
"use strict";

(function () {
  const section = document.getElementById("live");
  if (!section || !window.EventSource) return;
  const body = document.querySelector("#live-queue tbody");
  let offset = 0; // server clock minus this browser's, so that wait times use the server's

  function waited(since) {
    const seconds = Math.max(0, Math.floor((Date.now() + offset - Date.parse(since)) / 1000));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m + " min " + String(s).padStart(2, "0") + " s";
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function render(rows) {
    body.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.className = "none";
      cell(tr, "Nobody is waiting.", "empty").colSpan = 8;
      body.appendChild(tr);
      return;
    }
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = r.id;
      tr.dataset.state = r.state;
      cell(tr, waited(r.requested_at), "wait").dataset.since = r.requested_at;
      cell(tr, r.customer);
      cell(tr, r.contract);
      cell(tr, r.plan);
      cell(tr, r.language);
      cell(tr, r.state + (r.agent ? " (" + r.agent + ")" : ""), "state");
      cell(tr, r.summary, "said");
      const link = document.createElement("a");
      link.href = r.url;
      link.textContent = "Open";
      cell(tr, "").appendChild(link);
      body.appendChild(tr);
    }
  }

  function tick() {
    body.querySelectorAll("td.wait").forEach(function (td) {
      td.textContent = waited(td.dataset.since);
    });
  }

  const stream = new EventSource(section.dataset.stream);
  stream.addEventListener("queue", function (event) {
    const data = JSON.parse(event.data);
    offset = Date.parse(data.now) - Date.now();
    render(data.rows);
    section.dataset.ready = "1";
  });
  stream.addEventListener("error", function () {
    document.getElementById("live-status").textContent = "(reconnecting…)";
  });
  stream.addEventListener("open", function () {
    document.getElementById("live-status").textContent = "(updates by itself)";
  });
  tick();
  setInterval(tick, 1000);
})();
