// The team bench's simulated developers: each types back a block of lines in one of the engine bench's real files
// (axios, ESLint, GYP), with a completion request at each pause (the engine bench's typing schedule). Developers past
// the third take the same files at other lines, so no two share a prompt: on a team each types their own code.
import type { ReplayFile } from "../engine/replay-files";
import { typingSteps, type TypingStep } from "../engine/typing";

export interface Developer {
  /** 0-based; developer i of a team of N is the same person in every round. */
  index: number;
  label: string;
  file: ReplayFile;
  /** Step 0 is the document before typing (the warm-up request), then one step per measured request. */
  steps: TypingStep[];
  /** The whole block's schedule (of which `steps` is the start): its requests and its characters, each a keystroke. */
  blockRequests: number;
  blockChars: number;
}

/** Lines each group of three developers moves its block by, within each file. */
const LINE_SHIFTS = [0, 40, -40];

export function teamDevelopers(files: readonly ReplayFile[], count: number, requestsEach: number): Developer[] {
  if (files.length === 0) throw new Error("no replay files to type");
  if (count > files.length * LINE_SHIFTS.length) throw new Error(`at most ${files.length * LINE_SHIFTS.length} developers (the files × the line shifts)`);
  return Array.from({ length: count }, (_, index) => {
    const file = files[index % files.length]!;
    const shift = LINE_SHIFTS[Math.floor(index / files.length)]!;
    const first = file.lines[0] + shift;
    const last = file.lines[1] + shift;
    const all = typingSteps(file.file.text, first, last);
    const steps = all.slice(0, requestsEach + 1);
    if (steps.length < requestsEach + 1) throw new Error(`${file.file.relativePath}:${first}-${last} has only ${all.length - 1} requests; asked for ${requestsEach}`);
    const blockChars = all.at(-1)!.before.length - all[0]!.before.length;
    return { index, label: `${file.file.relativePath}:${first}-${last}`, file, steps, blockRequests: all.length - 1, blockChars };
  });
}
