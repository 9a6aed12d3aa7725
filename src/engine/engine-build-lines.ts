// What the engine build's process (engine/worker/build-main.mts) prints, and how its output reads as progress: its own
// lines carry a prefix; the rest is node-llama-cpp's cmake and compiler output, whose "[n/N]" steps give the fraction.

export const BUILD_LINE = { step: "hearth-build-step: ", done: "hearth-build-done: ", error: "hearth-build-error: " } as const;

export type BuildLine =
  | { kind: "step"; step: string }
  | { kind: "compiled"; done: number; total: number }
  | { kind: "done"; marker: unknown }
  | { kind: "error"; message: string }
  | { kind: "other" };

/** One line of the build's output, read. */
export function readBuildLine(line: string): BuildLine {
  const text = line.trim();
  if (text.startsWith(BUILD_LINE.step)) return { kind: "step", step: text.slice(BUILD_LINE.step.length) };
  if (text.startsWith(BUILD_LINE.error)) return { kind: "error", message: text.slice(BUILD_LINE.error.length) };
  if (text.startsWith(BUILD_LINE.done)) {
    try {
      return { kind: "done", marker: JSON.parse(text.slice(BUILD_LINE.done.length)) as unknown };
    } catch {
      return { kind: "other" };
    }
  }
  // Ninja's "[12/153] Building CXX object …", make's "[ 45%] Building …".
  const ninja = /^\[(\d+)\/(\d+)\]/.exec(text);
  if (ninja) {
    const done = Number(ninja[1]);
    const total = Number(ninja[2]);
    if (total > 0 && done <= total) return { kind: "compiled", done, total };
  }
  const make = /^\[\s*(\d{1,3})%\]/.exec(text);
  if (make && Number(make[1]) <= 100) return { kind: "compiled", done: Number(make[1]), total: 100 };
  return { kind: "other" };
}

/** The environment variable that tells the engine process where the build for this CPU is (or would be). */
export const ENGINE_BUILD_ENV = "HEARTH_ENGINE_BUILD";
