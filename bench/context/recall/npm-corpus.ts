import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { extractTarGz } from "./safe-untar";

/** A package of the npm registry, pinned by version and by the SHA-512 of its tarball (the packument's `integrity`). */
export interface PinnedPackage {
  name: string;
  version: string;
  integrity: string;
}

/** `sha512-<base64>` of the bytes, as npm writes `integrity`. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

function slug(pkg: PinnedPackage): string {
  return `${pkg.name.replace(/^@/, "").replace(/\//g, "-")}-${pkg.version}`;
}

/**
 * The package's files, extracted under `cacheDir/<name>-<version>/`: the tarball is fetched once with `npm pack` (the
 * user's registry and proxy settings), checked against the pinned integrity, kept in the cache and extracted with the
 * safe extractor. A tarball whose digest differs is deleted and the call fails: a corpus is never measured on other
 * bytes than the pinned ones.
 */
export function ensureNpmPackage(pkg: PinnedPackage, cacheDir: string, fetch: (pkg: PinnedPackage, tarball: string) => void = npmPack): string {
  mkdirSync(cacheDir, { recursive: true });
  const dir = join(cacheDir, slug(pkg));
  const marker = join(dir, ".extracted");
  if (existsSync(marker) && readFileSync(marker, "utf8") === pkg.integrity) return dir;
  const tarball = join(cacheDir, `${slug(pkg)}.tgz`);
  if (!existsSync(tarball) || integrityOf(readFileSync(tarball)) !== pkg.integrity) fetch(pkg, tarball);
  const bytes = readFileSync(tarball);
  const actual = integrityOf(bytes);
  if (actual !== pkg.integrity) {
    rmSync(tarball, { force: true });
    throw new Error(`${pkg.name}@${pkg.version}: tarball integrity ${actual} is not the pinned ${pkg.integrity}`);
  }
  rmSync(dir, { recursive: true, force: true });
  extractTarGz(bytes, dir);
  writeFileSync(marker, pkg.integrity);
  return dir;
}

/** `npm pack name@version` into a staging folder beside the tarball, then moved to `tarball`. */
function npmPack(pkg: PinnedPackage, tarball: string): void {
  const staging = join(dirname(tarball), `.pack-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const out = execFileSync("npm", ["pack", `${pkg.name}@${pkg.version}`, "--json", "--pack-destination", staging], {
      cwd: staging,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    const [info] = JSON.parse(out) as { filename: string; integrity: string }[];
    if (!info) throw new Error(`npm pack ${pkg.name}@${pkg.version} named no tarball`);
    renameSync(join(staging, info.filename), tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
