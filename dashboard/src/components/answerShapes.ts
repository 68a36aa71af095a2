// The consolidated answers of a result (retrieveResult/listResults `result.answers`: node id → answer, in the wire
// form of layers/shared/python/bytebridge/annotations) as shapes to draw over the item's image, in the original
// image's pixels (origin top-left, y down). Answers with nothing to draw (choices, text, spans, time segments)
// become one line of text each.

export type Shape =
  | { kind: "rect"; label: string; x: number; y: number; w: number; h: number }
  | { kind: "line"; label: string; points: number[]; closed: boolean; showLabel: boolean }
  | { kind: "point"; label: string; x: number; y: number }
  | { kind: "mask"; label: string; width: number; height: number; counts: number[] }
  | { kind: "text"; label: string; x: number; y: number };

export interface AnswerDrawing {
  /** The image size the annotators saw (imageWidth/imageHeight of the first image answer), if any. */
  width: number | null;
  height: number | null;
  shapes: Shape[];
  /** One summary per answer that is not geometry: [node id, text]. */
  notes: [string, string][];
}

type Json = Record<string, unknown>;
type Pt = [number, number];

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string => (typeof value === "string" ? value : value == null ? "" : String(value));
const pts = (value: unknown): Pt[] =>
  Array.isArray(value) ? value.filter((p): p is Pt => Array.isArray(p) && p.length >= 2).map((p) => [num(p[0]), num(p[1])]) : [];
const flat = (points: Pt[]): number[] => points.flatMap(([x, y]) => [x, y]);

/** The corners of a box turned `angle` degrees counter-clockwise on screen (y down), as bytebridge.consensus.geometry. */
export function rotatedCorners(cx: number, cy: number, w: number, h: number, angle: number): Pt[] {
  const t = (angle * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ].map(([dx, dy]) => [cx + dx * c + dy * s, cy - dx * s + dy * c]);
}

/** Uncompressed COCO RLE (column-major run lengths, starting with 0s) → a row-major 0/1 array of width×height. */
export function decodeRle(counts: number[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  let index = 0;
  counts.forEach((run, i) => {
    if (i % 2 === 1) {
      for (let k = index; k < Math.min(index + run, out.length); k++) {
        const x = Math.floor(k / height);
        const y = k % height;
        out[y * width + x] = 1;
      }
    }
    index += run;
  });
  return out;
}

function seconds(value: unknown): string {
  return `${num(value).toFixed(1)}s`;
}

function addImageAnswer(answer: Json, shapes: Shape[]): boolean {
  let drew = false;
  for (const box of list(answer.boxes)) {
    drew = true;
    if ("cx" in box) {
      const corners = rotatedCorners(num(box.cx), num(box.cy), num(box.w), num(box.h), num(box.angle));
      shapes.push({ kind: "line", label: str(box.label), points: flat(corners), closed: true, showLabel: true });
    } else {
      shapes.push({ kind: "rect", label: str(box.label), x: num(box.x), y: num(box.y), w: num(box.w), h: num(box.h) });
    }
  }
  for (const point of list(answer.points)) {
    drew = true;
    shapes.push({ kind: "point", label: str(point.label), x: num(point.x), y: num(point.y) });
  }
  for (const polygon of list(answer.polygons)) {
    drew = true;
    shapes.push({ kind: "line", label: str(polygon.label), points: flat(pts(polygon.points)), closed: true, showLabel: true });
  }
  for (const line of list(answer.lines)) {
    drew = true;
    shapes.push({ kind: "line", label: str(line.label), points: flat(pts(line.points)), closed: false, showLabel: true });
  }
  for (const cuboid of list(answer.cuboids)) {
    drew = true;
    const front = pts(cuboid.front);
    const back = pts(cuboid.back);
    const label = str(cuboid.label);
    shapes.push({ kind: "line", label, points: flat(back), closed: true, showLabel: false });
    shapes.push({ kind: "line", label, points: flat(front), closed: true, showLabel: true });
    front.forEach((corner, i) => {
      if (back[i]) shapes.push({ kind: "line", label, points: flat([corner, back[i]]), closed: false, showLabel: false });
    });
  }
  const width = num(answer.imageWidth);
  const height = num(answer.imageHeight);
  for (const mask of list(answer.masks)) {
    drew = true;
    const counts = Array.isArray(mask.counts) ? mask.counts.map(num) : [];
    shapes.push({ kind: "mask", label: str(mask.label), width, height, counts });
  }
  for (const region of list(answer.regions)) {
    drew = true;
    const label = str(region.label);
    const text = str(region.text);
    const quad = pts(region.quad);
    if (quad.length === 4) {
      shapes.push({ kind: "line", label, points: flat(quad), closed: true, showLabel: false });
      shapes.push({ kind: "text", label: text ? `${label}: ${text}` : label, x: quad[0][0], y: quad[0][1] });
    } else {
      shapes.push({ kind: "rect", label: text ? `${label}: ${text}` : label, x: num(region.x), y: num(region.y), w: num(region.w), h: num(region.h) });
    }
  }
  const skeleton = isObject(answer.skeleton) ? answer.skeleton : null;
  for (const instance of list(answer.instances)) {
    drew = true;
    const names = Array.isArray(skeleton?.keypoints) ? skeleton.keypoints.map(str) : [];
    const keypoints = Array.isArray(instance.keypoints) ? instance.keypoints : [];
    const visible = (k: unknown): k is number[] => Array.isArray(k) && num(k[2]) > 0;
    const edges = Array.isArray(skeleton?.edges) ? skeleton.edges : [];
    for (const edge of edges) {
      if (!Array.isArray(edge)) continue;
      const a = keypoints[num(edge[0])];
      const b = keypoints[num(edge[1])];
      if (visible(a) && visible(b)) {
        shapes.push({ kind: "line", label: str(instance.label), points: [num(a[0]), num(a[1]), num(b[0]), num(b[1])], closed: false, showLabel: false });
      }
    }
    keypoints.forEach((k, i) => {
      if (visible(k)) shapes.push({ kind: "point", label: names[i] ?? String(i), x: num(k[0]), y: num(k[1]) });
    });
    const bbox = Array.isArray(instance.bbox) ? instance.bbox.map(num) : null;
    if (bbox && bbox.length === 4) shapes.push({ kind: "rect", label: str(instance.label), x: bbox[0], y: bbox[1], w: bbox[2], h: bbox[3] });
  }
  return drew;
}

function note(answer: Json): string {
  if ("choice" in answer) return str(answer.choice);
  if (Array.isArray(answer.choices)) return answer.choices.map(str).join(", ");
  if ("text" in answer && Object.keys(answer).length === 1) return str(answer.text);
  if (Array.isArray(answer.spans)) return list(answer.spans).map((s) => `${str(s.label)} [${num(s.start)}, ${num(s.end)})`).join("; ");
  if (Array.isArray(answer.segments) || Array.isArray(answer.events)) {
    const segments = list(answer.segments ?? answer.events);
    return segments
      .map((s) => `${str(s.label)} ${seconds(s.start)}–${seconds(s.end)}${s.text ? ` “${str(s.text)}”` : ""}`)
      .join("; ");
  }
  if (Array.isArray(answer.frames) || Array.isArray(answer.tracks)) {
    const frames = list(answer.frames);
    const tracks = list(answer.tracks);
    return frames.length ? `${frames.length} frames` : `${tracks.length} tracks: ${tracks.map((t) => str(t.label)).join(", ")}`;
  }
  return JSON.stringify(answer);
}

/** The answers of `result` (`{answers: {nodeId: answer}}`, or one answer) as shapes and notes. */
export function drawingOf(result: unknown): AnswerDrawing {
  const drawing: AnswerDrawing = { width: null, height: null, shapes: [], notes: [] };
  if (!isObject(result)) return drawing;
  const answers: [string, unknown][] = isObject(result.answers) ? Object.entries(result.answers) : [["", result]];
  for (const [nodeId, answer] of answers) {
    if (!isObject(answer)) continue;
    if (drawing.width === null && num(answer.imageWidth) > 0 && num(answer.imageHeight) > 0) {
      drawing.width = num(answer.imageWidth);
      drawing.height = num(answer.imageHeight);
    }
    const video = "frames" in answer || "tracks" in answer;
    if (!addImageAnswer(answer, drawing.shapes) && (video || !("imageWidth" in answer))) drawing.notes.push([nodeId, note(answer)]);
  }
  return drawing;
}

const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990", "#808000"];

/** A stable colour per label, so one label looks the same on every item. */
export function colourOf(label: string): string {
  let hash = 0;
  for (const char of label) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length];
}
