import { basename } from "node:path";
import { loadCatalog } from "./catalog";
import type { CatalogModel, EmbeddingFacts } from "./catalog";

let catalogModels: readonly CatalogModel[] | undefined;

/**
 * The catalog's facts of the embedding model at `path`, found by its file name (a download keeps the catalog's name), for
 * the query and document prefixes its authors trained it with; undefined for a model the catalog does not know.
 */
export function catalogEmbeddingFacts(path: string, models?: readonly CatalogModel[]): EmbeddingFacts | undefined {
  const name = basename(path.trim());
  if (!name) return undefined;
  const list = models ?? (catalogModels ??= loadCatalog().models);
  return list.find((m) => m.fileName === name && m.roles.includes("embedding"))?.embedding;
}
