// Progressive enhancement for the profile page; the form works without it.

// Suggest the browser's own timezone when the person has not chosen one yet.
const timezoneInput = document.querySelector("input[data-guess-timezone]");
if (timezoneInput && !timezoneInput.value) {
  let guess = "";
  try {
    guess = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    guess = "";
  }
  const listed = new Set(
    Array.from(document.querySelectorAll("#timezone-options option"), (option) => option.value),
  );
  if (listed.has(guess)) {
    timezoneInput.value = guess;
    const note = document.getElementById("timezone-guess");
    if (note) {
      note.textContent = `Suggested from your browser: ${guess}. Change it if it is wrong.`;
      note.hidden = false;
    }
  }
}

// The availability grid: one tab stop with arrow-key movement (Space ticks, as on any
// checkbox), and click-and-drag with a mouse to tick or untick several cells at once.
const grid = document.querySelector("[data-availability-grid]");
if (grid) {
  const boxes = Array.from(grid.querySelectorAll('input[type="checkbox"]'));
  const columns = grid.querySelectorAll("thead th").length - 1;

  const moveTo = (index) => {
    for (const box of boxes) box.tabIndex = -1;
    boxes[index].tabIndex = 0;
    boxes[index].focus();
  };
  for (const box of boxes) box.tabIndex = -1;
  const start = boxes.findIndex((box) => box.checked);
  // Otherwise start on Monday 09:00, where most people begin.
  (boxes[start >= 0 ? start : Math.min(18 * columns, boxes.length - 1)] || boxes[0]).tabIndex = 0;

  grid.addEventListener("focusin", (event) => {
    const index = boxes.indexOf(event.target);
    if (index < 0) return;
    for (const box of boxes) box.tabIndex = -1;
    boxes[index].tabIndex = 0;
  });

  grid.addEventListener("keydown", (event) => {
    const index = boxes.indexOf(event.target);
    if (index < 0) return;
    const column = index % columns;
    const moves = {
      ArrowRight: column < columns - 1 ? index + 1 : null,
      ArrowLeft: column > 0 ? index - 1 : null,
      ArrowDown: index + columns,
      ArrowUp: index - columns,
      PageDown: Math.min(index + 4 * columns, boxes.length - columns + column),
      PageUp: Math.max(index - 4 * columns, column),
      Home: index - column,
      End: index - column + columns - 1,
    };
    if (!(event.key in moves)) return;
    const target = moves[event.key];
    event.preventDefault();
    if (target !== null && target >= 0 && target < boxes.length) moveTo(target);
  });

  const boxOf = (element) => {
    if (!(element instanceof Element)) return null;
    const cell = element.closest("td");
    return cell && grid.contains(cell) ? cell.querySelector('input[type="checkbox"]') : null;
  };
  let painting = null; // the state being painted while the mouse button is down
  let handledByPointer = false;

  grid.addEventListener("pointerdown", (event) => {
    // Touch keeps its ordinary tap-to-tick, so that the grid can still be scrolled.
    if (event.pointerType !== "mouse" || event.button !== 0) return;
    const box = boxOf(event.target);
    if (!box) return;
    event.preventDefault(); // no text selection while dragging
    painting = !box.checked;
    box.checked = painting;
    handledByPointer = true;
    box.focus({ preventScroll: true });
  });
  grid.addEventListener("pointerover", (event) => {
    if (painting === null) return;
    const box = boxOf(event.target);
    if (box) box.checked = painting;
  });
  document.addEventListener("pointerup", () => {
    painting = null;
  });
  grid.addEventListener("click", (event) => {
    // The mouse press already set the box; keep the browser's click from undoing it.
    // Keyboard clicks (Space) have detail 0 and go through untouched.
    if (handledByPointer && event.detail > 0 && boxOf(event.target)) event.preventDefault();
    handledByPointer = false;
  });
}

// The grid opens at working hours (08:00), or at the earliest time already ticked if that
// is earlier, rather than at midnight: nobody should scroll past the night to start.
const gridScroll = document.querySelector(".availability-scroll");
if (gridScroll) {
  const firstTicked = gridScroll.querySelector("tbody input:checked")?.closest("tr");
  const eight = gridScroll.querySelector('tr[data-time="08:00"]');
  const target =
    firstTicked && eight && firstTicked.rowIndex < eight.rowIndex ? firstTicked : eight;
  const header = gridScroll.querySelector("thead");
  if (target) gridScroll.scrollTop = target.offsetTop - (header ? header.offsetHeight : 0);
}
