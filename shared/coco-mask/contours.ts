// Mask → COCO polygons, for the optional polygon output. COCO has no holes: a consumer rasterises
// each polygon and unites them (COCO.annToRLE). So every hole is joined to the boundary around it
// by a zero-width vertical cut through the pixel centres above the hole, and the polygon of a
// connected component is its outer boundary with its holes spliced in. pycocotools' rasteriser
// toggles each column where an edge crosses its centre line; the cut runs along a centre line
// and crosses none, and the two halves of a split edge cross exactly the centres the whole edge
// did, so annToRLE of the result gives back the input mask exactly.
import type { Rle } from '../types.ts';
import { decodeRle } from './codec.ts';

const EAST = 0;
const SOUTH = 1;
const WEST = 2;
const STEP_X = [1, 0, -1, 0];
const STEP_Y = [0, 1, 0, -1];

interface Bridge {
  /** Global index of the parent's segment the cut starts from, and the cut's pixel column. */
  parentSegment: number;
  column: number;
  /** Row line of the parent's edge, and of the hole's top edge. */
  parentRow: number;
  holeRow: number;
  hole: number;
}

/** The mask with a one-pixel background frame, so that no lookup needs bounds checks. */
interface Framed {
  px: Uint8Array;
  pw: number;
}

function fgAt(m: Framed, x: number, y: number): boolean {
  return m.px[(y + 1) * m.pw + x + 1] !== 0;
}

/**
 * Whether a boundary edge leaves vertex (vx, vy) in direction dir. Edges are directed with the
 * foreground on their right (y points down): top edges of foreground run east, bottom edges
 * west, left edges north, right edges south.
 */
function hasEdge(m: Framed, dir: number, vx: number, vy: number): boolean {
  switch (dir) {
    case EAST:
      return fgAt(m, vx, vy) && !fgAt(m, vx, vy - 1);
    case WEST:
      return fgAt(m, vx - 1, vy - 1) && !fgAt(m, vx - 1, vy);
    case SOUTH:
      return fgAt(m, vx - 1, vy) && !fgAt(m, vx, vy);
    default: // north
      return fgAt(m, vx, vy - 1) && !fgAt(m, vx - 1, vy - 1);
  }
}

/** Every boundary loop, as corner lists, plus who owns each horizontal unit edge. */
interface Loops {
  /** x, y pairs of every loop's corners, loop after loop; segment i runs from corner i to i+1. */
  corners: number[];
  /** Index of each loop's first corner, plus one past the last loop. */
  start: number[];
  /** Per horizontal unit edge (row line y, column x, index y·w + x): owning loop, or -1. */
  edgeLoop: Int32Array;
  /** Per horizontal unit edge: the global index of the segment it lies on. */
  edgeSegment: Int32Array;
  /** Top-left edge of each hole loop. */
  holes: { loop: number; x: number; y: number }[];
}

function traceLoops(m: Framed, h: number, w: number): Loops {
  const edgeLoop = new Int32Array((h + 1) * w).fill(-1);
  const edgeSegment = new Int32Array((h + 1) * w);
  const loops: Loops = { corners: [], start: [], edgeLoop, edgeSegment, holes: [] };
  const { px, pw } = m;
  for (let y = 0; y <= h; y++) {
    const below = (y + 1) * pw + 1;
    for (let x = 0; x < w; x++) {
      if (px[below + x] === px[below - pw + x] || edgeLoop[y * w + x] !== -1) continue;
      // The first unvisited edge in row-major order is its loop's top-left edge: foreground
      // below it means an outer boundary, foreground above it a hole.
      const loop = loops.start.length;
      if (px[below + x] !== 0) traceLoop(m, loops, w, x, y, EAST);
      else {
        loops.holes.push({ loop, x, y });
        traceLoop(m, loops, w, x + 1, y, WEST);
      }
    }
  }
  loops.start.push(loops.corners.length / 2);
  return loops;
}

/** Follows one loop from vertex (sx, sy), leaving in direction startDir, back to that edge. */
function traceLoop(m: Framed, loops: Loops, w: number, sx: number, sy: number, startDir: number): void {
  const { corners, edgeLoop, edgeSegment } = loops;
  const loop = loops.start.length;
  const first = corners.length / 2;
  loops.start.push(first);
  const walked: number[] = []; // horizontal edges, with the corners seen before each
  let vx = sx;
  let vy = sy;
  let dir = startDir;
  let seen = 0;
  for (;;) {
    if (dir === EAST || dir === WEST) {
      const e = vy * w + (dir === EAST ? vx : vx - 1);
      edgeLoop[e] = loop;
      walked.push(e, seen);
    }
    vx += STEP_X[dir];
    vy += STEP_Y[dir];
    // Prefer the right turn: it keeps to the same foreground pixel where two touch at a corner.
    const right = (dir + 1) & 3;
    const left = (dir + 3) & 3;
    const next = hasEdge(m, right, vx, vy) ? right : hasEdge(m, dir, vx, vy) ? dir : left;
    if (vx === sx && vy === sy && next === startDir) break;
    if (next !== dir) {
      corners.push(vx, vy);
      seen++;
    }
    dir = next;
  }
  // The start vertex is a corner if the walk comes back to it from another direction; it then
  // goes first, so that segment i starts at corner i. Otherwise the edges before the first
  // corner seen belong to the segment that closes the loop.
  const startIsCorner = dir !== startDir;
  if (startIsCorner) {
    corners.push(0, 0);
    corners.copyWithin(2 * first + 2, 2 * first, corners.length - 2);
    corners[2 * first] = sx;
    corners[2 * first + 1] = sy;
  }
  const k = corners.length / 2 - first;
  for (let i = 0; i < walked.length; i += 2) {
    const before = walked[i + 1];
    edgeSegment[walked[i]] = first + (startIsCorner ? before : (before - 1 + k) % k);
  }
}

/**
 * Outer boundaries (with their holes joined in) as COCO polygons [x0, y0, x1, y1, ...] in pixel
 * corner coordinates; cut points sit at pixel centres (x.5). Foreground is 4-connected: pixels
 * touching only at a corner belong to different polygons. An empty mask gives [].
 */
export function rleToPolygons(rle: Rle): number[][] {
  const [h, w] = rle.size;
  const mask = decodeRle(rle);
  const pw = w + 2;
  const framed: Framed = { px: new Uint8Array((h + 2) * pw), pw };
  for (let y = 0; y < h; y++) framed.px.set(mask.subarray(y * w, (y + 1) * w), (y + 1) * pw + 1);
  const loops = traceLoops(framed, h, w);

  // Cut from each hole's top-left edge straight up through foreground to the first boundary above
  // it: an edge of the same component, either its outer boundary or another of its holes (whose
  // own cut leads further up, so following cuts always ends at the outer boundary).
  const childrenOf = new Map<number, Bridge[]>();
  const holeSegment = new Int32Array(loops.start.length);
  const isHole = new Uint8Array(loops.start.length);
  for (const hole of loops.holes) {
    let row = hole.y - 1;
    while (row > 0 && fgAt(framed, hole.x, row - 1)) row--;
    const parentSegment = loops.edgeSegment[row * w + hole.x];
    holeSegment[hole.loop] = loops.edgeSegment[hole.y * w + hole.x];
    isHole[hole.loop] = 1;
    const bridge: Bridge = { parentSegment, column: hole.x, parentRow: row, holeRow: hole.y, hole: hole.loop };
    const list = childrenOf.get(parentSegment);
    if (list === undefined) childrenOf.set(parentSegment, [bridge]);
    else list.push(bridge);
  }
  // Cuts leave top edges, which run east: splice them in west to east.
  for (const list of childrenOf.values()) list.sort((a, b) => a.column - b.column);

  const polygons: number[][] = [];
  for (let loop = 0; loop < loops.start.length - 1; loop++) {
    if (!isHole[loop]) polygons.push(emitPolygon(loop, loops, childrenOf, holeSegment));
  }
  return polygons;
}

/**
 * Walks an outer loop's corners; after the corner that starts a segment with cuts, goes down each
 * cut, round the hole (and, recursively, its own cuts) and back up. Iterative: holes stacked in
 * one column nest as deep as the image is tall.
 */
function emitPolygon(outer: number, loops: Loops, childrenOf: Map<number, Bridge[]>, holeSegment: Int32Array): number[] {
  const { corners, start } = loops;
  const out: number[] = [];
  interface Frame {
    loop: number;
    first: number;
    emitted: number;
    segment: number;
    child: number;
    bridge: Bridge | null;
  }
  const stack: Frame[] = [{ loop: outer, first: 0, emitted: 0, segment: -1, child: 0, bridge: null }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    const base = start[f.loop];
    const k = start[f.loop + 1] - base;
    if (f.segment === -1) {
      if (f.emitted === k) {
        stack.pop();
        if (f.bridge !== null) {
          const cx = f.bridge.column + 0.5;
          out.push(cx, f.bridge.holeRow, cx, f.bridge.parentRow);
        }
        continue;
      }
      const c = base + ((f.first + f.emitted) % k);
      out.push(corners[2 * c], corners[2 * c + 1]);
      f.segment = c;
      f.child = 0;
    }
    const kids = childrenOf.get(f.segment);
    if (kids !== undefined && f.child < kids.length) {
      const b = kids[f.child++];
      const cx = b.column + 0.5;
      out.push(cx, b.parentRow, cx, b.holeRow);
      // A hole is entered at its cut, which lies on its first edge, and left there after a full turn.
      const holeFirst = (holeSegment[b.hole] - start[b.hole] + 1) % (start[b.hole + 1] - start[b.hole]);
      stack.push({ loop: b.hole, first: holeFirst, emitted: 0, segment: -1, child: 0, bridge: b });
      continue;
    }
    f.emitted++;
    f.segment = -1;
  }
  return out;
}
