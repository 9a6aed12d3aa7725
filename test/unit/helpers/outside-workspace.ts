import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// A cloned repository is not trusted to choose what Hearth reads: its symlinks and imports may point at the user's own
// files. These are what the indexes' tests of that put inside and outside the workspace.

/** The user's own file: a definition that must never reach an index. */
export const SECRET_SOURCE = "export const awsSecretAccessKey = 'wJalrXUtnFEMI_K7MDENG_bPxRfiCYEXAMPLEKEY';\n";
/** The workspace's own code. */
export const INSIDE_SOURCE = "export function addNumbers(a: number, b: number): number {\n  return a + b;\n}\n";

/** Writes SECRET_SOURCE to home/credentials.ts beside the workspace, outside it; returns its path. */
export async function secretBesideWorkspace(ws: { readonly base: string }): Promise<string> {
  await mkdir(join(ws.base, "home"), { recursive: true });
  const file = join(ws.base, "home", "credentials.ts");
  await writeFile(file, SECRET_SOURCE);
  return file;
}
