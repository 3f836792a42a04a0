// Live conversation. The page works without this module (the form POSTs and redirects);
// with it, messages arrive and are sent over a websocket and the page marks them read.
// The protocol is described in openmentor/messaging/consumers.py.

const log = document.querySelector("[data-conversation]");
const list = document.getElementById("chat-list");
const form = document.querySelector("[data-compose]");
const statusLine = document.getElementById("live-status");

if (log && list && log.dataset.wsPath) {
  start();
}

function start() {
  const me = Number(log.dataset.me);
  const textarea = form?.querySelector("textarea");
  const fileInput = form?.querySelector('input[type="file"]');
  const formatter = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZone: log.dataset.timezone || "UTC",
  });
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  let lastId = 0;
  for (const item of list.querySelectorAll("li[id^='message-']")) {
    lastId = Math.max(lastId, Number(item.id.slice("message-".length)));
  }
  let socket = null;
  let retryDelay = 1000;
  let pending = null;

  log.scrollTop = log.scrollHeight;

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function connect() {
    socket = new WebSocket(`${scheme}//${location.host}${log.dataset.wsPath}?after=${lastId}`);
    socket.addEventListener("open", () => {
      retryDelay = 1000;
      log.dataset.live = "on";
      say("");
      markRead();
    });
    socket.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.type === "message") append(data);
      else if (data.type === "error") showError(data.error);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      log.dataset.live = "off";
      if (event.code === 4401 || event.code === 4403) {
        say("Live updates stopped. Reload the page (you may need to log in again).");
        return;
      }
      say("Live updates paused; reconnecting…");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  function markRead() {
    if (document.visibilityState === "visible" && socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "read" }));
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function append(data) {
    lastId = Math.max(lastId, data.id);
    if (document.getElementById(`message-${data.id}`)) return;
    document.getElementById("chat-empty")?.remove();
    const mine = data.author === me;
    const item = element("li", mine ? "chat-message mine" : "chat-message");
    item.id = `message-${data.id}`;
    const meta = element("p", "chat-meta");
    const time = element("time", "", formatter.format(new Date(data.created_at)));
    time.dateTime = data.created_at;
    meta.append(element("strong", "", mine ? "You" : data.author_name), " ", time);
    item.append(meta);
    if (data.body) item.append(element("p", "chat-body", data.body));
    if (data.attachment) {
      const line = element("p", "chat-attachment", "File: ");
      const link = element("a", "", data.attachment.name);
      link.href = data.attachment.url;
      link.download = "";
      line.append(link, " ", element("span", "muted", `(${sizeText(data.attachment.size)})`));
      item.append(line);
    }
    list.append(item);
    log.scrollTop = log.scrollHeight;
    if (mine && pending !== null && data.body === pending) {
      textarea.value = "";
      pending = null;
      clearError();
    }
    if (!mine) markRead();
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${bytes} bytes`;
  }

  function errorNode() {
    return document.getElementById("live-body-error");
  }

  function showError(text) {
    if (!textarea) {
      say(text);
      return;
    }
    let node = errorNode();
    if (!node) {
      node = element("p", "error");
      node.id = "live-body-error";
      node.setAttribute("role", "alert");
      textarea.closest(".field")?.append(node);
    }
    node.textContent = text;
    textarea.setAttribute("aria-invalid", "true");
    textarea.setAttribute("aria-describedby", node.id);
    textarea.closest(".field")?.classList.add("has-error");
    pending = null;
  }

  function clearError() {
    errorNode()?.remove();
    textarea.removeAttribute("aria-invalid");
    textarea.removeAttribute("aria-describedby");
    textarea.closest(".field")?.classList.remove("has-error");
  }

  form?.addEventListener("submit", (event) => {
    // Files and a closed socket take the ordinary form post, which works the same.
    if (fileInput?.files.length || !textarea || socket?.readyState !== WebSocket.OPEN) return;
    event.preventDefault();
    pending = textarea.value.trim();
    socket.send(JSON.stringify({ type: "message.send", body: textarea.value }));
  });

  textarea?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("visibilitychange", markRead);
  connect();
}
