// Connection quality from getStats, as a 0–100 score in three bands with its reason.
//
// Anchors: LiveKit's scorer (100 minus a delay effect minus a loss effect, from the
// E-model; bands at 80 and 40) and Jitsi's loss thresholds (loss up to 2 % costs
// nothing). Video that arrives far below a usable bitrate costs points too, so a
// throttled link reads as poor even when no packet is lost.

export const GOOD = 80;
export const FAIR = 40;
const LOSS_FREE_PCT = 2;
const LOSS_WEIGHT = 5; // each percent above 2 % costs 5 points: 12 % loss is "fair" at best
const USABLE_VIDEO_KBPS = 250;
const LOW_BITRATE_WEIGHT = 80; // 30 kbit/s of video is unusable: it scores poor

// sample: {rttMs, jitterMs, lossPct, videoKbps, expectVideo}
export function score(sample) {
  const rtt = sample.rttMs ?? 0;
  const jitter = sample.jitterMs ?? 0;
  const effectiveDelay = rtt / 2 + jitter * 2 + 10;
  const delayEffect = effectiveDelay < 160 ? effectiveDelay / 40 : (effectiveDelay - 120) / 10;
  const lossEffect = Math.max(0, (sample.lossPct ?? 0) - LOSS_FREE_PCT) * LOSS_WEIGHT;
  let bitrateEffect = 0;
  if (sample.expectVideo && sample.videoKbps != null && sample.videoKbps < USABLE_VIDEO_KBPS) {
    bitrateEffect = (1 - sample.videoKbps / USABLE_VIDEO_KBPS) * LOW_BITRATE_WEIGHT;
  }
  const value = Math.round(Math.max(0, Math.min(100, 100 - delayEffect - lossEffect - bitrateEffect)));
  const effects = [
    [delayEffect, `delay (round trip ${Math.round(rtt)} ms, jitter ${Math.round(jitter)} ms)`],
    [lossEffect, `packet loss ${sample.lossPct?.toFixed(1)} %`],
    [bitrateEffect, `low video bitrate (${Math.round(sample.videoKbps ?? 0)} kbit/s)`],
  ].sort((a, b) => b[0] - a[0]);
  const band = value >= GOOD ? "good" : value >= FAIR ? "fair" : "poor";
  const reason = effects[0][0] >= 5 ? effects[0][1] : "no problems measured";
  return { value, band, reason };
}

// Reads one sample from a peer connection, given the previous raw counters.
export async function sample(pc, previous, expectVideo) {
  const report = await pc.getStats();
  const now = performance.now();
  let rttMs = null;
  let jitterMs = 0;
  let lost = 0;
  let received = 0;
  let videoBytes = 0;
  let bytes = 0;
  let framesDecoded = 0;
  let selectedPair = null;
  report.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) selectedPair = s.selectedCandidatePairId;
  });
  report.forEach((s) => {
    if (s.type === "candidate-pair" && (s.id === selectedPair || (!selectedPair && s.nominated && s.state === "succeeded"))) {
      if (s.currentRoundTripTime != null) rttMs = s.currentRoundTripTime * 1000;
    }
    if (s.type === "inbound-rtp") {
      bytes += s.bytesReceived || 0;
      lost += s.packetsLost || 0;
      received += s.packetsReceived || 0;
      jitterMs = Math.max(jitterMs, (s.jitter || 0) * 1000);
      if (s.kind === "video") {
        videoBytes += s.bytesReceived || 0;
        framesDecoded += s.framesDecoded || 0;
      }
    }
  });
  const raw = { at: now, lost, received, videoBytes, framesDecoded, bytes };
  if (!previous) return { raw, result: null };
  const dLost = Math.max(0, lost - previous.lost);
  const dReceived = Math.max(0, received - previous.received);
  const seconds = Math.max(0.001, (now - previous.at) / 1000);
  const measured = {
    rttMs,
    jitterMs,
    lossPct: dLost + dReceived > 0 ? (100 * dLost) / (dLost + dReceived) : 0,
    videoKbps: ((videoBytes - previous.videoBytes) * 8) / 1000 / seconds,
    expectVideo,
  };
  // Nothing at all arrived since the last sample: the media path is cut (ICE itself
  // takes 5 s or more to notice).
  const stalled = bytes === previous.bytes;
  return { raw, result: { ...score(measured), measured, framesDecoded, stalled } };
}
