/* Jejaring's pages: a little plain JavaScript on server-rendered HTML. Every page works
   without it except the upload (the token goes in a header). Text from the server is put in
   with textContent, or is HTML the server rendered with autoescaping. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* Search: leave empty filters out of the address. */
  function searchForm() {
    var form = document.getElementById("search-form");
    if (!form) return;
    var filters = document.getElementById("filters");
    if (filters) filters.open = window.matchMedia("(min-width: 600px)").matches;
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.name !== "q" && !el.value) el.disabled = true;
      });
      setTimeout(function () {
        Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
      }, 0);
    });
  }

  /* Heat map: sort rows by a column; open a cell's studies beside the table. */
  function heatMap() {
    var table = document.getElementById("heatmap");
    if (!table) return;
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];

    Array.prototype.forEach.call(table.querySelectorAll("button.sort"), function (button) {
      button.addEventListener("click", function () {
        var col = Number(button.getAttribute("data-col"));
        var th = heads[col];
        var numeric = th.getAttribute("data-type") === "number";
        var current = th.getAttribute("aria-sort");
        // Numbers sort largest first, names A to Z; a second click turns the order round.
        var descending = current ? current === "ascending" : numeric;
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-v");
          var y = b.cells[col].getAttribute("data-v");
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          if (descending) order = -order;
          if (order === 0) {  // ties by name, A to Z
            order = a.cells[0].getAttribute("data-v").localeCompare(b.cells[0].getAttribute("data-v"));
          }
          return order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });

    var panel = document.getElementById("cell-panel");
    var opened = null;
    function close() {
      panel.hidden = true;
      panel.innerHTML = "";
      if (opened) {
        opened.removeAttribute("aria-current");
        opened.focus();
        opened = null;
      }
    }
    panel.addEventListener("click", function (event) {
      if (event.target.closest("[data-close]")) close();
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    table.addEventListener("click", function (event) {
      var link = event.target.closest("a.cell");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      if (opened) opened.removeAttribute("aria-current");
      opened = link;
      link.setAttribute("aria-current", "true");
      panel.hidden = false;
      panel.setAttribute("aria-busy", "true");
      panel.textContent = "Loading the studies…";
      fetch(link.href, { headers: { "X-Fragment": "1" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          panel.innerHTML = html; // rendered by the server, autoescaped
          panel.removeAttribute("aria-busy");
          panel.focus();
          if (window.matchMedia("(max-width: 1099px)").matches) panel.scrollIntoView({ block: "start" });
        })
        .catch(function (error) {
          panel.removeAttribute("aria-busy");
          panel.textContent = "Could not load the studies (" + error.message + "). ";
          var direct = document.createElement("a");
          direct.href = link.href;
          direct.textContent = "Open them on their own page";
          panel.appendChild(direct);
        });
    });
  }

  /* SPARQL: choosing an example puts its text in the box. */
  function sparql() {
    var select = document.getElementById("named");
    var box = document.getElementById("sparql-text");
    if (!select || !box) return;
    select.addEventListener("change", function () {
      var template = document.querySelector('template[data-query="' + CSS.escape(select.value) + '"]');
      if (template) {
        box.value = template.content.textContent.replace(/^\n/, "");
        box.focus();
      }
    });
  }

  /* Add a study: POST /documents with the token, show progress, then open the study. */
  function upload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var progress = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var submit = document.getElementById("upload-submit");

    function done(message) {
      progress.hidden = true;
      submit.disabled = false;
      form.removeAttribute("aria-busy");
      status.textContent = message;
      status.className = "error";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.elements.file.files[0];
      var token = form.elements.token.value.trim();
      if (!file || !token) {
        done(!file ? "Choose a file to add." : "Give the access token.");
        return;
      }
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/documents");
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      xhr.setRequestHeader("Accept", "application/json");
      submit.disabled = true;
      form.setAttribute("aria-busy", "true");
      status.className = "";
      status.textContent = "Uploading…";
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round((100 * e.loaded) / e.total);
          status.textContent = "Uploading… " + progress.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        progress.removeAttribute("value"); // indeterminate while the server works
        status.textContent = "Uploaded. Reading the study, extracting its evidence and linking it to the graph…";
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if ((xhr.status === 200 || xhr.status === 201) && answer && answer.document) {
          status.textContent = "Linked. Opening the study…";
          var added = xhr.status === 201 ? "new" : "unchanged";
          window.location.assign("/study/" + encodeURIComponent(answer.document.id) + "?added=" + added);
          return;
        }
        var detail = answer && answer.detail;
        if (typeof detail !== "string") detail = detail ? JSON.stringify(detail) : xhr.statusText;
        if (xhr.status === 401) detail = "the token was not accepted";
        done("Not added (HTTP " + xhr.status + "): " + detail);
      });
      xhr.addEventListener("error", function () { done("The upload failed: the server could not be reached."); });
      xhr.send(data);
    });
  }

  /* Curate a study: confirm or reject a mention, or add one; POST /documents/{id}/curations
     with the token, which is asked for once and kept in this tab's sessionStorage. */
  function curate() {
    var panel = document.getElementById("curate");
    if (!panel) return;
    var doc = panel.getAttribute("data-doc");
    var tokenBox = document.getElementById("curate-token");
    var status = document.getElementById("curate-status");
    var KEY = "jejaring-token";
    panel.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll(".curate-buttons"), function (p) {
      p.hidden = false;
    });
    tokenBox.value = sessionStorage.getItem(KEY) || "";
    tokenBox.addEventListener("change", function () {
      sessionStorage.setItem(KEY, tokenBox.value.trim());
    });

    function send(body) {
      var token = tokenBox.value.trim() || sessionStorage.getItem(KEY) || "";
      if (!token) {
        status.className = "error";
        status.textContent = "Give the access token first.";
        tokenBox.focus();
        return;
      }
      sessionStorage.setItem(KEY, token);
      body.note = document.getElementById("curate-note").value;
      status.className = "";
      status.textContent = "Saving…";
      fetch("/documents/" + encodeURIComponent(doc) + "/curations", {
        method: "POST",
        headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json",
                   "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (answer) { return [response.status, answer]; },
                                     function () { return [response.status, null]; });
      }).then(function (result) {
        if (result[0] === 201) {
          status.textContent = "Saved. Reloading…";
          window.location.reload();
          return;
        }
        var detail = result[1] && result[1].detail;
        if (typeof detail !== "string") detail = detail ? JSON.stringify(detail) : "";
        if (result[0] === 401) detail = "the token was not accepted";
        status.className = "error";
        status.textContent = "Not saved (HTTP " + result[0] + "): " + detail;
      }).catch(function () {
        status.className = "error";
        status.textContent = "Not saved: the server could not be reached.";
      });
    }

    /* The corrections in force, each with an Undo (DELETE /curations/{id} with the token).
       Text from the server goes in as text, never as markup. */
    var list = document.getElementById("curation-list");
    fetch("/documents/" + encodeURIComponent(doc) + "/curations", { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.curations.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = "None yet.";
          list.appendChild(none);
        }
        answer.curations.forEach(function (c) {
          var item = document.createElement("li");
          var what = c.action + " " + c.kind + ": " + (c.label || c.concept_id) + (c.role ? " (" + c.role + ")" : "");
          item.textContent = what + " — " + c.by + ", " + (c.at || "").slice(0, 16).replace("T", " ") +
            (c.note ? " — " + c.note : "") + (c.orphaned ? " [orphaned]" : "") + " ";
          var undo = document.createElement("button");
          undo.type = "button";
          undo.textContent = "Undo";
          undo.setAttribute("aria-label", "Undo: " + what);
          undo.addEventListener("click", function () { remove(c.id); });
          item.appendChild(undo);
          list.appendChild(item);
        });
      });

    function remove(id) {
      var token = tokenBox.value.trim() || sessionStorage.getItem(KEY) || "";
      if (!token) {
        status.className = "error";
        status.textContent = "Give the access token first.";
        tokenBox.focus();
        return;
      }
      fetch("/curations/" + encodeURIComponent(id), {
        method: "DELETE", headers: { "Authorization": "Bearer " + token, "Accept": "application/json" }
      }).then(function (response) {
        if (response.ok) { window.location.reload(); return; }
        status.className = "error";
        status.textContent = "Not undone (HTTP " + response.status + ")" +
          (response.status === 401 ? ": the token was not accepted" : "");
      });
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest(".curate-buttons button");
      if (!button) return;
      var holder = button.parentNode;
      var body = { kind: holder.getAttribute("data-kind"), concept: holder.getAttribute("data-concept"),
                   action: button.getAttribute("data-action") };
      var role = holder.getAttribute("data-role");
      if (role) body.role = role;
      send(body);
    });
    document.getElementById("curate-add").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var body = { kind: form.elements.kind.value, concept: form.elements.concept.value.trim(),
                   action: "add" };
      if (form.elements.role.value.trim()) body.role = form.elements.role.value.trim();
      if (form.elements.quote.value.trim()) body.quote = form.elements.quote.value.trim();
      if (form.elements.page.value) body.page = parseInt(form.elements.page.value, 10);
      send(body);
    });
  }

  ready(function () {
    searchForm();
    heatMap();
    sparql();
    upload();
    curate();
  });
})();
