// simad-sync's page behaviour: dropping files, choosing a cell, live progress. No inline
// script anywhere (the Content-Security-Policy forbids it); htmx does the requests.
(function () {
  "use strict";
  const persian = document.documentElement.lang === "fa";
  const digits = (v) => (v === null || v === undefined ? "-" :
    persian ? Number(v).toLocaleString("fa-IR", {useGrouping: false}) : String(v));

  function dropZone(root) {
    const zone = root.querySelector("#drop");
    if (!zone || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    const input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (e) => {
      e.preventDefault(); zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      input.files = e.dataTransfer.files;
      htmx.trigger(input.form, "drop-files");
    });
  }

  function cells(root) {
    const table = root.querySelector("#rows[data-sheet]");
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    table.addEventListener("click", (e) => {
      const cell = e.target.closest("td[data-c]");
      if (!cell) return;
      table.querySelectorAll("td.chosen").forEach((c) => c.classList.remove("chosen"));
      cell.classList.add("chosen");
      const row = cell.parentElement.dataset.row;
      const url = `/cell?ws=${table.dataset.ws}&sheet=${table.dataset.sheet}&row=${row}&col=${cell.dataset.c}`;
      htmx.ajax("GET", url, {target: "#panel"}).then(() => {
        const field = document.getElementById("value");
        if (field) { field.focus(); field.select(); }
      });
    });
  }

  function progress(root) {
    const job = root.querySelector("[data-events]");
    if (!job || job.dataset.ready) return;
    job.dataset.ready = "1";
    const source = new EventSource(job.dataset.events);
    source.onmessage = (e) => {
      const s = JSON.parse(e.data);
      job.querySelectorAll("[data-field]").forEach((el) => {
        const key = el.dataset.field;
        if (key !== "state") el.textContent = digits(s[key]);
      });
      const bar = job.querySelector("progress");
      if (bar) { bar.max = s.total || 1; bar.value = s.done; }
      const list = job.querySelector("#failures");
      if (list) {
        list.replaceChildren(...s.failures.map((f) => {
          const li = document.createElement("li");
          const where = document.createElement("bdi");
          const message = document.createElement("bdi");
          li.className = "bad";
          where.textContent = f.where;
          message.textContent = f.message;
          li.append(where, ` · ${list.dataset.row} ${digits(f.row)}: `, message);
          return li;
        }));
      }
      job.dataset.state = s.state;
      if (s.state === "done") { source.close(); refresh(job); }
    };
    source.onerror = () => { source.close(); setTimeout(() => refresh(job), 2000); };
  }

  // A finished job: its card drawn again in place when it sits in a box that says how
  // (data-refresh: the page and the fields typed in it stay), else the whole page again.
  function refresh(job) {
    const box = job.closest("[data-refresh]");
    if (box) htmx.ajax("GET", box.dataset.refresh, {target: box, swap: "innerHTML"});
    else window.location.reload();
  }

  function ready(root) { dropZone(root); cells(root); progress(root); }
  document.addEventListener("DOMContentLoaded", () => {
    ready(document);
    htmx.onLoad(() => ready(document));
    // A refusal lands in the message area at the top: bring it into view (the form that was
    // refused may be far down the page).
    document.body.addEventListener("htmx:afterSwap", (e) => {
      const target = e.detail.target;
      if (target && target.id === "flash" && target.firstElementChild) target.scrollIntoView();
    });
  });
})();
