/**
 * Whether a GGUF model can turn a text into one vector, from its metadata: llama.cpp pools the token vectors of a model
 * that declares a pooling type (`<arch>.pooling_type`); a text-generation model declares none, and its "embedding" would
 * be one token's hidden state, which ranks code no better than chance. Checked before the engine loads a model for
 * hearth.embedding.modelPath, so a completion model chosen there by mistake gets a message instead of useless vectors.
 */

/** llama.cpp's pooling types, by the number GGUF stores. */
const POOLING_NAMES: Readonly<Record<number, string>> = { 0: "none", 1: "mean", 2: "cls", 3: "last", 4: "rank" };

/** Encoder architectures: llama.cpp gives them a pooling type of their own when an older GGUF declares none. */
const ENCODER_ARCHITECTURES: ReadonlySet<string> = new Set(["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "neo-bert", "modern-bert", "t5encoder"]);

export interface EmbeddingModelFacts {
  /** The model's name, for the message. */
  name: string;
  architecture: string;
  /** `<arch>.pooling_type`; undefined when the GGUF has none. */
  poolingType: number | undefined;
  /** Whether it has fill-in-the-middle tokens: then it is almost surely a completion model chosen by mistake. */
  fimSupported?: boolean;
}

export type EmbeddingModelCheck = { ok: true; pooling: string } | { ok: false; message: string };

const ADVICE =
  "Choose an embedding model (for example nomic-embed-text or bge-small, in Hearth: Select Model…) for hearth.embedding.modelPath. Codebase search uses full text and symbols until then.";

export function checkEmbeddingModel(facts: EmbeddingModelFacts): EmbeddingModelCheck {
  const { name, architecture, poolingType } = facts;
  if (poolingType === 4) {
    return { ok: false, message: `${name} is a reranker (pooling "rank"), not an embedding model: it scores a pair of texts instead of turning one into a vector. ${ADVICE}` };
  }
  if (poolingType !== undefined && poolingType > 0 && POOLING_NAMES[poolingType]) return { ok: true, pooling: POOLING_NAMES[poolingType] };
  if (poolingType === undefined && ENCODER_ARCHITECTURES.has(architecture)) return { ok: true, pooling: "default" };
  if (poolingType !== undefined && poolingType > 0) {
    return { ok: false, message: `${name} declares a pooling type (${poolingType}) this version of Hearth does not know, so it cannot be used as an embedding model. ${ADVICE}` };
  }
  const what = facts.fimSupported ? "a code completion model" : "a text-generation model";
  return {
    ok: false,
    message: `${name} is ${what} (${architecture || "unknown"} architecture, no pooling type in its GGUF), not an embedding model: it cannot turn a piece of code into one vector. ${ADVICE}`,
  };
}
