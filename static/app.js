// quickdiag wizard: progressive enhancement. Every step works without this
// script; with it, results stream in, the sign-in page updates itself, the
// values get live feedback, and copy buttons work.
"use strict";

// Mark the page as scripted: parts that need this script show only then.
document.documentElement.classList.add("js");

// post sends a same-origin POST (the server refuses cross-origin ones).
function post(url, body, type) {
  return fetch(url, { method: "POST", headers: { "Content-Type": type || "application/json", "Accept": "application/json" }, body: body, credentials: "same-origin" });
}

// Step 2: live feedback from the static checks while typing.
(function () {
  const form = document.querySelector("form.values[data-lint]");
  const out = document.getElementById("lint");
  if (!form || !out) return;
  let timer;
  const run = () => {
    const data = {};
    for (const el of form.querySelectorAll("input[data-key]")) data[el.dataset.key] = el.value;
    post(form.dataset.lint, JSON.stringify(data)).then((r) => r.ok ? r.text() : "").then((html) => { out.innerHTML = html; }).catch(() => {});
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 300); });
  run();
})();

// Step 3: stream the preflight's findings as each check finishes.
(function () {
  const list = document.getElementById("preflight");
  if (!list || !list.dataset.events) return;
  const status = document.getElementById("preflight-status");
  const es = new EventSource(list.dataset.events);
  es.addEventListener("check", (e) => {
    const msg = JSON.parse(e.data);
    const slot = document.getElementById("check-" + msg.id);
    if (slot) slot.outerHTML = msg.html;
  });
  es.addEventListener("done", (e) => {
    es.close();
    const msg = JSON.parse(e.data);
    if (status) status.innerHTML = msg.html;
    document.body.dataset.preflight = "done";
  });
  es.onerror = () => { es.close(); if (status) status.textContent = "The connection to quickdiag was lost; reload the page to run the checks again."; };
})();

// Step 5: the sign-in opens in a new tab; this page waits for its result.
(function () {
  const form = document.getElementById("signin-form");
  const status = document.getElementById("signin-status");
  if (!form || !status) return;
  const poll = () => {
    fetch(form.dataset.status, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        status.textContent = s.message;
        if (s.done) { location.href = form.dataset.results; return; }
        setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 2000));
  };
  form.addEventListener("submit", () => { status.textContent = "Waiting for the sign-in in the new tab…"; setTimeout(poll, 800); });
  if (form.dataset.running === "true") poll();
})();

// Results: copy a value to paste, fetched on demand so that no secret sits in the page.
(function () {
  for (const b of document.querySelectorAll("button[data-copy]")) {
    b.addEventListener("click", () => {
      post(b.dataset.copy, "").then((r) => r.text()).then((v) => navigator.clipboard.writeText(v))
        .then(() => { b.textContent = "Copied"; setTimeout(() => { b.textContent = "Copy"; }, 1500); })
        .catch(() => { b.textContent = "Copy failed: select the value instead"; });
    });
  }
})();

// Step 4: the browser test opens in a new tab; this page waits for what arrived.
(function () {
  const form = document.getElementById("browser-form");
  const result = document.getElementById("browser-result");
  if (!form || !result) return;
  const poll = () => {
    fetch(form.dataset.status, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        if (s.done) { result.innerHTML = s.html; document.body.dataset.browserTest = "done"; return; }
        setTimeout(poll, 700);
      })
      .catch(() => setTimeout(poll, 2000));
  };
  form.addEventListener("submit", () => { result.innerHTML = "<li class=\"muted\">Waiting for the browser…</li>"; setTimeout(poll, 700); });
  if (form.dataset.testing === "true") poll();
})();
