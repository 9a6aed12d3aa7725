// A repository's commit-message style, read from its recent subjects in plain code (not asked of the model): whether it
// writes Conventional Commits, in which language, how long, capitalised or not, with a final period or not.

export interface CommitStyle {
  /** Most subjects are `type(scope)!: text`. */
  conventional: boolean;
  /** The types used, most frequent first (conventional only). */
  types: string[];
  /** Whether subjects use a `(scope)` (conventional only). */
  scoped: boolean;
  /** The language most subjects are written in ("English", "German" …), or null when unclear. */
  language: string | null;
  /** A subject length the repository keeps to: the longest of most subjects (their 80th percentile), in characters. */
  maxSubjectLength: number;
  /** The description (after a conventional prefix) starts with a capital letter. */
  capitalised: boolean;
  /** Subjects end with a period. */
  period: boolean;
  /** Recent subjects to show the model as examples (merges and reverts left out). */
  examples: string[];
}

/** Subjects the style is read from at most (the newest). */
export const STYLE_SUBJECTS = 40;
const EXAMPLES = 6;
const DEFAULT_MAX_SUBJECT = 72;
/** Characters of a subject read at most (the style caps a subject at 120 anyway). */
const MAX_SUBJECT_CHARS = 200;
const CONVENTIONAL = /^(?<type>[a-zA-Z]+)(?<scope>\([^()]*\))?!?: (?<text>\S.*)$/;
const NOT_WRITTEN = /^(Merge (branch|pull request|remote-tracking branch|tag)\b|Revert "|Initial commit$|fixup! |squash! )/i;

/** Common words that tell languages written in the Latin alphabet apart. */
const LANGUAGE_WORDS: Record<string, readonly string[]> = {
  English: ["the", "and", "to", "for", "of", "in", "add", "fix", "remove", "update", "with", "from", "when", "use", "on", "is", "a", "support"],
  German: ["der", "die", "das", "und", "für", "mit", "nicht", "von", "ein", "eine", "hinzugefügt", "behoben", "entfernt", "aktualisiert", "zu", "auf", "bei"],
  French: ["le", "la", "les", "et", "des", "du", "pour", "avec", "ajout", "ajoute", "correction", "corrige", "suppression", "une", "dans", "sur"],
  Spanish: ["el", "la", "los", "las", "y", "para", "con", "del", "añadir", "agrega", "corrige", "corregir", "eliminar", "una", "en", "actualiza"],
  Portuguese: ["o", "os", "as", "e", "para", "com", "do", "da", "adiciona", "corrige", "remove", "uma", "em", "atualiza", "não"],
  Dutch: ["de", "het", "en", "voor", "met", "van", "een", "toegevoegd", "opgelost", "verwijderd", "bijgewerkt", "niet", "op"],
};

/** The style of the subjects given, newest first; a neutral style (72 characters, English examples none) for none. */
export function detectCommitStyle(subjects: readonly string[]): CommitStyle {
  const written = subjects
    // A subject is one line of a hundred characters or so; a hostile history's megabyte subject is cut, not sent whole.
    .map((s) => s.split("\n", 1)[0]!.trim().slice(0, MAX_SUBJECT_CHARS))
    .filter((s) => s && !NOT_WRITTEN.test(s))
    .slice(0, STYLE_SUBJECTS);
  if (written.length === 0) {
    return { conventional: false, types: [], scoped: false, language: null, maxSubjectLength: DEFAULT_MAX_SUBJECT, capitalised: true, period: false, examples: [] };
  }
  const parsed = written.map((s) => CONVENTIONAL.exec(s)?.groups);
  const conventionalCount = parsed.filter(Boolean).length;
  const conventional = conventionalCount * 2 > written.length;
  const typeCounts = new Map<string, number>();
  let scopedCount = 0;
  for (const groups of parsed) {
    if (!groups) continue;
    const type = groups.type!.toLowerCase();
    typeCounts.set(type, (typeCounts.get(type) ?? 0) + 1);
    if (groups.scope) scopedCount++;
  }
  const descriptions = written.map((s, i) => (conventional && parsed[i] ? parsed[i]!.text! : s));
  const startsUpper = descriptions.filter((d) => /^\p{Lu}/u.test(d)).length;
  const startsLetter = descriptions.filter((d) => /^\p{L}/u.test(d)).length;
  const lengths = written.map((s) => [...s].length).sort((a, b) => a - b);
  const p80 = lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * 0.8))]!;
  return {
    conventional,
    types: conventional ? [...typeCounts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t) : [],
    scoped: conventional && scopedCount * 2 > conventionalCount,
    language: detectLanguage(descriptions),
    // Room for the model to say what changed, not fewer than 30 characters nor more than 120.
    maxSubjectLength: Math.min(120, Math.max(30, p80)),
    capitalised: startsLetter === 0 || startsUpper * 2 >= startsLetter,
    period: written.filter((s) => s.endsWith(".")).length * 2 > written.length,
    examples: written.slice(0, EXAMPLES),
  };
}

/** The language of most texts: by script first (CJK, Cyrillic …), then by common words for the Latin alphabet. */
export function detectLanguage(texts: readonly string[]): string | null {
  const text = texts.join("\n");
  const scripts: [string, RegExp][] = [
    ["Japanese", /[\p{Script=Hiragana}\p{Script=Katakana}]/gu],
    ["Chinese", /\p{Script=Han}/gu],
    ["Korean", /\p{Script=Hangul}/gu],
    ["Russian", /\p{Script=Cyrillic}/gu],
    ["Greek", /\p{Script=Greek}/gu],
    ["Arabic", /\p{Script=Arabic}/gu],
    ["Hebrew", /\p{Script=Hebrew}/gu],
  ];
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters === 0) return null;
  for (const [language, re] of scripts) {
    // Japanese mixes Han with kana: any kana at all means Japanese rather than Chinese.
    const share = (text.match(re) ?? []).length / letters;
    if (share > (language === "Japanese" ? 0.05 : 0.3)) return language;
  }
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let best: string | null = null;
  let bestScore = 0;
  for (const [language, list] of Object.entries(LANGUAGE_WORDS)) {
    const set = new Set(list);
    const score = words.filter((w) => set.has(w)).length;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  // Too few telling words (a log of "wip", "v1.2", file names) says nothing about the language.
  return bestScore >= Math.max(2, words.length * 0.05) ? best : null;
}

/** The style as instructions for the model. */
export function styleInstructions(style: CommitStyle): string {
  const rules: string[] = [];
  if (style.conventional) {
    const types = style.types.length ? ` Types this repository uses: ${style.types.slice(0, 8).join(", ")}.` : "";
    rules.push(`Write the subject as a Conventional Commit: "type${style.scoped ? "(scope)" : ""}: description".${types}`);
  } else {
    rules.push("Do not use a Conventional Commits prefix (no \"feat:\", \"fix:\"); write the subject as plain text.");
  }
  rules.push(`Keep the subject line to at most ${style.maxSubjectLength} characters.`);
  rules.push(style.capitalised ? "Start the description with a capital letter." : "Start the description with a lowercase letter.");
  rules.push(style.period ? "End the subject with a period." : "Do not end the subject with a period.");
  rules.push(`Write in ${style.language ?? "English"}.`);
  return rules.map((r) => `- ${r}`).join("\n");
}
