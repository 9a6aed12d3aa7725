import { renderFimPrompt, type FimPrompt, type RenderFimPromptInput } from "./layout";
import type { FimFormat } from "./types";

/** An infill request's text, as the engines receive it (optional fields may come as undefined). */
export interface FimPromptSource {
  prefix: string;
  suffix: string;
  snippets?: RenderFimPromptInput["snippets"] | undefined;
  prefixStartLine?: number | undefined;
  filePath?: string | undefined;
  repoName?: string | undefined;
  languageId?: string | undefined;
  /** The engine moves the suffix's cache across keystrokes: a prefix-first prompt may carry a longer suffix (layout.ts). */
  suffixReuse?: boolean | undefined;
}

/** Below this many characters the prefix window is not halved again: a prompt this small is sent as it is. */
const SMALLEST_PREFIX_CHARS = 64;

/**
 * Renders the FIM prompt and shrinks it until `fits` accepts its measure: a prompt that overflows the context would be
 * cut from the front by the server or llama.cpp, breaking the format's structure. Other files' snippets go first (the
 * last of them first), then the prefix window halves. Both engines use it, so a completion's prompt is the same locally
 * and on a server; each measures in its own unit (tokens locally, a character estimate for a server). The smallest
 * prompt comes back with `fits` false when even it does not fit.
 */
export function fitFimPrompt<M>(format: FimFormat, source: FimPromptSource, measure: (prompt: FimPrompt) => M, fits: (measured: M) => boolean): { prompt: FimPrompt; measured: M; fits: boolean } {
  let snippets = source.snippets ?? [];
  let maxPrefixChars: number | undefined;
  for (;;) {
    const prompt = renderFimPrompt({
      format,
      prefix: source.prefix,
      suffix: source.suffix,
      snippets,
      ...(source.prefixStartLine !== undefined ? { prefixStartLine: source.prefixStartLine } : {}),
      ...(source.filePath !== undefined ? { filePath: source.filePath } : {}),
      ...(source.repoName !== undefined ? { repoName: source.repoName } : {}),
      ...(source.languageId !== undefined ? { languageId: source.languageId } : {}),
      ...(source.suffixReuse !== undefined ? { suffixReuse: source.suffixReuse } : {}),
      ...(maxPrefixChars !== undefined ? { window: { maxPrefixChars } } : {}),
    });
    const measured = measure(prompt);
    if (fits(measured)) return { prompt, measured, fits: true };
    if (snippets.length > 0) snippets = snippets.slice(0, -1);
    else if (prompt.prefix.length > SMALLEST_PREFIX_CHARS) maxPrefixChars = Math.floor(prompt.prefix.length / 2);
    else return { prompt, measured, fits: false };
  }
}
