// Chooses embed-learned's settings on its own held-out files (one training file in ten, left out of the counts; never
// the retrieval bench's corpora), asked as the bench asks: the bench's questions (retrieval-questions.ts) over the
// indexer's own chunks of those files, vectors computed as the model pools them (learned-embedding.ts textVector, which
// matches llama.cpp's output), and a plain BM25 over the indexer's searchable text standing in for LanceDB's full text,
// fused as the product fuses (reciprocal rank fusion):
//   node out/scripts/tune-learned-embedding.js [embd] [proseWeight] [minDocuments]
//   SIGMA=0,0.5 IDF=0,1,2 IDENTITY=0.5,2 …   (the weighting grid; LEARNED_EMBEDDING's values by default)
import { join, relative } from "node:path";
import { prepareFile } from "../bench/memory/retrieval-questions";
import type { QuestionLanguage } from "../bench/memory/retrieval-questions";
import { MemoryLogger } from "../src/common/logger";
import { fuseRankings } from "../src/memory/hybrid-search";
import { MemoryIndexer } from "../src/memory/memory-indexer";
import { queryTerms, searchableText } from "../src/memory/search-terms";
import { trainContrastive } from "../test/fixtures/models/contrastive";
import { isSilent } from "../test/fixtures/models/embedding-models";
import { LEARNED_EMBEDDING, learnBasis, textVector, tokenVectors, trainingSet } from "../test/fixtures/models/learned-embedding";
import type { LearnedVectors } from "../test/fixtures/models/learned-embedding";
import { extractBundledVocab } from "../test/fixtures/models/test-models";
import { WordPiece } from "../test/fixtures/models/wordpiece";

const ROOT = join(__dirname, "..", "..");
const MAX_QUESTIONS = 300;

interface DevChunk {
  path: string;
  startLine: number;
  endLine: number;
  tokens: number[];
  words: string[];
}

interface DevSet {
  language: QuestionLanguage;
  chunks: DevChunk[];
  questions: Array<{ path: string; line: number; tokens: number[]; words: string[] }>;
}

const words = (text: string): string[] => text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1);

async function devSets(files: Array<{ path: string; text: string }>, wordPiece: WordPiece): Promise<DevSet[]> {
  const indexer = new MemoryIndexer({ storeDir: "/nonexistent", grammarsDir: join(ROOT, "grammars"), logger: new MemoryLogger("warn"), embedder: null });
  const out: DevSet[] = [];
  try {
    for (const [language, pattern] of [
      ["python", /\.py$/],
      ["javascript", /\.(js|mjs|cjs)$/],
      ["typescript", /(?<!\.d)\.ts$/],
    ] as const) {
      const set: DevSet = { language, chunks: [], questions: [] };
      for (const file of files.filter((f) => pattern.test(f.path))) {
        const prepared = prepareFile(file.text, language);
        const path = `/dev/${file.path}`;
        for (const c of await indexer.chunkText(path, prepared.text)) {
          const embedded = c.header ? `${file.path}\n${c.header}\n${c.text}` : `${file.path}\n${c.text}`;
          set.chunks.push({ path, startLine: c.startLine, endLine: c.endLine, tokens: wordPiece.encode(embedded), words: words(searchableText(embedded)) });
        }
        for (const q of prepared.questions) set.questions.push({ path, line: q.line, tokens: wordPiece.encode(q.question), words: words(queryTerms(q.question)) });
      }
      const step = Math.max(1, set.questions.length / MAX_QUESTIONS);
      set.questions = set.questions.filter((_, i) => Math.floor(i / step) !== Math.floor((i - 1) / step)).slice(0, MAX_QUESTIONS);
      out.push(set);
    }
  } finally {
    indexer.dispose();
  }
  return out;
}

/** BM25 (k1 1.2, b 0.75) ranks of each question's chunks: the top 20, as the store answers. */
function bm25Rankings(set: DevSet): number[][] {
  const df = new Map<string, number>();
  const tfs = set.chunks.map((c) => {
    const tf = new Map<string, number>();
    for (const w of c.words) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const w of tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
    return tf;
  });
  const avg = set.chunks.reduce((s, c) => s + c.words.length, 0) / (set.chunks.length || 1);
  const n = set.chunks.length;
  return set.questions.map((q) => {
    const scores = tfs.map((tf, i) => {
      let s = 0;
      for (const w of new Set(q.words)) {
        const f = tf.get(w);
        if (!f) continue;
        const d = df.get(w) ?? 0;
        s += Math.log(1 + (n - d + 0.5) / (d + 0.5)) * ((f * 2.2) / (f + 1.2 * (0.25 + (0.75 * set.chunks[i].words.length) / avg)));
      }
      return s;
    });
    return top(scores, 20);
  });
}

/** The indices of the `k` highest positive scores, highest first. */
function top(scores: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] <= 0) continue;
    if (best.length < k) best.push(i);
    else if (scores[i] > scores[best[k - 1]]) best[k - 1] = i;
    else continue;
    for (let j = best.length - 1; j > 0 && scores[best[j - 1]] < scores[best[j]]; j--) [best[j - 1], best[j]] = [best[j], best[j - 1]];
  }
  return best;
}

function vectorRankings(set: DevSet, v: LearnedVectors): number[][] {
  const dims = v.dims;
  const docs = new Float32Array(set.chunks.length * dims);
  set.chunks.forEach((c, i) => docs.set(unit(textVector(c.tokens, v)), i * dims));
  const scores = new Float64Array(set.chunks.length);
  return set.questions.map((q) => {
    const qv = unit(textVector(q.tokens, v));
    for (let i = 0; i < set.chunks.length; i++) {
      let s = 0;
      for (let k = 0; k < dims; k++) s += docs[i * dims + k] * qv[k];
      scores[i] = s + 1;
    }
    return top(scores, 20);
  });
}

function unit(x: Float32Array): Float32Array {
  let sq = 0;
  for (const y of x) sq += y * y;
  const n = Math.sqrt(sq) || 1;
  return x.map((y) => y / n);
}

type Place = { path: string; startLine: number; endLine: number };

function recallAt10(set: DevSet, rankings: Array<readonly Place[]>): number {
  let hits = 0;
  set.questions.forEach((q, i) => {
    if (rankings[i].slice(0, 10).some((c) => c.path === q.path && c.startLine <= q.line && q.line <= c.endLine)) hits++;
  });
  return Math.round((1000 * hits) / (set.questions.length || 1)) / 10;
}

const places = (set: DevSet, rankings: number[][]): Place[][] => rankings.map((ids) => ids.map((c) => set.chunks[c]));

function fused(set: DevSet, text: number[][], vector: number[][], k: number, textWeight: number): Place[][] {
  const hitsOf = (ids: number[]) => ids.map((c) => ({ ...set.chunks[c], id: String(c), header: "", text: "", score: 0 }));
  return set.questions.map((_, i) =>
    fuseRankings(
      [
        { source: "vector" as const, hits: hitsOf(vector[i]), weight: 1 },
        { source: "text" as const, hits: hitsOf(text[i]), weight: textWeight },
      ],
      k,
    ),
  );
}

async function main(args: string[]): Promise<void> {
  const settings = {
    ...LEARNED_EMBEDDING,
    ...(args[0] ? { embd: Number(args[0]) } : {}),
    ...(args[1] ? { proseWeight: Number(args[1]) } : {}),
    ...(args[2] ? { minDocuments: Number(args[2]) } : {}),
  };
  let t = Date.now();
  const lap = () => {
    const ms = Date.now() - t;
    t = Date.now();
    return `${(ms / 1000).toFixed(1)} s`;
  };
  const set = await trainingSet(ROOT, await extractBundledVocab("bert-bge"));
  const wordPiece = new WordPiece(set.vocab.tokens, set.vocab.tokens.indexOf("[UNK]"));
  process.stdout.write(`corpus: ${set.files} files (${set.heldOutFiles.length} held out), pairs ${set.train.length} (${lap()})\n`);
  const dev = await devSets(set.heldOutFiles.map((f) => ({ path: relative(f.root, join(f.root, f.path)), text: f.text })), wordPiece);
  const text = dev.map((d) => bm25Rankings(d));
  process.stdout.write(`dev: ${dev.map((d, i) => `${d.language} ${d.questions.length} questions / ${d.chunks.length} chunks, BM25 ${recallAt10(d, places(d, text[i]))}%`).join("; ")} (${lap()})\n`);
  const basis = learnBasis(set, settings);
  process.stdout.write(`basis: ${basis.terms.length} tokens, rank ${basis.rank} (${lap()})\n`);
  const grid = (name: string, fallback: number) => process.env[name]?.split(",").map(Number) ?? [fallback];
  for (const sigmaPower of grid("SIGMA", settings.sigmaPower)) {
    for (const idfPower of grid("IDF", settings.idfPower)) {
      for (const identity of grid("IDENTITY", settings.identity)) {
        const v = tokenVectors(basis, set.vocab, { sigmaPower, idfPower, identity });
        const report = (label: string) => {
          const line = dev.map((d, i) => {
            const vector = vectorRankings(d, v);
            return `${d.language} vectors ${recallAt10(d, places(d, vector))}% hybrid ${recallAt10(d, fused(d, text[i], vector, 20, 1.5))}% (k 60 ×1: ${recallAt10(d, fused(d, text[i], vector, 60, 1))}%)`;
          });
          process.stdout.write(`σ^${sigmaPower} idf^${idfPower} identity ${identity}${label}: ${line.join("; ")} (${lap()})\n`);
        };
        report("");
        const contrastive = {
          ...settings.contrastive,
          ...(process.env.EPOCHS ? { epochs: Number(process.env.EPOCHS) } : {}),
          ...(process.env.LR ? { learningRate: Number(process.env.LR) } : {}),
          ...(process.env.TEMP ? { temperature: Number(process.env.TEMP) } : {}),
          ...(process.env.BATCH ? { batch: Number(process.env.BATCH) } : {}),
        };
        const silent = set.vocab.tokens.map((token, id) => isSilent(token, set.vocab.types[id]));
        trainContrastive(v, set.train, (id) => silent[id], contrastive, (epoch) => report(`, contrastive epoch ${epoch}`));
      }
    }
  }
  process.stdout.write(`grid ${lap()}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
