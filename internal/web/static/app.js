// Scouter Command Center: shared helpers, the running-crawls indicator, the
// finished-crawl notices and the new-crawl form. No framework, no build.
// Every piece of data reaches the DOM through textContent or attributes set
// with setAttribute on elements made with createElement, never as markup.
"use strict";

(function () {
  var ACTIVE = { pending: true, queued: true, running: true, stopping: true };
  var TERMINAL = { completed: true, failed: true, stopped: true, finished: true, error: true };
  var LABELS = {
    queued: "waiting for a worker…", pending: "scheduled", stopping: "stopping…",
    completed: "finished", failed: "error"
  };
  var KNOWN = {
    pending: 1, queued: 1, running: 1, stopping: 1, stopped: 1, finished: 1, error: 1, completed: 1, failed: 1
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function label(status) { return LABELS[status] || String(status || "unknown"); }

  // setBadge shows a job or crawl status on a badge element.
  function setBadge(badge, status) {
    status = String(status || "");
    badge.className = "badge " + (KNOWN[status] ? "st-" + status : "st-unknown");
    badge.setAttribute("data-status", status);
    badge.textContent = label(status);
  }

  // api calls the JSON API; it resolves to {ok, status, body} and never
  // rejects on an HTTP error (only on a network failure).
  function api(method, path, body) {
    var opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      return r.text().then(function (t) {
        var b = null;
        try { b = t ? JSON.parse(t) : null; } catch (e) { b = { error: t }; }
        return { ok: r.ok, status: r.status, body: b };
      });
    });
  }

  // Crawls watched in this tab, kept across page loads of the tab.
  var WATCH_KEY = "scouter.watched";
  function watched() {
    try { return JSON.parse(sessionStorage.getItem(WATCH_KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function saveWatched(w) {
    try { sessionStorage.setItem(WATCH_KEY, JSON.stringify(w)); } catch (e) { /* private mode */ }
  }
  function watch(crawlID, startURL) {
    var w = watched();
    w[String(crawlID)] = { url: String(startURL || "") };
    saveWatched(w);
  }

  function banner(text, href, linkText, bad) {
    var box = document.getElementById("banners");
    if (!box) return;
    var b = el("div", "banner" + (bad ? " bad" : ""));
    b.setAttribute("role", "status");
    b.appendChild(el("span", "banner-text", text));
    if (href) {
      var a = el("a", "", linkText || "open");
      a.setAttribute("href", href);
      b.appendChild(a);
    }
    var x = el("button", "", "Dismiss");
    x.type = "button";
    x.addEventListener("click", function () { b.remove(); });
    b.appendChild(x);
    box.appendChild(b);
  }

  // notifyFinished shows the notice for a watched crawl that ended, once.
  function notifyFinished(c) {
    var w = watched();
    var key = String(c.id);
    if (!w[key]) return;
    delete w[key];
    saveWatched(w);
    var bad = c.status === "error" || c.status === "failed";
    banner("Crawl #" + c.id + " (" + (c.start_url || w.url || "") + ") " + label(c.status) + ".",
      "/crawls/" + c.id, "view", bad);
  }

  // The global indicator: running crawls with a selector to switch.
  var lastRunning = "";
  function pollRunning() {
    api("GET", "/api/v1/crawls/running").then(function (r) {
      if (!r.ok || !r.body || !r.body.crawls) return;
      var running = [];
      var seen = {};
      r.body.crawls.forEach(function (c) {
        seen[String(c.id)] = c;
        if (ACTIVE[c.status]) running.push(c);
      });
      renderRunning(running);
      var w = watched();
      Object.keys(w).forEach(function (id) {
        var c = seen[id];
        if (c) {
          if (TERMINAL[c.status]) notifyFinished(c);
        } else {
          api("GET", "/api/v1/crawls/" + encodeURIComponent(id)).then(function (r2) {
            if (r2.ok && r2.body && TERMINAL[r2.body.status]) notifyFinished(r2.body);
            if (r2.status === 404) { var w2 = watched(); delete w2[id]; saveWatched(w2); }
          });
        }
      });
    }).catch(function () { /* offline: try again at the next tick */ });
  }

  function renderRunning(list) {
    var box = document.getElementById("running");
    var sel = document.getElementById("running-select");
    var count = document.getElementById("running-count");
    if (!box || !sel || !count) return;
    var key = list.map(function (c) { return c.id + ":" + c.status; }).join(",");
    if (key === lastRunning) return;
    lastRunning = key;
    box.hidden = list.length === 0;
    count.textContent = list.length + " running";
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    var panel = document.getElementById("panel");
    var current = panel ? panel.getAttribute("data-crawl") : "";
    var head = el("option", "", "Switch to…");
    head.value = "";
    sel.appendChild(head);
    list.forEach(function (c) {
      var o = el("option", "", "#" + c.id + " " + label(c.status) + " — " + c.start_url);
      o.value = String(c.id);
      if (String(c.id) === current) o.selected = true;
      sel.appendChild(o);
    });
  }

  function initRunning() {
    var sel = document.getElementById("running-select");
    if (sel) {
      sel.addEventListener("change", function () {
        if (/^[0-9]+$/.test(sel.value)) window.location.assign("/crawls/" + sel.value);
      });
    }
    pollRunning();
    setInterval(pollRunning, 3000);
  }

  // The new-crawl form posts JSON and shows the API's field errors.
  function initForm() {
    var form = document.getElementById("crawl-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(form);
      var body = { start_url: form.elements["start_url"].value.trim(), options: {} };
      var bad = false;
      Array.prototype.forEach.call(form.elements, function (f) {
        if (!f.name || f.name === "start_url" || f.type === "submit") return;
        var kind = f.getAttribute("data-kind");
        var v;
        if (f.type === "radio") {
          if (!f.checked) return;
          v = f.value;
        } else if (kind === "bool") {
          v = f.checked;
        } else if (kind === "int" || kind === "float") {
          if (f.value.trim() === "") return; // the default applies
          v = Number(f.value);
          if (!isFinite(v) || (kind === "int" && Math.floor(v) !== v)) {
            showError(f.name, kind === "int" ? "must be a whole number" : "must be a number");
            bad = true;
            return;
          }
        } else if (kind === "lines") {
          v = f.value.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; });
          if (v.length === 0) return;
        } else {
          v = f.value;
        }
        body.options[f.name] = v;
      });
      if (bad) return;
      var submit = document.getElementById("submit");
      submit.disabled = true;
      api("POST", "/api/v1/crawls", body).then(function (r) {
        if (r.ok && r.body && r.body.crawl_id) {
          watch(r.body.crawl_id, r.body.crawl ? r.body.crawl.start_url : body.start_url);
          window.location.assign("/crawls/" + encodeURIComponent(r.body.crawl_id));
          return;
        }
        submit.disabled = false;
        var msg = (r.body && r.body.error) || ("the server answered " + r.status);
        showError(r.body && r.body.field, msg);
      }).catch(function (e) {
        submit.disabled = false;
        showError("", "Could not reach the server: " + e);
      });
    });
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error, #err-form"), function (p) {
      p.textContent = "";
      p.hidden = true;
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field.invalid"), function (f) {
      f.classList.remove("invalid");
    });
  }

  // showError puts msg next to the field the API named ("start_url",
  // "options.max_depth", "options.include[2]"), or at the top of the form.
  function showError(field, msg) {
    var name = String(field || "").replace(/^options\./, "").replace(/\[\d+\]$/, "");
    var p = /^[a-z_]+$/.test(name) ? document.getElementById("err-" + name) : null;
    var m = String(field || "").match(/\[(\d+)\]$/);
    var text = m ? "line " + (Number(m[1]) + 1) + ": " + msg : msg;
    if (!p) {
      p = document.getElementById("err-form");
      text = (field ? field + ": " : "") + msg;
    } else if (p.parentNode && p.parentNode.classList) {
      p.parentNode.classList.add("invalid");
      var input = document.getElementById("f-" + name);
      if (input && input.focus) input.focus();
    }
    p.textContent = text;
    p.hidden = false;
  }

  window.Scouter = {
    el: el, api: api, label: label, setBadge: setBadge, banner: banner, watch: watch,
    ACTIVE: ACTIVE, TERMINAL: TERMINAL, pollRunning: pollRunning
  };

  initRunning();
  initForm();
})();
