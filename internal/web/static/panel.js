// The crawl panel: status, KPIs and the live log of the crawl's current job.
//
// First load: the job, then the tail of its log (?tail=1&limit=N), then it
// follows from the tail's last seq with the server-sent events stream
// GET /api/v1/jobs/{id}/events (events job, log, end; the browser resumes
// with Last-Event-ID). When that stream is not available (404/405 or any
// failure the browser gives up on) it polls the same cursor:
// GET /api/v1/jobs/{id}/logs?after=CURSOR&limit=500 and GET /api/v1/jobs/{id}
// every second. Lines are shown only when seq > cursor, so a reconnect, a
// fallback or a reload never duplicates or skips a line (seqs are gapless
// per job). "Load earlier lines" asks for the lines just before the first
// one shown with ?after=first-1-N&limit=N.
"use strict";

(function () {
  var S = window.Scouter;
  var panel = document.getElementById("panel");
  if (!S || !panel) return;

  var LEVELS = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" };
  var POLL_LIMIT = 500;
  var MAX_ROWS = 20000;

  var crawlID = panel.getAttribute("data-crawl");
  var tailLen = Number(panel.getAttribute("data-tail")) || 500;
  var startURL = (document.getElementById("start-url") || {}).textContent || "";

  var term = document.getElementById("terminal");
  var earlier = document.getElementById("earlier");
  var jump = document.getElementById("jump");
  var stopBtn = document.getElementById("stop");
  var resumeBtn = document.getElementById("resume");
  var download = document.getElementById("download");
  var badge = document.getElementById("status");
  var transport = document.getElementById("transport");
  var panelError = document.getElementById("panel-error");
  var jobError = document.getElementById("job-error");
  var jobLabel = document.getElementById("job-label");
  var progress = document.getElementById("progress");
  var kpi = {
    found: document.getElementById("kpi-found"), crawled: document.getElementById("kpi-crawled"),
    rate: document.getElementById("kpi-rate"), depth: document.getElementById("kpi-depth"),
    errors: document.getElementById("kpi-errors")
  };

  var st = {
    gen: 0,          // bumped when the panel switches job: stale callbacks drop out
    jobID: 0,
    job: null,
    cursor: 0,       // last seq shown
    first: 0,        // first seq shown (0: none yet)
    firstRow: null,  // its row, where earlier lines go
    rows: 0,
    es: null,
    timer: 0,
    ended: false,
    following: true, // auto-scroll while the user is at the bottom
    busy: false      // a stop/resume request is in flight
  };

  function jobURL(suffix) { return "/api/v1/jobs/" + encodeURIComponent(st.jobID) + (suffix || ""); }

  function setTransport(t) { transport.textContent = t; transport.setAttribute("data-transport", t); }

  function showPanelError(msg) {
    panelError.textContent = msg || "";
    panelError.hidden = !msg;
  }

  // ---- status and KPIs ----

  function renderJob(job) {
    if (!job || Number(job.id) !== st.jobID) return;
    st.job = job;
    S.setBadge(badge, job.status);
    if (S.ACTIVE[job.status]) S.watch(crawlID, startURL);
    var p = job.progress || {};
    var done = Number(p.done) || 0, total = Number(p.total) || 0;
    if (job.kind === "audit") {
      // The audit's progress is in steps, not pages: the bar only.
      if (jobLabel) jobLabel.textContent = "audit job #" + job.id;
      if (total > 0) {
        progress.max = total;
        progress.value = Math.min(done, total);
      }
    } else if (done > 0 || total > 0) {
      kpi.crawled.textContent = String(done);
      kpi.found.textContent = String(total);
      progress.max = Math.max(total, 1);
      progress.value = Math.min(done, Math.max(total, 1));
    }
    var d = p.detail || {};
    if (typeof d.pages_per_sec === "number") kpi.rate.textContent = String(d.pages_per_sec);
    if (typeof d.depth === "number") kpi.depth.textContent = String(d.depth);
    if (typeof d.errors === "number") kpi.errors.textContent = String(d.errors);
    if (S.TERMINAL[job.status]) kpi.rate.textContent = "—";
    jobError.textContent = job.error ? "Error: " + job.error : "";
    jobError.hidden = !job.error;
    updateButtons();
  }

  function updateButtons() {
    var s = st.job ? st.job.status : "";
    stopBtn.disabled = st.busy || !(s === "pending" || s === "queued" || s === "running");
    resumeBtn.disabled = st.busy || !(s === "stopped" || s === "failed");
  }

  // ---- the terminal ----

  function nearBottom() { return term.scrollHeight - term.scrollTop - term.clientHeight < 24; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) {
    var d = new Date(s);
    if (isNaN(d.getTime())) return "";
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function row(l) {
    var level = LEVELS[l.level] ? l.level : "info";
    var r = S.el("div", "line lv-" + level);
    r.setAttribute("data-seq", String(l.seq));
    var ts = S.el("span", "ts", clock(l.created_at));
    ts.title = String(l.created_at || "");
    r.appendChild(ts);
    r.appendChild(S.el("span", "lvl", LEVELS[level]));
    r.appendChild(S.el("span", "msg", l.message));
    return r;
  }

  // appendLines shows lines after the cursor, in order, once.
  function appendLines(lines) {
    if (!lines || !lines.length) return;
    var stick = st.following && nearBottom();
    var frag = document.createDocumentFragment();
    var added = 0;
    lines.forEach(function (l) {
      var seq = Number(l.seq);
      if (!(seq > st.cursor)) return;
      var r = row(l);
      if (!st.firstRow) { st.firstRow = r; st.first = seq; }
      frag.appendChild(r);
      st.cursor = seq;
      added++;
    });
    if (!added) return;
    term.appendChild(frag);
    st.rows += added;
    if (st.rows > MAX_ROWS && stick) trim();
    if (stick || st.following) {
      term.scrollTop = term.scrollHeight;
    } else {
      jump.hidden = false;
    }
  }

  // trim drops the oldest rows of a very long log while the user follows
  // its end; "load earlier lines" brings them back.
  function trim() {
    while (st.rows > MAX_ROWS && term.firstChild) {
      var r = term.firstChild;
      if (r === st.firstRow) {
        var next = r.nextSibling;
        st.firstRow = next;
        st.first = next ? Number(next.getAttribute("data-seq")) : 0;
      }
      term.removeChild(r);
      if (r.hasAttribute("data-seq")) st.rows--;
    }
    earlier.hidden = !(st.first > 1);
  }

  function separator(text) {
    term.appendChild(S.el("div", "line sep", text));
    if (st.following) term.scrollTop = term.scrollHeight;
  }

  term.addEventListener("scroll", function () {
    var bottom = nearBottom();
    st.following = bottom;
    jump.hidden = bottom;
  });
  jump.addEventListener("click", function () {
    st.following = true;
    term.scrollTop = term.scrollHeight;
    jump.hidden = true;
  });

  earlier.addEventListener("click", function () {
    if (!(st.first > 1) || earlier.disabled) return;
    var g = st.gen, before = st.first;
    var after = Math.max(0, before - 1 - tailLen);
    var limit = before - 1 - after;
    earlier.disabled = true;
    S.api("GET", jobURL("/logs?after=" + after + "&limit=" + limit)).then(function (r) {
      earlier.disabled = false;
      if (g !== st.gen) return;
      if (!r.ok) { showPanelError((r.body && r.body.error) || "could not load earlier lines"); return; }
      var frag = document.createDocumentFragment();
      var first = 0, firstRow = null, n = 0;
      (r.body.lines || []).forEach(function (l) {
        var seq = Number(l.seq);
        if (!(seq < st.first) || (first && seq <= Number(frag.lastChild.getAttribute("data-seq")))) return;
        var x = row(l);
        if (!firstRow) { firstRow = x; first = seq; }
        frag.appendChild(x);
        n++;
      });
      if (!n) { earlier.hidden = true; return; }
      var h = term.scrollHeight, top = term.scrollTop;
      term.insertBefore(frag, st.firstRow);
      term.scrollTop = top + (term.scrollHeight - h);
      st.first = first;
      st.firstRow = firstRow;
      st.rows += n;
      earlier.hidden = !(st.first > 1);
    }).catch(function () { earlier.disabled = false; });
  });

  // ---- following ----

  function stopFollowing() {
    if (st.es) { st.es.close(); st.es = null; }
    if (st.timer) { clearTimeout(st.timer); st.timer = 0; }
  }

  function finish() {
    stopFollowing();
    st.ended = true;
    setTransport("ended");
    updateButtons();
    S.pollRunning();
    // A completed crawl is followed by its audit, enqueued in the same
    // transaction: the crawl's latest job is then the audit, shown next.
    var job = st.job, g = st.gen;
    if (job && job.kind === "crawl" && job.status === "completed") {
      S.api("GET", "/api/v1/crawls/" + encodeURIComponent(crawlID)).then(function (r) {
        if (g !== st.gen || !r.ok || !r.body) return;
        var next = Number(r.body.last_job_id);
        if (next > 0 && next !== st.jobID) {
          separator("— audit: job #" + next + " —");
          load(next);
        }
      }).catch(function () { /* the page can be reloaded */ });
    }
  }

  // crawlLogLink: an audit shown on its own (after a reload) says where the
  // crawl's own log is.
  function crawlLogLink(job) {
    if (!job || job.kind !== "audit") return;
    var g = st.gen;
    S.api("GET", "/api/v1/jobs?crawl_id=" + encodeURIComponent(crawlID) + "&limit=20").then(function (r) {
      if (g !== st.gen || !r.ok || !r.body) return;
      var jobs = r.body.jobs || [];
      for (var i = 0; i < jobs.length; i++) {
        if (jobs[i].kind === "crawl") {
          var line = S.el("div", "line sep", "— the crawl's log is job #" + jobs[i].id + ": ");
          var a = S.el("a", "", "raw log");
          a.setAttribute("href", "/api/v1/jobs/" + encodeURIComponent(jobs[i].id) + "/output");
          line.appendChild(a);
          line.appendChild(document.createTextNode(" —"));
          term.insertBefore(line, term.firstChild);
          return;
        }
      }
    }).catch(function () { /* optional */ });
  }

  function follow() {
    if (st.ended) return;
    if (st.job && S.TERMINAL[st.job.status] && st.cursor >= Number(st.job.log_seq || 0)) {
      finish();
      return;
    }
    if (window.EventSource) openStream(); else poll();
  }

  function openStream() {
    var g = st.gen;
    var es = new EventSource(jobURL("/events?after=" + st.cursor));
    st.es = es;
    setTransport("connecting…");
    es.addEventListener("open", function () { if (g === st.gen) setTransport("live"); });
    es.addEventListener("job", function (e) {
      if (g !== st.gen) return;
      try { renderJob(JSON.parse(e.data)); } catch (x) { /* ignore a bad event */ }
    });
    es.addEventListener("log", function (e) {
      if (g !== st.gen) return;
      try { appendLines([JSON.parse(e.data)]); } catch (x) { /* ignore a bad event */ }
    });
    es.addEventListener("end", function (e) {
      es.close();
      if (g !== st.gen) return;
      try { renderJob(JSON.parse(e.data)); } catch (x) { /* the job is over anyway */ }
      finish();
    });
    es.addEventListener("error", function () {
      if (g !== st.gen) { es.close(); return; }
      if (es.readyState === EventSource.CLOSED) {
        // No stream here (404/405, not an event stream) or the browser gave
        // up: poll the same cursor instead.
        es.close();
        st.es = null;
        if (!st.ended) poll();
      } else {
        setTransport("reconnecting…"); // the browser retries with Last-Event-ID
      }
    });
  }

  function poll() {
    var g = st.gen;
    setTransport("polling");
    S.api("GET", jobURL("/logs?after=" + st.cursor + "&limit=" + POLL_LIMIT)).then(function (r) {
      if (g !== st.gen || st.ended) return null;
      if (!r.ok) throw new Error((r.body && r.body.error) || "HTTP " + r.status);
      appendLines(r.body.lines);
      var more = (r.body.lines || []).length >= POLL_LIMIT;
      var done = !!r.body.done;
      return S.api("GET", jobURL()).then(function (j) {
        if (g !== st.gen || st.ended) return;
        if (j.ok) renderJob(j.body);
        showPanelError("");
        if (done) { finish(); return; }
        st.timer = setTimeout(poll, more ? 0 : 1000);
      });
    }).catch(function (e) {
      if (g !== st.gen || st.ended) return;
      showPanelError("Connection problem (" + e.message + "); retrying…");
      st.timer = setTimeout(poll, 2000);
    });
  }

  // load shows a job: its state, the tail of its log, then follows it.
  function load(jobID) {
    stopFollowing();
    st.gen++;
    var g = st.gen;
    st.jobID = jobID;
    st.job = null;
    st.cursor = 0;
    st.first = 0;
    st.firstRow = null;
    st.ended = false;
    setTransport("loading…"); // not the previous job's "ended"
    earlier.hidden = true;
    download.setAttribute("href", jobURL("/output"));
    if (jobLabel) jobLabel.textContent = "job #" + jobID;
    panel.setAttribute("data-job", String(jobID));
    updateButtons();
    S.api("GET", jobURL()).then(function (r) {
      if (g !== st.gen) return null;
      if (!r.ok) throw new Error((r.body && r.body.error) || "HTTP " + r.status);
      renderJob(r.body);
      return S.api("GET", jobURL("/logs?tail=1&limit=" + tailLen));
    }).then(function (r) {
      if (!r || g !== st.gen) return;
      if (!r.ok) throw new Error((r.body && r.body.error) || "HTTP " + r.status);
      var empty = !st.firstRow;
      appendLines(r.body.lines);
      earlier.hidden = !(st.first > 1);
      if (empty && initial === jobID) crawlLogLink(st.job);
      follow();
    }).catch(function (e) {
      if (g !== st.gen) return;
      showPanelError("Could not load the job (" + e.message + "); retrying…");
      setTimeout(function () { if (g === st.gen) load(jobID); }, 2000);
    });
  }

  // ---- stop and resume ----

  stopBtn.addEventListener("click", function () {
    if (!st.jobID) return;
    st.busy = true;
    updateButtons();
    S.api("POST", jobURL("/stop")).then(function (r) {
      st.busy = false;
      if (r.ok) { showPanelError(""); renderJob(r.body); } else showPanelError((r.body && r.body.error) || "stop failed");
      updateButtons();
    }).catch(function (e) { st.busy = false; updateButtons(); showPanelError("stop failed: " + e.message); });
  });

  resumeBtn.addEventListener("click", function () {
    if (!st.jobID) return;
    st.busy = true;
    updateButtons();
    S.api("POST", jobURL("/resume")).then(function (r) {
      st.busy = false;
      if (!r.ok || !r.body || !r.body.job_id) {
        showPanelError((r.body && r.body.error) || "resume failed");
        updateButtons();
        return;
      }
      showPanelError("");
      S.watch(crawlID, startURL);
      separator("— resumed as job #" + r.body.job_id + " —");
      load(Number(r.body.job_id));
    }).catch(function (e) { st.busy = false; updateButtons(); showPanelError("resume failed: " + e.message); });
  });

  var initial = Number(panel.getAttribute("data-job"));
  if (initial > 0) {
    load(initial);
  } else {
    setTransport("no job");
  }
})();
