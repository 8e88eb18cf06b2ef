// Progressive enhancements; every page works without this file.
"use strict";

// Ordering: move items with buttons or by dragging; the position selects follow. Also used by
// game.js (window.quizapp.enhanceOrdering) for the screens it swaps in.
function enhanceOrdering(list) {
  list.classList.add("enhanced");
  // the instructions name the controls shown: buttons and dragging now, not the position menus
  const hint = list.closest("fieldset")?.querySelector("[data-ordering-hint]");
  if (hint) hint.textContent = hint.dataset.orderingHint;
  const renumber = () => {
    list.querySelectorAll("li").forEach((li, index) => {
      li.querySelector("select").value = String(index + 1);
    });
  };
  const move = (li, offset, focusButton) => {
    const target = offset < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!target) return;
    if (offset < 0) list.insertBefore(li, target);
    else list.insertBefore(target, li);
    renumber();
    li.querySelector(focusButton).focus();
    status.textContent = `${li.querySelector("label").textContent} is now number ${[...list.children].indexOf(li) + 1}.`;
  };
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  list.after(status);
  list.querySelectorAll("li").forEach((li) => {
    li.draggable = true;
    const name = li.querySelector("label").textContent;
    const controls = document.createElement("span");
    controls.className = "move";
    for (const [cls, text, offset] of [["up", "↑", -1], ["down", "↓", 1]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `move-${cls}`;
      button.textContent = text;
      button.setAttribute("aria-label", `Move “${name}” ${cls}`);
      button.addEventListener("click", () => move(li, offset, `.move-${cls}`));
      controls.append(button);
    }
    li.append(controls);
    li.addEventListener("dragstart", (event) => {
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragend", () => {
      li.classList.remove("dragging");
      renumber();
    });
  });
  list.addEventListener("dragover", (event) => {
    event.preventDefault();
    const dragging = list.querySelector(".dragging");
    if (!dragging) return;
    const after = [...list.querySelectorAll("li:not(.dragging)")].find((li) => {
      const box = li.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    if (after) list.insertBefore(dragging, after);
    else list.append(dragging);
  });
  renumber();
}
window.quizapp = { enhanceOrdering };

document.addEventListener("DOMContentLoaded", () => {
  // Answers are sent in the background, so that if the server cannot be reached
  // the page (and the student's answer on it) stays, with a message, to send again.
  document.querySelectorAll("form.answer-form").forEach((form) => {
    const button = form.querySelector("button[type=submit]");
    const problem = document.createElement("p");
    problem.className = "error";
    problem.setAttribute("role", "alert");
    problem.hidden = true;
    button.before(problem);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.sending) return;
      form.dataset.sending = "1";
      button.setAttribute("aria-disabled", "true");
      button.classList.add("sending");
      problem.hidden = true;
      const retry = (message) => {
        problem.textContent = message;
        problem.hidden = false;
        delete form.dataset.sending;
        button.removeAttribute("aria-disabled");
        button.classList.remove("sending");
      };
      try {
        const response = await fetch(form.action || window.location.href, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        const next = response.headers.get("Content-Type")?.startsWith("application/json")
          ? (await response.json()).location : null;
        if (next) {
          window.location.assign(next);
        } else if (response.status >= 500) {
          retry("The server could not save your answer just now. Your answer is still here: please submit it again in a moment.");
        } else {
          HTMLFormElement.prototype.submit.call(form);  // let the page show what was wrong
        }
      } catch (error) {
        retry("The server cannot be reached. Your answer is still here: submit it again when the connection is back.");
      }
    });
  });

  // A button that submits once: a double click sends one request.
  document.querySelectorAll("form:not(.answer-form)").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const button = form.querySelector("[data-once]");
      if (!button) return;
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      button.setAttribute("aria-disabled", "true");
      button.classList.add("sending");
    });
  });

  document.querySelectorAll("[data-ordering]").forEach(enhanceOrdering);
});

// A Print button (the login cards): shown only where this script runs, since it needs it.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
  document.querySelectorAll("[data-print-hint]").forEach((hint) => { hint.hidden = true; });
});

// Buttons that cannot be undone ask first. This runs in the capture phase, before the
// submit-once handler above, so a cancelled confirmation leaves the button usable.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// "14:05 GMT": a UTC time of day as the reader's clock shows it.
const localTime = (iso) => new Intl.DateTimeFormat(undefined, {
  hour: "2-digit", minute: "2-digit", timeZoneName: "short",
}).format(new Date(iso));

// The projector's board follows the class live: poll its JSON every 3 seconds and
// redraw the list in place. Without JavaScript the page has a Refresh link instead.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-projector]").forEach((root) => {
    const url = root.dataset.projector;
    const list = root.querySelector("[data-board]");
    const empty = root.querySelector("[data-empty]");
    const frozen = root.querySelector("[data-frozen]");
    const refresh = root.querySelector("[data-refresh]");
    const live = root.querySelector("[data-live]");
    const field = (name) => root.querySelector(`[data-field="${name}"]`);
    const span = (className, text, hidden) => {
      const element = document.createElement("span");
      element.className = className;
      element.textContent = text;
      if (hidden) element.setAttribute("aria-hidden", "true");
      return element;
    };
    const row = (entry) => {
      const li = document.createElement("li");
      if (entry.rank === 1) li.className = "top";
      const move = span("move", "");
      if (entry.movement > 0) {
        move.append(span("move-up", `▲${entry.movement}`, true), span("visually-hidden", `up ${entry.movement}`));
      } else if (entry.movement < 0) {
        move.append(span("move-down", `▼${-entry.movement}`, true), span("visually-hidden", `down ${-entry.movement}`));
      }
      const score = span("score", `${entry.percent} `);
      score.append(span("out-of", entry.shown_score));
      li.append(span("rank", String(entry.rank)), span("name", entry.name), move, score);
      return li;
    };
    // Per-question counts (an assignment's projector): a bar drawn in SVG, and the counts in words.
    const questions = root.querySelector("[data-questions]");
    const questionsEmpty = root.querySelector("[data-questions-empty]");
    const svgNS = "http://www.w3.org/2000/svg";
    const rect = (className, x, width) => {
      const element = document.createElementNS(svgNS, "rect");
      element.setAttribute("class", className);
      for (const [name, value] of [["x", x], ["y", 0], ["height", 10], ["width", width]]) element.setAttribute(name, String(value));
      return element;
    };
    const questionRow = (q) => {
      const li = document.createElement("li");
      const bar = document.createElementNS(svgNS, "svg");
      bar.setAttribute("class", "q-bar");
      bar.setAttribute("viewBox", "0 0 100 10");
      bar.setAttribute("preserveAspectRatio", "none");
      bar.setAttribute("aria-hidden", "true");
      bar.setAttribute("focusable", "false");
      bar.append(rect("q-right", 0, q.bar.right), rect("q-partial", q.bar.right, q.bar.partly),
        rect("q-wrong", q.bar.right + q.bar.partly, q.bar.wrong));
      li.append(span("q-number", `Q${q.number}`), bar, span("q-count", q.text));
      return li;
    };
    const render = (data) => {
      if (questions && Array.isArray(data.questions)) {
        questions.replaceChildren(...data.questions.map(questionRow));
        if (questionsEmpty) questionsEmpty.hidden = data.questions.length > 0;
      }
      for (const name of ["finished", "members", "answering"]) field(name).textContent = String(data[name]);
      const frozenAt = field("frozen_at");
      if (data.frozen_at) {
        frozenAt.setAttribute("datetime", data.frozen_at);
        frozenAt.textContent = localTime(data.frozen_at);
      }
      frozen.hidden = !data.frozen_at;
      list.replaceChildren(...data.entries.map(row));
      empty.hidden = data.entries.length > 0;
    };
    const status = (ok) => {
      live.hidden = false;
      live.textContent = ok ? "Updates every 3 seconds." : "Not updating: the server cannot be reached. Trying again…";
      refresh.hidden = ok;  // the link is the way back if polling keeps failing
    };
    const poll = async () => {
      if (!document.hidden) {
        try {
          const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
          const type = response.headers.get("Content-Type") || "";
          if (!response.ok || !type.includes("application/json")) throw new Error(`status ${response.status}`);
          render(await response.json());
          status(true);
        } catch (error) {
          status(false);
        }
      }
      window.setTimeout(poll, 3000);
    };
    status(true);
    window.setTimeout(poll, 3000);
  });
});

// Times: the server writes UTC into <time datetime="...Z"> with "UTC" in its text; here
// each becomes the reader's own time, with the zone named (the UTC stays in its title).
document.addEventListener("DOMContentLoaded", () => {
  const withDate = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  document.querySelectorAll("time[datetime$='Z']").forEach((time) => {
    const when = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) return;
    time.title = time.textContent.trim();
    time.textContent = (time.dataset.show === "time" ? timeOnly : withDate).format(when);
    time.dataset.local = "1";
  });
});

// Tabs: links to the sections of one page. Without JavaScript, :target shows the section
// (CSS); here a click shows it without jumping down the page, and the link says it is current.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tabs]").forEach((nav) => {
    const links = [...nav.querySelectorAll("a[href^='#']")];
    const panels = nav.nextElementSibling;
    if (!panels || !panels.classList.contains("tab-panels")) return;
    const sections = [...panels.children].filter((child) => child.tagName === "SECTION");
    const show = (id, focus) => {
      const section = sections.find((s) => s.id === id || s.querySelector(`[id="${CSS.escape(id)}"]`)) || sections[0];
      sections.forEach((s) => s.classList.toggle("is-current", s === section));
      links.forEach((a) => {
        if (a.getAttribute("href") === `#${section.id}`) a.setAttribute("aria-current", "true");
        else a.removeAttribute("aria-current");
      });
      if (focus) {
        const heading = section.querySelector("h2");
        if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
      }
    };
    panels.classList.add("js-tabs");
    links.forEach((a) => a.addEventListener("click", (event) => {
      event.preventDefault();
      const id = a.getAttribute("href").slice(1);
      history.replaceState(null, "", `#${id}`);
      show(id, true);
    }));
    window.addEventListener("hashchange", () => show(location.hash.slice(1), false));
    show(location.hash.slice(1), false);
  });
});

// Date-time fields in the teacher's own zone: the form says which zone (tz) and shows
// stored UTC values in it; the server turns them back into UTC. A form sent back with an
// error already holds local values, with tz filled in, and is left as it is.
document.addEventListener("DOMContentLoaded", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const pad = (n) => String(n).padStart(2, "0");
  document.querySelectorAll("input[name=tz]").forEach((tz) => {
    const form = tz.form;
    const fresh = !tz.value;
    tz.value = zone;
    form.querySelectorAll("input[type=datetime-local][data-utc]").forEach((input) => {
      if (fresh && input.value) {
        const when = new Date(`${input.value}Z`);
        if (!Number.isNaN(when.getTime())) {
          input.value = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
        }
      }
      const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (label) label.textContent = label.textContent.replace("UTC", "your time");
      const hint = document.getElementById(`${input.id}-hint`);
      if (hint) hint.textContent = hint.textContent.replace("Times are UTC.", `Your time zone: ${zone}.`);
    });
    const note = form.querySelector("[data-zone-note]");
    if (note) note.textContent = `Dates and times are in your time zone, ${zone}.`;
  });
});

// A timed attempt's countdown: the time left, every second, in the server's own clock (the
// page says what time the server had when it sent it). It warns at one minute and at ten
// seconds, politely, for screen readers too. It judges nothing: the server refuses answers
// after the deadline whatever this shows.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-deadline]").forEach((box) => {
    const deadline = Date.parse(box.dataset.deadline);
    const serverNow = Date.parse(box.dataset.now || "");
    if (Number.isNaN(deadline)) return;
    const skew = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
    const clock = document.createElement("p");
    clock.className = "countdown-clock";
    clock.setAttribute("role", "timer");
    const announce = document.createElement("p");
    announce.className = "visually-hidden";
    announce.setAttribute("aria-live", "polite");
    box.append(clock, announce);
    const said = new Set();
    const say = (key, text) => {
      if (said.has(key)) return;
      said.add(key);
      announce.textContent = text;
    };
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      clock.textContent = left > 0 ? `Time left: ${minutes}:${seconds}` : "Time is up.";
      box.classList.toggle("warn", left <= 60 && left > 10);
      box.classList.toggle("urgent", left <= 10);
      if (left <= 0) {
        say("up", "Time is up.");
        return;
      }
      if (left <= 10) say("ten", "Ten seconds left.");
      else if (left <= 60) say("minute", "Less than one minute left.");
      window.setTimeout(tick, 250);
    };
    tick();
  });
});
