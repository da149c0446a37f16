// simad-sync's page behaviour: dropping files, choosing a cell, live progress. No inline
// script anywhere (the Content-Security-Policy forbids it); htmx does the requests.
(function () {
  "use strict";
  const persian = document.documentElement.lang === "fa";
  const digits = (v) => (v === null || v === undefined ? "-" :
    persian ? Number(v).toLocaleString("fa-IR", {useGrouping: false}) : String(v));

  // A drop (or a chosen folder) is sent in several requests, each under the server's limit:
  // the photos first (marked "staged" when workbooks follow: they wait for them), then the
  // workbooks; a progress line counts the files; the page goes on once, after the last.
  const BATCH_BYTES = 8 * 1024 * 1024;
  const BATCH_FILES = 200;
  const BOOKS = /\.(xlsx|xlsm|ods|xls|csv)$/i;
  const PHOTOS = /\.(jpe?g|jpe|jfif|png|gif|bmp|webp|heic|heif|tiff?|zip)$/i;

  function batches(files) {
    const out = [];
    let batch = [], size = 0;
    files.forEach((f) => {
      if (batch.length && (size + f.size > BATCH_BYTES || batch.length >= BATCH_FILES)) {
        out.push(batch); batch = []; size = 0;
      }
      batch.push(f); size += f.size;
    });
    if (batch.length) out.push(batch);
    return out;
  }

  async function sendFiles(form, list) {
    const all = Array.from(list);
    const hidden = (f) => /(^|\/)\./.test(f.webkitRelativePath || f.name);
    // A loose file of another kind goes with the workbooks (the server says what is wrong
    // with it); one inside a chosen folder is left aside, as the server would.
    const photos = all.filter((f) => PHOTOS.test(f.name) && !hidden(f));
    let books = all.filter((f) => !PHOTOS.test(f.name) && !hidden(f) &&
      (BOOKS.test(f.name) || !f.webkitRelativePath));
    if (!books.length && !photos.length) books = all;
    const requests = batches(photos).map((b) => ({files: b, staged: books.length > 0}));
    if (books.length) requests.push({files: books, staged: false});
    const line = document.getElementById("upload-progress");
    const total = books.length + photos.length;
    const token = document.querySelector("meta[name=csrf-token]").content;
    const flash = document.getElementById("flash");
    let done = 0, next = null;
    form.setAttribute("aria-busy", "true");
    try {
      for (const r of requests) {
        if (line) {
          line.hidden = false;
          line.textContent = line.dataset.text.replace("{done}", digits(done)).replace("{total}", digits(total));
        }
        const body = new FormData();
        r.files.forEach((f) => body.append("files", f, f.webkitRelativePath || f.name));
        if (r.staged) body.append("staged", "1");
        const response = await fetch("/upload", {
          method: "POST", body, credentials: "same-origin",
          headers: {"HX-Request": "true", "X-CSRF-Token": token},
        });
        if (!response.ok) {
          if (flash) { // the server's sentence, as htmx would have swapped it in
            const page = new DOMParser().parseFromString(await response.text(), "text/html");
            flash.replaceChildren(...page.body.childNodes);
            flash.scrollIntoView();
          }
          if (line) line.hidden = true;
          return;
        }
        done += r.files.length;
        next = response.headers.get("HX-Redirect") || next;
      }
    } catch (err) {
      if (line) line.textContent = line.dataset.failed;
      return;
    } finally {
      form.removeAttribute("aria-busy");
    }
    window.location.assign(next || "/");
  }

  function dropZone(root) {
    const zone = root.querySelector("#drop");
    if (!zone || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    const form = zone.closest("form");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (e) => {
      e.preventDefault(); zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      sendFiles(form, e.dataTransfer.files);
    });
    form.querySelectorAll("input[type=file]").forEach((input) => input.addEventListener("change", () => {
      if (input.files.length) sendFiles(form, input.files).finally(() => { input.value = ""; });
    }));
    form.addEventListener("submit", (e) => e.preventDefault());
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
      const box = cell.closest(".scroll"), head = table.tHead; // not under the sticky header
      const line = head && head.rows.length ? head.rows[head.rows.length - 1].cells[0] : null;
      const under = line ? line.getBoundingClientRect().bottom - cell.getBoundingClientRect().top : 0;
      if (box && under > 0) box.scrollTop -= under + 4; // the header's cells are the sticky ones
    }
  }

  function open(cell, field) {
    const table = cell.closest("table");
    table.querySelectorAll("td.chosen").forEach((c) => c.classList.remove("chosen"));
    cell.classList.add("chosen");
    rove(cell, !field);
    const row = cell.parentElement.dataset.row;
    const url = `/cell?ws=${table.dataset.ws}&sheet=${table.dataset.sheet}&row=${row}&col=${cell.dataset.c}`;
    // The field takes the focus once the panel has settled: htmx readies the new form only
    // then, and Enter in a form not yet readied would post it as a page.
    if (field) {
      const ready = (e) => {
        if (!e.detail.target || e.detail.target.id !== "panel") return;
        document.body.removeEventListener("htmx:afterSettle", ready);
        const input = document.getElementById("value");
        if (input) { input.focus(); input.select(); }
      };
      document.body.addEventListener("htmx:afterSettle", ready);
    }
    htmx.ajax("GET", url, {target: "#panel"});
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
    const m = /^([A-Z]*)(\d+)$/.exec(address || ""); // "C12", or "12": the row's first red cell
    const row = m && table.querySelector(`tr[data-rowno="${m[2]}"]`);
    const inRow = row && (m[1] ? row.querySelector(`td[data-c="${column(m[1])}"]`) :
      row.querySelector("td.error[data-c]") || row.querySelector("td[data-c]"));
    return inRow || table.querySelector("td.error[data-c]") || table.querySelector("td[data-c]");
  }

  // A link from another page names a cell (?cell=O9) or a row (#row-SHEET-ROW): on load
  // that cell is brought into view, takes the focus and is opened, as after a finding link.
  let landed = false;
  function land(table) {
    if (landed) return;
    landed = true;
    const asked = new URLSearchParams(window.location.search).get("cell");
    const hash = /^#row-(\d+)-(\d+)$/.exec(window.location.hash);
    if (hash && hash[1] !== table.dataset.sheet) return;
    const address = (asked || (hash ? hash[2] : "")).toUpperCase();
    if (!/^[A-Z]*\d+$/.test(address)) return;
    const go = () => {
      const box = table.closest(".scroll");
      if (box) box.scrollIntoView({block: "nearest"});
      open(cellAt(table, address), false);
    };
    // the browser's own jump to the #row (which takes the focus away) is over at "load"
    if (hash && document.readyState !== "complete") {
      window.addEventListener("load", () => requestAnimationFrame(go), {once: true});
    } else go();
  }
  window.addEventListener("hashchange", () => { // another #row on the same page
    const table = grid();
    if (table && table.dataset.ready) { landed = false; requestAnimationFrame(() => land(table)); }
  });

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
    land(table);
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

  // The question about corrections not downloaded: once a download has counted them as
  // downloaded, the question is drawn again (the count gone, "go on" safe).
  function unsavedPage(root) {
    const box = root.querySelector("#unsaved");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    box.addEventListener("click", (e) => {
      if (!e.target.closest("a[id^=unsaved-download]")) return;
      const before = box.querySelector("#unsaved-count").dataset.count;
      let tries = 0;
      const poll = async () => {
        tries += 1;
        try {
          const response = await fetch(window.location.href, {credentials: "same-origin"});
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = page.querySelector("#unsaved");
          const count = fresh && fresh.querySelector("#unsaved-count");
          if (count && count.dataset.count !== before) {
            box.replaceWith(fresh);
            htmx.process(fresh);
            unsavedPage(document);
            const go = document.getElementById("answer-go");
            if (go) go.focus();
            return;
          }
        } catch (err) { /* the next try */ }
        if (tries < 15) setTimeout(poll, 1000);
      };
      setTimeout(poll, 700);
    });
  }

  function ready(root) { dropZone(root); cells(root); progress(root); unsavedPage(root); }
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
      else if (e.key === "Escape" && e.target.closest && e.target.closest("#resend-plan")) {
        e.preventDefault();
        dismiss(document.getElementById("resend-cancel"));
      }
    });
    // A confirmation's Cancel (data-dismiss: the box it empties): nothing is sent, and the
    // keyboard goes back to the button that asked for the confirmation.
    let asker = null;
    function dismiss(button) {
      const box = button && document.getElementById(button.dataset.dismiss);
      if (!box) return;
      box.replaceChildren();
      if (asker && document.body.contains(asker)) asker.focus();
    }
    document.body.addEventListener("click", (e) => {
      const button = e.target.closest && e.target.closest("[data-dismiss]");
      if (button) dismiss(button);
    });
    document.body.addEventListener("htmx:afterSwap", (e) => {
      const target = e.detail.target;
      if (target && target.id === "flash" && target.firstElementChild) target.scrollIntoView();
      const plan = target && target.id === "resend-confirm" && target.querySelector("#resend-plan");
      if (plan) {
        const evt = e.detail.requestConfig && e.detail.requestConfig.triggeringEvent;
        asker = (evt && evt.submitter) || document.activeElement;
        plan.focus();
      }
    });
  });
})();
