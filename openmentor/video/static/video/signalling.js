// The room's signalling websocket: joins, reconnects on a backoff ladder, re-joins with
// the page's own client id (so the server continues this page's presence).

export const LADDER_S = [0, 3, 5, 7, 7, 7, 7, 7, 7, 7]; // LiveKit's, for about a minute

export class Signalling extends EventTarget {
  constructor(path) {
    super();
    this.path = path;
    this.client = crypto.randomUUID().replaceAll("-", "").slice(0, 24);
    this.socket = null;
    this.joined = false;
    this.wantJoin = false;
    this.closedForGood = false;
    this.attempt = 0;
    this.queue = [];
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  open() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url());
      this.socket = socket;
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        this.attempt = 0;
        if (this.wantJoin) this.send({ type: "join", client: this.client });
        const pending = this.queue;
        this.queue = [];
        pending.forEach((frame) => this.send(frame));
        this.dispatchEvent(new CustomEvent("open"));
        resolve();
      });
      socket.addEventListener("message", (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame.type === "joined") this.joined = true;
        this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
      });
      socket.addEventListener("close", (event) => {
        this.joined = false;
        if (!opened) reject(new Error("closed before opening"));
        // 4401/4403/4409 are answers, not failures: do not retry them.
        if (event.code >= 4400 && event.code < 4500) this.closedForGood = true;
        this.dispatchEvent(new CustomEvent("close", { detail: { code: event.code } }));
        if (!this.closedForGood) this.reconnect();
      });
    });
  }

  reconnect() {
    const delay = LADDER_S[Math.min(this.attempt, LADDER_S.length - 1)];
    this.attempt += 1;
    if (this.attempt > LADDER_S.length * 3) return; // about three minutes: give up, say so
    this.dispatchEvent(new CustomEvent("reconnecting", { detail: { attempt: this.attempt, delay } }));
    setTimeout(() => {
      if (this.closedForGood) return;
      this.open().catch(() => {});
    }, delay * 1000);
  }

  join() {
    this.wantJoin = true;
    this.send({ type: "join", client: this.client });
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
    } else if (frame.type === "chat") {
      // Only chat waits for the connection: negotiation is redone after a reconnect.
      this.queue.push(frame);
    }
  }

  leave() {
    this.closedForGood = true;
    this.send({ type: "leave" });
  }
}
