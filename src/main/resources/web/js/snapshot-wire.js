// Unpacks a protocol-4 snapshot (docs/PROTOCOL.md, "snapshot") into the arrays the views draw: per
// conv or dense layer, filterIds from the architecture, jitter, activation and any statistic as a
// Float32Array, activePath as a Uint8Array of 0/1, and empty arrays for what the server left out.
// Decoded once per snapshot, straight into typed arrays (no object or boolean per filter). No DOM here.
// An in-process ResNet's snapshot lists the convs inside its residual blocks in the architecture's
// flattened order (js/architecture.js), so their filter ids come from there.

import { flatLayers } from './architecture.js';

const EMPTY = Object.freeze([]);

/** Whether this machine stores floats little-endian, as the wire does (then f32 data is viewed, not converted). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a base64 string (the browser's own decoder where it has one). */
function bytes(base64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(base64 || '');
  const text = atob(base64 || '');
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The numbers of a packed array ({format, min, max, data}): "f32" little-endian floats, "u8"
 * min + (max - min) q / 254, "u8sqrt" max (q / 254)^2; the code 255 is NaN. Absent: empty.
 */
export function unpack(packed) {
  if (!packed) return EMPTY;
  const raw = bytes(packed.data);
  if (packed.format === 'f32') {
    if (LITTLE_ENDIAN && raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length >> 2);
    const view = new DataView(raw.buffer);
    const out = new Float32Array(raw.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float32Array(raw.length);
  const max = Number(packed.max) || 0;
  if (packed.format === 'u8sqrt') {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] === 255 ? NaN : max * (raw[i] / 254) ** 2;
  } else if (packed.format === 'u8') {
    const min = Number(packed.min) || 0;
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] === 255 ? NaN : min + (max - min) * raw[i] / 254;
  } else {
    throw new Error(`unknown array format '${packed.format}'`);
  }
  return out;
}

/** count flags (1 or 0) from a base64 bit string (bit i is bit i % 8 of byte i / 8). */
export function unpackBits(base64, count) {
  const raw = bytes(base64);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (raw[i >> 3] >> (i & 7)) & 1;
  return out;
}

/**
 * The snapshot with its layers unpacked, or null when it does not match the architecture the page
 * holds (a snapshot taken before a change the architecture message already announced: the next one will).
 */
export function decodeSnapshot(payload, architecture) {
  const units = new Map(flatLayers(architecture).map(l => [l.id, l.unitIds || []]));
  const layers = [];
  for (const layer of payload.layers || []) {
    if (layer.filters == null) {
      layers.push({ ...layer, filterIds: [], jitter: EMPTY, activation: EMPTY, activePath: EMPTY, thumbnails: EMPTY });
      continue;
    }
    const filterIds = units.get(layer.id);
    if (!filterIds || filterIds.length !== layer.filters) return null;
    layers.push({
      ...layer,
      filterIds,
      jitter: unpack(layer.jitter),
      activation: unpack(layer.activation),
      activePath: unpackBits(layer.activePath, layer.filters),
      thumbnailSize: layer.thumbnailSize || 0,
      thumbnailChannels: layer.thumbnailChannels || 0,
      thumbnails: unpack(layer.thumbnails),
      meanSquaredGradient: unpack(layer.meanSquaredGradient),
      l1Norm: unpack(layer.l1Norm),
      apoz: unpack(layer.apoz),
      taylor: unpack(layer.taylor),
      rgbMix: unpack(layer.rgbMix),
    });
  }
  return { ...payload, layers };
}
