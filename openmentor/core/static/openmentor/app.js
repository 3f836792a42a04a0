// Small progressive enhancements; every page works without them.
// Close the account menu with Escape and return focus to its summary.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});

// "Copy" buttons (data-copy="<id of a read-only input>"): copy its value and say so.
document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // No clipboard permission (or not a secure context): the text is selected instead.
    document.execCommand?.("copy");
  }
  if (status) status.textContent = "Copied.";
});

// On a phone the main links fold behind a "Menu" button, so the header keeps to one row.
const navToggle = document.querySelector(".nav-toggle");
const navLinks = document.getElementById("nav-links");
if (navToggle && navLinks) {
  const narrow = window.matchMedia("(max-width: 40rem)");
  const fold = () => {
    navToggle.hidden = !narrow.matches;
    navToggle.setAttribute("aria-expanded", "false");
    navLinks.classList.toggle("folded", narrow.matches);
  };
  fold();
  narrow.addEventListener("change", fold);
  navToggle.addEventListener("click", () => {
    const open = navToggle.getAttribute("aria-expanded") !== "true";
    navToggle.setAttribute("aria-expanded", String(open));
    navLinks.classList.toggle("folded", !open);
  });
}

// Filters that fill a phone's first screen start folded there (details.fold-on-phone).
for (const details of document.querySelectorAll("details.fold-on-phone")) {
  if (!window.matchMedia("(max-width: 40rem)").matches) details.open = true;
}
