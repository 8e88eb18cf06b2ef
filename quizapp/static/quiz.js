// Progressive enhancements; every page works without this file.
"use strict";

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

  // Ordering: move items with buttons or by dragging; the position selects follow.
  document.querySelectorAll("[data-ordering]").forEach((list) => {
    list.classList.add("enhanced");
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
  });
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
      li.append(span("rank", String(entry.rank)), span("name", entry.name), move, span("score", entry.shown_score));
      return li;
    };
    const render = (data) => {
      for (const name of ["finished", "members", "answering"]) field(name).textContent = String(data[name]);
      field("frozen_at").textContent = data.frozen_at || "";
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
