// Group calls through Janus's videoroom plugin (janus.js from Debian's libjs-janus-gateway,
// loaded as a classic script with its `adapter` global): this page publishes its camera
// and microphone once and subscribes to every other member's feed. Signalling through
// OpenMentor still carries chat, presence and heartbeats.
/* global Janus */

export class JanusCall {
  constructor(config, stream, ui) {
    this.config = config;
    this.stream = stream;
    this.ui = ui;
    this.room = config.janus.room;
    this.publisher = null;
    this.up = false;
    this.subscribers = new Map(); // feed id -> {handle, userId, stream}
    window.openmentorJanus = this; // read by the browser tests
  }

  start() {
    Janus.init({
      debug: false,
      callback: () => {
        this.janus = new Janus({
          server: this.config.janus.server,
          iceServers: this.config.iceServers,
          success: () => this.attachPublisher(),
          error: () =>
            this.ui.status("failed", "The group-call server cannot be reached. Use the chat, or continue by phone."),
        });
      },
    });
  }

  attachPublisher() {
    this.janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        this.publisher = handle;
        // Rooms are made on first use; "already exists" is the usual answer after that.
        const join = () =>
          handle.send({ message: { request: "join", room: this.room, ptype: "publisher", display: String(this.config.me.id) } });
        handle.send({ message: { request: "create", room: this.room, publishers: 16, is_private: false }, success: join, error: join });
      },
      error: () => this.ui.status("failed", "The group call could not start."),
      webrtcState: (on) => {
        this.up = on;
        if (on) this.ui.status("connected", "Connected to the group call.");
        else this.ui.status("reconnecting", "The connection to the group call was lost. Reconnecting…");
      },
      onmessage: (message, jsep) => this.onPublisherMessage(message, jsep),
    });
  }

  onPublisherMessage(message, jsep) {
    if (message.videoroom === "joined") {
      const audio = this.stream.getAudioTracks()[0];
      const video = this.stream.getVideoTracks()[0];
      const tracks = [];
      if (audio) tracks.push({ type: "audio", capture: audio, recv: false });
      if (video) tracks.push({ type: "video", capture: video, recv: false });
      this.publisher.createOffer({
        tracks,
        success: (offer) =>
          this.publisher.send({ message: { request: "configure", audio: !!audio, video: !!video }, jsep: offer }),
        error: () => this.ui.status("failed", "Your camera and microphone could not be sent to the group call."),
      });
    }
    for (const feed of message.publishers || []) this.subscribe(feed);
    const gone = message.leaving || message.unpublished;
    if (gone && gone !== "ok") this.drop(gone);
    if (jsep) this.publisher.handleRemoteJsep({ jsep });
  }

  subscribe(feed) {
    if (this.subscribers.has(feed.id)) return;
    const userId = Number(feed.display);
    const entry = { handle: null, userId, stream: new MediaStream() };
    this.subscribers.set(feed.id, entry);
    const video = this.ui.tileFor(userId).querySelector("video");
    video.srcObject = entry.stream;
    this.janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        entry.handle = handle;
        handle.send({ message: { request: "join", room: this.room, ptype: "subscriber", streams: [{ feed: feed.id }] } });
      },
      onmessage: (message, jsep) => {
        if (!jsep) return;
        entry.handle.createAnswer({
          jsep,
          tracks: [{ type: "data" }],
          success: (answer) => entry.handle.send({ message: { request: "start", room: this.room }, jsep: answer }),
        });
      },
      onremotetrack: (track, mid, on) => {
        if (on) entry.stream.addTrack(track);
        else entry.stream.removeTrack(track);
      },
    });
  }

  drop(feedId) {
    const entry = this.subscribers.get(feedId);
    if (!entry) return;
    this.subscribers.delete(feedId);
    if (entry.handle) entry.handle.detach();
    this.ui.removeTile(entry.userId);
  }

  connected() {
    return this.up;
  }

  videoSender() {
    const pc = this.publisher?.webrtcStuff?.pc;
    return pc ? pc.getSenders().find((s) => s.track?.kind === "video" || s.track === null) : null;
  }

  setVideo(on) {
    this.replaceVideo(on ? this.stream.getVideoTracks()[0] || null : null);
  }

  replaceVideo(track) {
    const sender = this.videoSender();
    if (sender) sender.replaceTrack(track).catch(() => {});
  }

  leave() {
    if (this.janus) this.janus.destroy();
  }
}

// The lobby's media check for group rooms: a few seconds of this page's microphone sent
// to Janus's echo test plugin and back, over the same path the group call will take.
// Resolves true once media flows both ways, false after `timeoutMs`.
export function janusMediaCheck(config, stream, timeoutMs = 8000) {
  return new Promise((resolve) => {
    let session = null;
    let echo = null;
    let settled = false;
    const finish = (ok) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (session) session.destroy({ unload: false });
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    Janus.init({
      debug: false,
      callback: () => {
        session = new Janus({
          server: config.janus.server,
          iceServers: config.iceServers,
          success: () =>
            session.attach({
              plugin: "janus.plugin.echotest",
              success: (handle) => {
                echo = handle;
                const audio = stream ? stream.getAudioTracks()[0] : null;
                const tracks = audio ? [{ type: "audio", capture: audio.clone(), recv: true }] : [{ type: "data" }];
                handle.createOffer({
                  tracks,
                  success: (offer) => handle.send({ message: { audio: !!audio, video: false, data: !audio }, jsep: offer }),
                  error: () => finish(false),
                });
              },
              onmessage: (message, jsep) => {
                if (jsep && echo) echo.handleRemoteJsep({ jsep });
              },
              error: () => finish(false),
              webrtcState: (on) => finish(on),
            }),
          error: () => finish(false),
        });
      },
    });
  });
}
