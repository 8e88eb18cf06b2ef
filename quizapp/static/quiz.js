// Progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A button that submits once: a double click sends one request.
  document.querySelectorAll("form").forEach((form) => {
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
