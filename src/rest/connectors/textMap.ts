// Text built from slices of an original file and generated pieces, remembering where each piece came from, so a
// position in the result (a problem the REST compiler found) can be sent back to the original file. Pure.
import type { RestProblem } from '../description';

interface Piece {
  /** Offset in the built text. */
  start: number;
  length: number;
  /** Offset in the original: where a copied piece starts, or the anchor of a generated one. */
  origin: number;
  /** Copied (or generated character for character from the original): an offset inside maps one to one. */
  linear: boolean;
}

export class TextMap {
  text = '';
  private readonly pieces: Piece[] = [];

  constructor(private readonly original: string) {}

  /** Appends original[start, end). */
  copy(start: number, end: number): void {
    if (end <= start) return;
    this.pieces.push({ start: this.text.length, length: end - start, origin: start, linear: true });
    this.text += this.original.slice(start, end);
  }

  copyNode(node: { loc?: { start: number; end: number } }): void {
    if (node.loc) this.copy(node.loc.start, node.loc.end);
  }

  /** Appends generated text; a position inside it maps to `anchor` (plus the offset, when `linear`). */
  generate(text: string, anchor: number, linear = false): void {
    if (text === '') return;
    this.pieces.push({ start: this.text.length, length: text.length, origin: anchor, linear });
    this.text += text;
  }

  /** The original offset for an offset in the built text. */
  originalOffset(offset: number): number {
    let low = 0;
    let high = this.pieces.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.pieces[mid].start <= offset) low = mid;
      else high = mid - 1;
    }
    const piece = this.pieces[low];
    if (!piece) return 0;
    const inside = Math.min(Math.max(0, offset - piece.start), Math.max(0, piece.length - 1));
    return piece.linear ? piece.origin + inside : piece.origin;
  }

  /** A problem found in the built text, placed in the original file. */
  mapProblem(problem: RestProblem): RestProblem {
    const offset = offsetOf(this.text, problem.line, problem.column);
    return { ...problem, ...lineColumnOf(this.original, this.originalOffset(offset)) };
  }
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
