// The call page: lobby (preview, devices, level meter, checks), then the call itself
// (peer to peer for two, a mesh of at most meshMax without Janus, Janus for groups).
import { sample } from "./quality.js";
import { LADDER_S, Signalling } from "./signalling.js";

const config = JSON.parse(document.getElementById("call-config").textContent);
const $ = (id) => document.getElementById(id);
const me = config.me.id;

// Read by the browser tests (and handy when debugging a call in the console).
const state = {
  peers: new Map(),
  joinedAt: null,
  connectedAt: null,
  lastConnectedAt: null,
  lostAt: null,
  quality: new Map(),
  audioOnly: false,
  offeredAudioOnly: false,
  restarts: 0,
  recoveredAt: null,
};
window.openmentorCall = state;

let localStream = new MediaStream();
let cameraTrack = null;
let screenTrack = null;
let janusCall = null;
const signalling = new Signalling(config.socket);

// --- lobby ---------------------------------------------------------------------------

function check(id, ok, text) {
  const item = $(id);
  item.dataset.state = ok ? "ok" : "failed";
  item.textContent = text;
}

function advise(text) {
  const advice = $("lobby-advice");
  advice.hidden = !text;
  advice.textContent = text || "";
}

async function acquire() {
  const cameraId = $("camera-select").value;
  const micId = $("microphone-select").value;
  localStream.getTracks().forEach((t) => t.stop());
  const wantVideo = $("camera-on").checked;
  const constraints = {
    audio: micId ? { deviceId: { exact: micId } } : true,
    video: wantVideo ? (cameraId ? { deviceId: { exact: cameraId } } : true) : false,
  };
  try {
    localStream = await navigator.mediaDevices.getUserMedia(constraints);
    check("check-devices", true, wantVideo ? "Camera and microphone: working." : "Microphone: working (camera off).");
    advise("");
  } catch (error) {
    localStream = new MediaStream();
    if (error.name === "NotAllowedError") {
      check("check-devices", false, "Camera and microphone: not allowed.");
      advise("Your browser blocked the camera and microphone. Allow them for this site (the icon at the left of the address bar), then reload. You can still join to chat, or continue by phone.");
    } else if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
      check("check-devices", false, "Camera and microphone: none found.");
      advise("No camera or microphone was found. Plug one in and choose it above, or join without one to chat.");
    } else {
      check("check-devices", false, `Camera and microphone: ${error.name}.`);
      advise("The camera or microphone could not start: close other programs that use it, then try again.");
    }
  }
  cameraTrack = localStream.getVideoTracks()[0] || null;
  $("preview").srcObject = localStream;
  $("local-video").srcObject = localStream;
  meter();
  await listDevices();
  state.peers.forEach((peer) => attachTracks(peer));
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [kind, id] of [["videoinput", "camera-select"], ["audioinput", "microphone-select"]]) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(select.options[0]);
    devices.filter((d) => d.kind === kind && d.deviceId).forEach((d, i) => {
      const option = new Option(d.label || `${kind === "videoinput" ? "Camera" : "Microphone"} ${i + 1}`, d.deviceId);
      select.add(option);
    });
    select.value = chosen;
  }
}

let meterTimer = null;
function meter() {
  clearInterval(meterTimer);
  const track = localStream.getAudioTracks()[0];
  if (!track) return;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  meterTimer = setInterval(() => {
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    const level = Math.min(100, Math.round((peak / 128) * 100 * 1.5));
    $("mic-level").value = level;
    $("mic-level").textContent = String(level);
  }, 100);
}

async function signallingCheck() {
  try {
    await signalling.open();
    const started = performance.now();
    const pong = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), 5000);
      signalling.addEventListener("frame", function onFrame(event) {
        if (event.detail.type === "pong") {
          clearTimeout(timer);
          signalling.removeEventListener("frame", onFrame);
          resolve();
        }
      });
    });
    signalling.send({ type: "ping" });
    await pong;
    check("check-signalling", true, `Connection to OpenMentor: working (${Math.round(performance.now() - started)} ms).`);
    return true;
  } catch {
    check("check-signalling", false, "Connection to OpenMentor: blocked.");
    advise("This network blocks the call's connection to OpenMentor (websockets). Try another network, or ask your IT team to allow websockets to this site.");
    return false;
  }
}

// A short loopback: two connections in this page, through the configured TURN server
// (relay only) when there is one, so a blocked media path shows before the call.
async function mediaCheck() {
  if (config.mode === "janus") {
    const { janusMediaCheck } = await import("./janus_call.js");
    const ok = await janusMediaCheck(config, localStream);
    check("check-media", ok, ok ? "Media path: working (through the group-call server)." : "Media path: blocked.");
    if (!ok) advise("Audio and video could not reach the group-call server from this network. Use the chat, or continue by phone; your IT team can allow the server's UDP ports.");
    return;
  }
  const relay = config.iceServers.some((s) => [].concat(s.urls).some((u) => u.startsWith("turn")));
  const options = { iceServers: config.iceServers, iceTransportPolicy: relay ? "relay" : "all" };
  const a = new RTCPeerConnection(options);
  const b = new RTCPeerConnection(options);
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => {});
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => {});
  a.createDataChannel("check");
  const connected = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 6000);
    a.onconnectionstatechange = () => {
      if (a.connectionState === "connected") { clearTimeout(timer); resolve(true); }
      if (a.connectionState === "failed") { clearTimeout(timer); resolve(false); }
    };
  });
  try {
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const ok = await connected;
    check("check-media", ok, ok ? `Media path: working${relay ? " (through the relay server)" : ""}.` : "Media path: blocked.");
    if (!ok) advise("Audio and video could not get through this network. The call may still work through your partner's network; if it does not, use the chat or continue by phone.");
  } finally {
    a.close();
    b.close();
  }
}

// --- the call --------------------------------------------------------------------------

function setStatus(stateName, text) {
  const status = $("call-status");
  status.dataset.state = stateName;
  status.textContent = text;
}

function tileFor(userId) {
  let tile = document.querySelector(`[data-peer="${userId}"]`);
  if (!tile) {
    tile = document.createElement("figure");
    tile.className = "tile";
    tile.dataset.peer = String(userId);
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const name = config.members[String(userId)] || "Partner";
    video.setAttribute("aria-label", `Video of ${name}`);
    const caption = document.createElement("figcaption");
    caption.textContent = name;
    tile.append(video, caption);
    $("videos").append(tile);
  }
  return tile;
}

function removeTile(userId) {
  document.querySelector(`[data-peer="${userId}"]`)?.remove();
}

function currentVideoTrack() {
  if (state.audioOnly) return null;
  return screenTrack || (cameraTrack && cameraTrack.enabled !== false ? cameraTrack : null);
}

function attachTracks(peer) {
  const audio = localStream.getAudioTracks()[0] || null;
  for (const transceiver of peer.pc.getTransceivers()) {
    const kind = transceiver.receiver.track.kind;
    if (transceiver.currentDirection === "stopped") continue;
    transceiver.direction = "sendrecv";
    transceiver.sender.replaceTrack(kind === "audio" ? audio : currentVideoTrack()).catch(() => {});
  }
}

function newPeer(userId, client) {
  const pc = new RTCPeerConnection({ iceServers: config.iceServers });
  const peer = { id: userId, client, pc, pendingIce: [], remoteMedia: { video: true, audio: true }, ladder: 0, ladderTimer: null, previous: null, poorCount: 0, goodCount: 0, gen: 0, remoteGen: -1, restartedAt: 0 };
  state.peers.set(userId, peer);
  const tile = tileFor(userId);
  const video = tile.querySelector("video");
  const remote = new MediaStream();
  video.srcObject = remote;
  pc.ontrack = (event) => {
    remote.addTrack(event.track);
  };
  pc.onicecandidate = (event) => {
    // Candidates belong to the negotiation in progress: ours as offerer, theirs as answerer.
    const gen = offerer(userId) ? peer.gen : Math.max(0, peer.remoteGen);
    signalling.send({ type: "ice", to: userId, candidate: event.candidate ? event.candidate.toJSON() : null, gen });
  };
  pc.onconnectionstatechange = () => onConnectionState(peer);
  return peer;
}

function offerer(userId) {
  return me < userId;
}

async function makeOffer(peer, { iceRestart = false, fresh = false } = {}) {
  if (iceRestart || fresh) {
    peer.restarting = true;
    peer.restartedAt = performance.now();
    state.restarts += 1;
  }
  peer.gen += 1;
  if (peer.pc.getTransceivers().length === 0) {
    peer.pc.addTransceiver("audio", { direction: "sendrecv" });
    peer.pc.addTransceiver("video", { direction: "sendrecv" });
    attachTracks(peer);
  }
  const offer = await peer.pc.createOffer({ iceRestart });
  await peer.pc.setLocalDescription(offer);
  signalling.send({ type: "offer", to: peer.id, sdp: peer.pc.localDescription.sdp, restart: fresh, gen: peer.gen });
}

function freshPeer(peer) {
  clearTimeout(peer.ladderTimer);
  peer.pc.close();
  const replacement = newPeer(peer.id, peer.client);
  replacement.ladder = peer.ladder;
  replacement.gen = peer.gen;
  replacement.remoteGen = peer.remoteGen;
  replacement.restarting = peer.restarting;
  return replacement;
}

async function onPeerArrived(userId, client) {
  if (config.mode === "janus") return;
  const known = state.peers.get(userId);
  if (known && known.client === client) {
    // The same page reconnected its socket: keep the media if it still flows.
    if (known.pc.connectionState !== "connected" && offerer(userId)) await makeOffer(known, { iceRestart: true });
    return;
  }
  if (!known && state.peers.size >= config.meshMax - 1) return; // the mesh is full
  const peer = known ? freshPeer(known) : newPeer(userId, client);
  peer.client = client;
  peer.remoteGen = -1; // another page of theirs: its negotiations count from the start
  setStatus("connecting", `Connecting to ${config.members[String(userId)] || "your partner"}…`);
  if (offerer(userId)) await makeOffer(peer);
}

async function onOffer(frame) {
  let peer = state.peers.get(frame.from);
  if (peer && frame.gen <= peer.remoteGen) return; // a late offer of an earlier negotiation
  if (!peer) peer = newPeer(frame.from, "");
  else if (frame.restart || peer.pc.connectionState === "failed" || peer.pc.connectionState === "closed") peer = freshPeer(peer);
  if (frame.restart) peer.restarting = true;
  peer.remoteGen = frame.gen;
  peer.pendingIce = [];
  await peer.pc.setRemoteDescription({ type: "offer", sdp: frame.sdp });
  attachTracks(peer);
  await peer.pc.setLocalDescription(await peer.pc.createAnswer());
  signalling.send({ type: "answer", to: frame.from, sdp: peer.pc.localDescription.sdp, gen: frame.gen });
  await flushIce(peer);
  afterNegotiation(peer);
}

async function onAnswer(frame) {
  const peer = state.peers.get(frame.from);
  if (!peer || frame.gen !== peer.gen || peer.pc.signalingState !== "have-local-offer") return;
  await peer.pc.setRemoteDescription({ type: "answer", sdp: frame.sdp });
  await flushIce(peer);
  afterNegotiation(peer);
}

async function onIce(frame) {
  const peer = state.peers.get(frame.from);
  if (!peer) return;
  if (frame.gen !== (offerer(frame.from) ? peer.gen : peer.remoteGen)) return; // stale
  if (!peer.pc.remoteDescription) {
    peer.pendingIce.push(frame.candidate);
    return;
  }
  await peer.pc.addIceCandidate(frame.candidate || undefined).catch(() => {});
}

async function flushIce(peer) {
  const pending = peer.pendingIce;
  peer.pendingIce = [];
  for (const candidate of pending) await peer.pc.addIceCandidate(candidate || undefined).catch(() => {});
}

function markConnected(peer) {
  const now = performance.now();
  if (peer.restarting) state.recoveredAt = now;
  peer.restarting = false;
  if (state.connectedAt === null) state.connectedAt = now;
  // Attendance starts when media flows, not at the next regular beat.
  signalling.send({ type: "heartbeat", media: true });
  state.lastConnectedAt = now;
  clearTimeout(peer.ladderTimer);
  peer.ladder = 0;
  peer.previous = null;
  setStatus("connected", `Connected with ${config.members[String(peer.id)] || "your partner"}.`);
}

// After a renegotiation that restarted ICE: connected again once ICE has a pair.
function afterNegotiation(peer) {
  if (!peer.restarting) return;
  const started = performance.now();
  const poll = setInterval(() => {
    if (state.peers.get(peer.id) !== peer || performance.now() - started > 15000) return clearInterval(poll);
    if (peer.pc.connectionState === "connected" && ["connected", "completed"].includes(peer.pc.iceConnectionState)) {
      clearInterval(poll);
      markConnected(peer);
    }
  }, 50);
}

function onConnectionState(peer) {
  if (state.peers.get(peer.id) !== peer) return; // an old connection, replaced
  const s = peer.pc.connectionState;
  if (s === "connected") {
    markConnected(peer);
  } else if (s === "disconnected" || s === "failed") {
    if (state.lostAt === null || (state.lastConnectedAt && state.lastConnectedAt > state.lostAt)) state.lostAt = performance.now();
    setStatus("reconnecting", "The connection was lost. Reconnecting by itself — no need to do anything.");
    if (!peer.ladderTimer) climb(peer);
  }
}

// The reconnect ladder: an ICE restart first, then fresh connections, at 0, 3, 5, 7 s…
function climb(peer, { force = false } = {}) {
  const step = peer.ladder;
  if (step >= LADDER_S.length) {
    setStatus("failed", "The call could not reconnect. Check your network, then reload this page, or continue by phone.");
    return;
  }
  peer.ladderTimer = setTimeout(async () => {
    let current = state.peers.get(peer.id);
    if (!current) return;
    if (healthy(current) && !(force && step === 0)) return;
    current.ladder = step + 1;
    current.ladderTimer = null;
    if (!signalling.joined) {
      // Signalling is down too: wait for it, then go on climbing.
      current.ladder = step;
      climbLater(current);
      return;
    }
    if (step === 0) {
      if (offerer(current.id)) await makeOffer(current, { iceRestart: true });
      else {
        current.restarting = true;
        state.restarts += 1;
        signalling.send({ type: "relay", to: current.id, event: { kind: "restart", fresh: false } });
      }
    } else if (offerer(current.id)) {
      current = freshPeer(current);
      current.ladder = step + 1;
      await makeOffer(current, { fresh: true });
    } else {
      signalling.send({ type: "relay", to: current.id, event: { kind: "restart", fresh: true } });
    }
    climbLater(current);
  }, LADDER_S[step] * 1000);
}

// Connected and not in the middle of a restart (ICE may still say "connected" for
// seconds after the media stopped).
function healthy(peer) {
  return peer.pc.connectionState === "connected" && !peer.restarting;
}

function climbLater(peer) {
  clearTimeout(peer.ladderTimer);
  peer.ladderTimer = setTimeout(() => {
    peer.ladderTimer = null;
    if (state.peers.get(peer.id) === peer && !healthy(peer)) climb(peer);
  }, 1000);
}

async function onRelay(frame) {
  const event = frame.event;
  const peer = state.peers.get(frame.from);
  if (event.kind === "restart" && peer && offerer(frame.from)) {
    // Both sides notice a cut: one restart at a time, not one per request.
    if (performance.now() - peer.restartedAt < 2500) return;
    if (event.fresh) {
      const replacement = freshPeer(peer);
      await makeOffer(replacement, { fresh: true });
    } else {
      await makeOffer(peer, { iceRestart: true });
    }
  } else if (event.kind === "media" && peer) {
    peer.remoteMedia = { video: !!event.video, audio: !!event.audio };
  } else if (event.kind === "audio-only") {
    setAudioOnly(!!event.on, { tell: false });
  }
}

function onFrame(event) {
  const frame = event.detail;
  const handlers = {
    joined: () => {
      state.joinedAt = state.joinedAt ?? performance.now();
      if (state.peers.size === 0) setStatus("waiting", $("call-status").dataset.waiting);
      announceMedia();
    },
    "peer.joined": () => onPeerArrived(frame.user, frame.client),
    "peer.here": () => onPeerArrived(frame.user, frame.client),
    "peer.left": () => {
      const peer = state.peers.get(frame.user);
      if (!peer || (frame.client && peer.client && frame.client !== peer.client)) return;
      if (frame.reason === "left") {
        // Media flowed until this moment: confirm it before the connection goes.
        if (peer.pc.connectionState === "connected") signalling.send({ type: "heartbeat", media: true });
        clearTimeout(peer.ladderTimer);
        peer.pc.close();
        state.peers.delete(frame.user);
        removeTile(frame.user);
        setStatus("waiting", `${config.members[String(frame.user)] || "Your partner"} left the call.`);
      }
    },
    offer: () => onOffer(frame),
    answer: () => onAnswer(frame),
    ice: () => onIce(frame),
    relay: () => onRelay(frame),
    chat: () => showChat(frame),
    replaced: () => {
      setStatus("replaced", "You joined this call from another tab or window, so it continues there.");
      hangUp(false);
    },
    error: () => console.warn("signalling:", frame.error),
  };
  const handler = handlers[frame.type];
  if (handler) Promise.resolve(handler()).catch((error) => console.warn(error));
}

signalling.addEventListener("frame", onFrame);
signalling.addEventListener("close", (event) => {
  if (event.detail.code === 4409 || event.detail.code === 4403) return;
  if ($("call").hidden) return;
  if ([...state.peers.values()].some((p) => p.pc.connectionState === "connected")) return;
  setStatus("reconnecting", "The connection to OpenMentor was lost. Reconnecting by itself…");
});

// When the browser knows the network went (Wi-Fi dropped), say so at once; when it
// comes back restart ICE straight away (addresses often change with the network)
// rather than wait for the connection to time out.
window.addEventListener("offline", () => {
  if ($("call").hidden) return;
  state.lostAt = performance.now();
  setStatus("offline", "You are offline. The call will reconnect by itself when the network is back.");
});

window.addEventListener("online", () => {
  if ($("call").hidden || $("call-status").dataset.state === "left") return;
  setStatus("reconnecting", "The network is back. Reconnecting…");
  if (!signalling.socket || signalling.socket.readyState !== WebSocket.OPEN) signalling.attempt = 0;
  for (const peer of state.peers.values()) {
    clearTimeout(peer.ladderTimer);
    peer.ladderTimer = null;
    peer.ladder = 0;
    climb(peer, { force: true });
  }
});

function announceMedia() {
  signalling.send({ type: "relay", event: { kind: "media", video: !!currentVideoTrack(), audio: !!localStream.getAudioTracks()[0]?.enabled } });
}

function mediaFlows() {
  if (janusCall) return janusCall.connected();
  return [...state.peers.values()].some((p) => p.pc.connectionState === "connected");
}

setInterval(() => {
  if (signalling.joined) signalling.send({ type: "heartbeat", media: mediaFlows() });
}, 5000);

// --- quality ---------------------------------------------------------------------------

// Poor in 4 of the last 6 one-second samples: a passing dip does not interrupt anyone.
const POOR_SAMPLES_BEFORE_OFFER = 4;
const GOOD_SAMPLES_BEFORE_BACK = 8;
// Two seconds without a single byte of audio or video: treat the connection as lost.
const STALLED_SAMPLES_BEFORE_RECONNECT = 2;

setInterval(async () => {
  for (const peer of state.peers.values()) {
    if (peer.pc.connectionState !== "connected") continue;
    const expectVideo = peer.remoteMedia.video && !state.audioOnly;
    const { raw, result } = await sample(peer.pc, peer.previous, expectVideo);
    peer.previous = raw;
    if (!result) continue;
    peer.stalledSamples = result.stalled ? (peer.stalledSamples || 0) + 1 : 0;
    if (peer.stalledSamples >= STALLED_SAMPLES_BEFORE_RECONNECT) {
      peer.stalledSamples = 0;
      if (state.lostAt === null || (state.lastConnectedAt && state.lastConnectedAt > state.lostAt)) state.lostAt = performance.now();
      setStatus("reconnecting", "The connection was lost. Reconnecting by itself — no need to do anything.");
      if (!peer.ladderTimer) climb(peer, { force: true });
      continue;
    }
    if (result.stalled) continue;
    state.quality.set(peer.id, result);
    const label = { good: "Good", fair: "Fair", poor: "Poor" }[result.band];
    const q = $("quality");
    q.dataset.band = result.band;
    q.dataset.score = String(result.value);
    q.textContent = `${label} (${result.value}/100)${result.band === "good" ? "" : ` — ${result.reason}`}.`;
    peer.recentBands = [...(peer.recentBands || []), result.band].slice(-6);
    peer.poorCount = peer.recentBands.filter((b) => b === "poor").length;
    peer.goodCount = result.band === "good" ? peer.goodCount + 1 : 0;
    if (peer.poorCount >= POOR_SAMPLES_BEFORE_OFFER && !state.audioOnly) {
      if (config.autoAudioOnly) {
        setAudioOnly(true, { tell: true, automatic: true });
      } else if (!state.offeredAudioOnly) {
        state.offeredAudioOnly = true;
        $("quality-offer").hidden = false;
      }
    }
    if (state.audioOnly && state.audioOnlyAutomatic && peer.goodCount >= GOOD_SAMPLES_BEFORE_BACK) {
      setAudioOnly(false, { tell: true });
    }
  }
}, 1000);

function setAudioOnly(on, { tell, automatic = false }) {
  state.audioOnly = on;
  state.audioOnlyAutomatic = on && automatic;
  $("audio-only-button").setAttribute("aria-pressed", String(on));
  $("audio-only-button").textContent = on ? "Turn video back on" : "Audio only";
  $("quality-offer").hidden = true;
  state.peers.forEach((peer) => attachTracks(peer));
  if (janusCall) janusCall.setVideo(!on && !!currentVideoTrack());
  if (tell) signalling.send({ type: "relay", event: { kind: "audio-only", on } });
  announceMedia();
}

// --- controls and chat -------------------------------------------------------------------

function showChat(frame) {
  const item = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = frame.author === me ? "You" : frame.author_name || "Partner";
  const time = document.createElement("time");
  time.dateTime = frame.created_at;
  time.textContent = new Date(frame.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  item.append(who, ": ", frame.body, " ", time);
  $("chat-log").append(item);
}

config.chat.forEach(showChat);

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = $("chat-input").value.trim();
  if (!body) return;
  signalling.send({ type: "chat", body });
  $("chat-input").value = "";
});

$("mute-button").addEventListener("click", () => {
  const track = localStream.getAudioTracks()[0];
  if (!track) return;
  track.enabled = !track.enabled;
  $("mute-button").setAttribute("aria-pressed", String(!track.enabled));
  $("mute-button").textContent = track.enabled ? "Mute" : "Unmute";
  announceMedia();
});

$("camera-button").addEventListener("click", () => {
  if (!cameraTrack) return;
  cameraTrack.enabled = !cameraTrack.enabled;
  $("camera-button").setAttribute("aria-pressed", String(!cameraTrack.enabled));
  $("camera-button").textContent = cameraTrack.enabled ? "Turn camera off" : "Turn camera on";
  state.peers.forEach((peer) => attachTracks(peer));
  announceMedia();
});

$("screen-button").addEventListener("click", async () => {
  if (screenTrack) {
    screenTrack.stop();
    screenTrack = null;
  } else {
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screenTrack = display.getVideoTracks()[0];
      screenTrack.addEventListener("ended", () => {
        screenTrack = null;
        $("screen-button").setAttribute("aria-pressed", "false");
        $("screen-button").textContent = "Share screen";
        state.peers.forEach((peer) => attachTracks(peer));
      });
    } catch {
      return; // the person cancelled the picker
    }
  }
  $("screen-button").setAttribute("aria-pressed", String(!!screenTrack));
  $("screen-button").textContent = screenTrack ? "Stop sharing" : "Share screen";
  $("local-video").srcObject = screenTrack ? new MediaStream([screenTrack]) : localStream;
  state.peers.forEach((peer) => attachTracks(peer));
  if (janusCall) janusCall.replaceVideo(currentVideoTrack());
  announceMedia();
});

$("audio-only-button").addEventListener("click", () => setAudioOnly(!state.audioOnly, { tell: true }));
$("accept-audio-only").addEventListener("click", () => setAudioOnly(true, { tell: true }));
$("dismiss-audio-only").addEventListener("click", () => { $("quality-offer").hidden = true; });

function hangUp(tell) {
  if (tell && mediaFlows()) signalling.send({ type: "heartbeat", media: true });
  if (tell) signalling.leave();
  else signalling.closedForGood = true;
  state.peers.forEach((peer) => peer.pc.close());
  state.peers.clear();
  if (janusCall) janusCall.leave();
  localStream.getTracks().forEach((t) => t.stop());
}

$("leave-button").addEventListener("click", () => {
  hangUp(true);
  setStatus("left", "You left the call.");
});

$("join-button").addEventListener("click", async () => {
  $("lobby").hidden = true;
  $("call").hidden = false;
  clearInterval(meterTimer);
  state.joinClickedAt = performance.now();
  if (config.mode === "janus") {
    const { JanusCall } = await import("./janus_call.js");
    janusCall = new JanusCall(config, localStream, {
      status: setStatus,
      tileFor,
      removeTile,
    });
    janusCall.start();
  }
  signalling.join();
});

$("camera-on").addEventListener("change", acquire);
$("camera-select").addEventListener("change", acquire);
$("microphone-select").addEventListener("change", acquire);
$("call-status").dataset.waiting = $("call-status").textContent;

await acquire();
await signallingCheck();
await mediaCheck();
