// Live games (the host's projector and the players' phones); loaded by those pages only.
// Every screen works without this file: forms post, and a Refresh link reloads.
//
// The state route of the API is polled about once a second (0.8 to 1.2 s, at random) with
// If-None-Match (an unchanged state is a 304 with no body). When the state moves on (another phase, another question, or on
// the host's lobby someone joins), this page is fetched again and its [data-screen] is put in
// place of the old one; a polite live region says what changed ("Question 2 of 5", "Answer
// locked", the result). Counts are updated in place. The countdown counts to the server's
// deadline in the server's clock; it judges nothing: the server accepts or refuses answers.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-game]");
  if (!root) return;
  const host = root.dataset.game === "host";
  const stateUrl = root.dataset.stateUrl;
  const token = root.dataset.token;
  const announcer = root.querySelector("[data-announcer]");
  const live = root.querySelector("[data-live]");
  const screen = () => root.querySelector("[data-screen]");
  let etag = null;
  let skew = 0;  // the server's clock minus this device's, in ms
  let failures = 0;
  let stopped = false;
  let pollTimer = null;

  const say = (text) => {
    if (!text) return;
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 60);
  };

  const connection = (ok) => {
    live.hidden = ok;
    live.textContent = ok ? "" : "Connection lost: trying again… Your score is safe.";
  };

  // -- the countdown -------------------------------------------------------------------------
  const countdown = (within) => {
    within.querySelectorAll("[data-game-deadline]").forEach((box) => {
      const deadline = Date.parse(box.dataset.gameDeadline);
      const sent = Date.parse(box.dataset.serverTime || "");
      if (Number.isNaN(deadline)) return;
      if (!Number.isNaN(sent)) skew = sent - Date.now();
      const clock = box.querySelector("[data-clock]");
      const note = box.querySelector("[data-clock-note]");
      box.classList.add("enhanced");
      if (note) note.classList.add("visually-hidden");
      const tick = () => {
        if (!box.isConnected) return;
        const left = Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000));
        clock.textContent = left > 0 ? String(left) : "Time’s up";
        box.classList.toggle("urgent", left <= 5);
        box.classList.toggle("over", left <= 0);
        if (left > 0) window.setTimeout(tick, 200);
      };
      tick();
    });
  };

  // -- ordering: quiz.js's move up / move down buttons (and dragging) on a swapped-in screen --
  const ordering = (within) => {
    within.querySelectorAll("[data-game-ordering]").forEach((list) => window.quizapp.enhanceOrdering(list));
  };

  const enhance = (within) => {
    countdown(within);
    ordering(within);
    // times written in UTC for readers without JavaScript: here, the reader's own clock
    within.querySelectorAll("time[datetime]").forEach((time) => {
      const when = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        time.textContent = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(when);
      }
    });
  };

  // -- a new screen in place of the old -----------------------------------------------------
  let swapping = null;
  const swap = () => {
    if (!swapping) swapping = doSwap().finally(() => { swapping = null; });
    return swapping;
  };
  const doSwap = async () => {
    const response = await fetch(window.location.href, {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" },
    });
    if (response.redirected) {  // removed from the game, or it is gone: the page says why
      stopped = true;
      window.location.assign(response.url);
      return;
    }
    if (!response.ok) throw new Error(`status ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.querySelector("[data-screen]");
    const old = screen();
    if (!fresh || !old) { window.location.reload(); return; }
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const moved = ["phase", "number", "answered"].some((key) => fresh.dataset[key] !== old.dataset[key]);
    const adopted = document.adoptNode(fresh);
    old.replaceWith(adopted);
    document.title = doc.title;
    // flashed messages of the player's page sit above the game (base.html)
    const main = document.querySelector("main");
    main.querySelector(":scope > .flashes")?.remove();
    const flashes = doc.querySelector("main > .flashes");
    if (flashes) main.prepend(document.adoptNode(flashes));
    enhance(adopted);
    if (moved) {
      say(adopted.dataset.announce);
      if (focused || document.activeElement === document.body || !document.activeElement) {
        adopted.querySelector("h1")?.focus({ preventScroll: false });
      }
    } else if (focused) {
      const same = (focused.id && adopted.querySelector(`#${CSS.escape(focused.id)}`))
        || (focused.getAttribute("aria-label") && adopted.querySelector(`[aria-label="${CSS.escape(focused.getAttribute("aria-label"))}"]`));
      if (same) same.focus({ preventScroll: true });
    }
  };

  // -- polling --------------------------------------------------------------------------------
  const update = (state) => {
    if (state.server_time) {
      const sent = Date.parse(state.server_time);
      if (!Number.isNaN(sent)) skew = sent - Date.now();
    }
    const current = screen();
    const moved = state.phase !== current.dataset.phase || String(state.number) !== current.dataset.number;
    if (moved || (host && state.phase === "lobby")) return swap();
    for (const name of ["answered", "players"]) {
      current.querySelectorAll(`[data-field="${name}"]`).forEach((field) => {
        if (state[name] !== undefined && state[name] !== null) {
          field.textContent = String(Array.isArray(state[name]) ? state[name].length : state[name]);
        }
      });
    }
    return null;
  };

  const poll = async () => {
    pollTimer = null;
    if (stopped) return;
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      const response = await fetch(stateUrl, { headers, credentials: "same-origin", cache: "no-store" });
      if ([401, 403, 404, 410].includes(response.status)) {
        await swap();  // the page says what happened (removed, game gone) or sends to the join page
      } else if (response.status !== 304) {
        if (!response.ok) throw new Error(`status ${response.status}`);
        const state = await response.json();
        await update(state);
        etag = response.headers.get("ETag");
      }
      failures = 0;
      connection(true);
    } catch (error) {
      failures += 1;
      connection(false);
    }
    schedule();
  };
  const schedule = () => {
    if (stopped || pollTimer) return;
    // 0.8 to 1.2 s (3.2 to 4.8 s in the background): phones that saw a change at the same
    // moment do not all poll again at the same moment
    const jitter = 0.8 + 0.4 * Math.random();
    const delay = failures ? Math.min(5000, 1000 * 2 ** (failures - 1)) : (document.hidden ? 4000 : 1000) * jitter;
    pollTimer = window.setTimeout(poll, delay);
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && pollTimer) {
      window.clearTimeout(pollTimer);
      pollTimer = null;
      poll();
    }
  });

  // -- forms: each sends once; a player's answer goes in the background ----------------------
  root.addEventListener("submit", async (event) => {
    const form = event.target;
    if (event.defaultPrevented) return;  // a cancelled confirmation
    if (form.dataset.gameSent) {
      event.preventDefault();
      return;
    }
    form.dataset.gameSent = "1";
    (event.submitter || form.querySelector("[data-once]"))?.classList.add("sending");
    if (!form.classList.contains("game-answer-form")) return;  // the host's buttons: a new page
    event.preventDefault();
    const body = new FormData(form, event.submitter);
    form.querySelectorAll("button").forEach((button) => button.setAttribute("aria-disabled", "true"));
    try {
      const response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (response.status >= 500) throw new Error(`status ${response.status}`);
      await swap();
    } catch (error) {
      delete form.dataset.gameSent;
      form.querySelectorAll("button").forEach((button) => {
        button.removeAttribute("aria-disabled");
        button.classList.remove("sending");
      });
      let problem = form.querySelector("[data-problem]");
      if (!problem) {
        problem = document.createElement("p");
        problem.className = "error";
        problem.setAttribute("role", "alert");
        problem.dataset.problem = "";
        form.prepend(problem);
      }
      problem.textContent = "Your answer was not sent: the server cannot be reached. Try again.";
    }
  });

  enhance(screen());
  connection(true);
  schedule();
});
