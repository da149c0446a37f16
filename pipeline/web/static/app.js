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

  // The sheet is a grid for the keyboard: one cell takes Tab (roving tabindex), the arrow
  // keys move (left and right as seen, also right to left), Enter opens the cell in the side
  // panel, Escape closes the panel and gives the focus back to its cell.
  const rtl = document.documentElement.dir === "rtl";
  let pending = null; // the cell a finding link asked for, "C12"

  function grid() { return document.querySelector("#rows[data-sheet]"); }

  function rove(cell, focus) {
    const table = cell.closest("table");
    table.querySelectorAll("td[tabindex='0']").forEach((c) => { c.tabIndex = -1; });
    cell.tabIndex = 0;
    if (focus) {
      cell.focus({preventScroll: true});
      cell.scrollIntoView({block: "nearest", inline: "center"});
    }
  }

  function open(cell, field) {
    const table = cell.closest("table");
    table.querySelectorAll("td.chosen").forEach((c) => c.classList.remove("chosen"));
    cell.classList.add("chosen");
    rove(cell, !field);
    const row = cell.parentElement.dataset.row;
    const url = `/cell?ws=${table.dataset.ws}&sheet=${table.dataset.sheet}&row=${row}&col=${cell.dataset.c}`;
    htmx.ajax("GET", url, {target: "#panel"}).then(() => {
      const input = document.getElementById("value");
      if (field && input) { input.focus(); input.select(); }
    });
  }

  function step(cell, key) {
    const row = cell.parentElement;
    const across = {ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1}[key];
    if (across) {
      const next = across > 0 ? cell.nextElementSibling : cell.previousElementSibling;
      return next && next.matches("td[data-c]") ? next : null;
    }
    if (key === "Home") return row.querySelector("td[data-c]");
    if (key === "End") return row.querySelector("td[data-c]:last-child");
    const other = key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    return other ? other.querySelector(`td[data-c="${cell.dataset.c}"]`) : null;
  }

  function column(letters) { // "C" -> 2, "AA" -> 26
    return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  }

  function cellAt(table, address) {
    const m = /^([A-Z]+)(\d+)$/.exec(address || "");
    const row = m && table.querySelector(`tr[data-rowno="${m[2]}"]`);
    return (row && row.querySelector(`td[data-c="${column(m[1])}"]`)) ||
      table.querySelector("td.error[data-c]") || table.querySelector("td[data-c]");
  }

  function cells(root) {
    root.querySelectorAll(".scroll:not([tabindex])").forEach((box) => {
      if (!box.querySelector("[tabindex='0'], #rows")) box.tabIndex = 0; // scrolled by keyboard
    });
    const table = grid();
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    const first = table.querySelector("td.chosen") || table.querySelector("td.error[data-c]") ||
      table.querySelector("td[data-c]");
    table.querySelectorAll("td[data-c]").forEach((c) => { c.tabIndex = c === first ? 0 : -1; });
    table.addEventListener("click", (e) => {
      const cell = e.target.closest("td[data-c]");
      if (cell) open(cell, true);
    });
    table.addEventListener("keydown", (e) => {
      const cell = e.target.closest("td[data-c]");
      if (!cell) return;
      if (e.key === "Enter" || e.key === "F2") { e.preventDefault(); open(cell, true); return; }
      const next = step(cell, e.key);
      if (next) { e.preventDefault(); rove(next, true); }
    });
  }

  // After a swap of the check page: the cell a finding link named is brought into view, takes
  // the focus and is opened; after a save the focus goes back to the saved cell.
  function settled(e) {
    const elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    const table = grid();
    if (!elt || !table) return;
    if (elt.id === "edit") {
      const saved = table.querySelector("td.chosen") || cellAt(table, "");
      const at = (name) => document.querySelector(`#edit input[name=${name}]`);
      const row = at("row") && table.querySelector(`tr[data-row="${at("row").value}"]`);
      const cell = (row && row.querySelector(`td[data-c="${at("col").value}"]`)) || saved;
      if (cell) { cell.classList.add("chosen"); rove(cell, true); }
    } else if (pending !== null && elt.closest && elt.closest("#groups")) {
      const cell = cellAt(table, pending);
      pending = null;
      if (cell) open(cell, false);
    } else if (elt.closest && elt.closest(".tools, .pages, #counts")) {
      const cell = table.querySelector("td[data-c][tabindex='0']");
      if (cell) rove(cell, true); // another sheet, filter or page: the keyboard stays on the grid
    }
  }

  function closePanel() {
    const panel = document.getElementById("panel");
    const table = grid();
    if (!panel || !panel.querySelector("#edit") || document.querySelector("dialog[open]")) return false;
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = panel.dataset.hint || "";
    panel.replaceChildren(hint);
    const cell = table && table.querySelector("td.chosen");
    if (cell) { cell.classList.remove("chosen"); rove(cell, true); }
    return true;
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
    document.body.addEventListener("click", (e) => {
      const link = e.target.closest && e.target.closest("#groups a[data-cell]");
      if (link) pending = link.dataset.cell;
    }, true);
    document.body.addEventListener("htmx:afterSettle", settled);
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && closePanel()) e.preventDefault();
    });
    document.body.addEventListener("htmx:afterSwap", (e) => {
      const target = e.detail.target;
      if (target && target.id === "flash" && target.firstElementChild) target.scrollIntoView();
    });
  });
})();
