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
        });
        if (response.redirected && response.ok) {
          window.location.assign(response.url);
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
