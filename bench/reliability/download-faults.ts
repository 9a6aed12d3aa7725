// Disk faults while a model downloads, on real file systems: the real downloadModel fetching from a local HTTPS server
// (the tests' self-signed one) into a tmpfs that fills up mid-download, one remounted read-only, and a folder the
// downloading process may not write to (as root: the download runs in a child process as the unprivileged user,
// since chmod does not bind root). Each scenario fails once, then the fault is lifted and the download is tried again:
// - failed cleanly: the first try ended with a DownloadError whose message is clear, and nothing is at the
//   destination (never a partial file under the model's name);
// - recovered: the second try finished with the right SHA-256 (from where the first stopped, where it got that far);
// - skipped: the machine does not allow the scenario (mounting needs root).
// Beside the disk faults, one server fault that would become one: a server that sends the file without a length and
// then bytes without end, which must be stopped at the exact size Hearth expects, not when the disk is full; and the
// same for a download that knows no size, stopped at the free space less a reserve.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadModel, type DownloadRequest, type DownloadResult } from "../../src/models/download";
import { DownloadError } from "../../src/models/download-errors";
import type { DownloadProgress } from "../../src/models/download-progress";
import { sha256, startModelServer, writeFakeModel, type ModelServer } from "../../test/unit/models/fixtures";
import { describeError, isClearMessage } from "./outcomes";

export interface DownloadFaultResult {
  name: string;
  failedCleanly: boolean;
  recovered: boolean;
  resumed: boolean;
  message: string;
  problems: string[];
}

export interface DownloadFaultFigures {
  scenarios: number;
  failedCleanly: number;
  recovered: number;
  skipped: string[];
}

type Attempt = { ok: true; result: DownloadResult } | { ok: false; code: string; message: string };

export async function runDownloadFaults(): Promise<{ figures: DownloadFaultFigures; results: DownloadFaultResult[] }> {
  const root = mkdtempSync(join(tmpdir(), "hearth-download-faults-"));
  chmodSync(root, 0o755);
  const results: DownloadFaultResult[] = [];
  const skipped: string[] = [];
  const modelPath = join(root, "source.gguf");
  await writeFakeModel(modelPath, { tensorElements: 256 * 1024 }); // about 1 MB
  const model = readFileSync(modelPath);
  const server = await startModelServer({ "/m.gguf": { body: model } }, { chunkBytes: 32 * 1024, chunkDelayMs: 2 });
  try {
    results.push(await endlessServer(join(root, "endless", "model.gguf"), server, model));
    results.push(await endlessUnsized(join(root, "endless-unsized", "model.gguf"), server, model));
    const mount = join(root, "tmpfs");
    mkdirSync(mount);
    if (run("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mount])) {
      try {
        results.push(
          await scenario("a tmpfs too small for the model (ENOSPC foreseen)", join(mount, "small", "model.gguf"), server, model, async () => {
            run("mount", ["-o", "remount,size=4m", mount]);
          }),
        );
        rmSync(join(mount, "small"), { recursive: true, force: true });
        // Room for the model at the start; another program fills the disk once the first bytes are written.
        const filler = join(mount, "filler");
        let filled = false;
        results.push(
          await scenario(
            "a tmpfs that another program fills mid-download (ENOSPC)",
            join(mount, "full", "model.gguf"),
            server,
            model,
            async () => rmSync(filler, { force: true }),
            undefined,
            (progress) => {
              if (filled || progress.receivedBytes < 64 * 1024) return;
              filled = true;
              fill(filler);
            },
          ),
        );
        rmSync(join(mount, "full"), { recursive: true, force: true });
        mkdirSync(join(mount, "ro"));
        run("mount", ["-o", "remount,ro", mount]);
        results.push(
          await scenario("a tmpfs remounted read-only (EROFS)", join(mount, "ro", "model.gguf"), server, model, async () => {
            run("mount", ["-o", "remount,rw", mount]);
          }),
        );
      } finally {
        run("mount", ["-o", "remount,rw", mount]);
        run("umount", [mount]);
      }
    } else skipped.push("a tmpfs that fills up, and one remounted read-only (mounting needs root)");

    const locked = join(root, "locked");
    mkdirSync(locked, { mode: 0o755 });
    chmodSync(locked, 0o555);
    const asRoot = process.getuid?.() === 0;
    results.push(
      await scenario(
        `a folder the download may not write to (EACCES${asRoot ? ", as an unprivileged user" : ""})`,
        join(locked, "models", "model.gguf"),
        server,
        model,
        async () => chmodSync(locked, 0o777),
        asRoot ? { uid: 65534, gid: 65534 } : undefined,
      ),
    );
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
  return {
    figures: {
      scenarios: results.length,
      failedCleanly: results.filter((r) => r.failedCleanly).length,
      recovered: results.filter((r) => r.recovered).length,
      skipped,
    },
    results,
  };
}

async function scenario(
  name: string,
  destination: string,
  server: ModelServer,
  model: Buffer,
  lift: () => Promise<void>,
  user?: { uid: number; gid: number },
  onProgress?: (progress: DownloadProgress) => void,
): Promise<DownloadFaultResult> {
  const problems: string[] = [];
  // The exact size too, as the model picker passes it for every catalog entry.
  const request = { url: server.url("/m.gguf"), destination, sha256: sha256(model), expectedSizeBytes: model.length, retries: 1, retryDelayMs: 10 };
  const first = await attempt({ ...request, ...(onProgress ? { onProgress, progressIntervalMs: 1 } : {}) }, server, user);
  const failedCleanly = !first.ok && first.code !== "internal" && isClearMessage(first.message) && !existsSync(destination);
  if (first.ok) problems.push("the first try did not fail");
  else if (!isClearMessage(first.message)) problems.push(`unclear message: ${first.message}`);
  if (existsSync(destination)) problems.push("a file is at the destination after the failed try");
  await lift();
  const second = await attempt(request, server, user);
  const recovered = second.ok && second.result.sha256 === sha256(model) && readFileSync(destination).equals(model);
  if (!second.ok) problems.push(`the try after the fault was lifted failed: ${second.message}`);
  return { name, failedCleanly, recovered, resumed: second.ok && second.result.resumed, message: first.ok ? "" : first.message, problems };
}

/** The server sends without end on the first try; the download must stop it within a few chunks of the model's size. */
async function endlessServer(destination: string, server: ModelServer, model: Buffer): Promise<DownloadFaultResult> {
  const before = server.sentBytes();
  let sentDuringFault = 0;
  server.options.endless = true;
  const result = await scenario("a server that sends bytes without end and no length (the disk would fill)", destination, server, model, async () => {
    sentDuringFault = server.sentBytes() - before;
    server.options.endless = false;
  });
  server.options.endless = false;
  const bound = model.length + 8 * 1024 * 1024;
  if (sentDuringFault > bound) {
    result.failedCleanly = false;
    result.problems.push(`the server wrote ${sentDuringFault} bytes before the download stopped it (at most ${bound})`);
  }
  return result;
}

/**
 * The same endless server for a download that knows no size (a caller without a catalog entry): bounded by the free
 * space Hearth reads (here said to be 4 MB past its 256 MB reserve), stopped with a clear message, nothing kept.
 */
async function endlessUnsized(destination: string, server: ModelServer, model: Buffer): Promise<DownloadFaultResult> {
  const name = "a server that sends bytes without end and no length, for a download of unknown size (the disk would fill)";
  const before = server.sentBytes();
  server.options.endless = true;
  const first = await attempt({ url: server.url("/m.gguf"), destination, retries: 1, retryDelayMs: 10, freeSpace: async () => (256 + 4) * 1024 * 1024 }, server);
  const sent = server.sentBytes() - before;
  server.options.endless = false;
  const problems: string[] = [];
  if (first.ok) problems.push("the download of unknown size was taken as whole");
  else if (!isClearMessage(first.message)) problems.push(`unclear message: ${first.message}`);
  if (existsSync(destination) || existsSync(`${destination}.partial`)) problems.push("a file was left after the stopped download");
  const bound = 4 * 1024 * 1024 + 8 * 1024 * 1024;
  if (sent > bound) problems.push(`the server wrote ${sent} bytes before the download stopped it (at most ${bound})`);
  const failedCleanly = problems.length === 0;
  const second = await attempt({ url: server.url("/m.gguf"), destination, sha256: sha256(model), expectedSizeBytes: model.length, retries: 1, retryDelayMs: 10 }, server);
  const recovered = second.ok && readFileSync(destination).equals(model);
  if (!second.ok) problems.push(`the try with a server that says its length failed: ${second.message}`);
  return { name, failedCleanly, recovered, resumed: false, message: first.ok ? "" : first.message, problems };
}

/** One download, in this process or (for `user`) in a child process running as that user. */
async function attempt(request: Omit<DownloadRequest, "trust">, server: ModelServer, user?: { uid: number; gid: number }): Promise<Attempt> {
  if (!user) {
    try {
      return { ok: true, result: await downloadModel({ ...request, trust: server.trust }) };
    } catch (error) {
      return error instanceof DownloadError ? { ok: false, code: error.code, message: error.message } : { ok: false, code: "internal", message: describeError(error) };
    }
  }
  const args = JSON.stringify({ ...request, trust: { hosts: server.trust.hosts, ca: String(server.trust.ca) } });
  const dir = mkdtempSync(join(tmpdir(), "hearth-download-child-"));
  chmodSync(dir, 0o777);
  const input = join(dir, "request.json");
  writeFileSync(input, args);
  chmodSync(input, 0o644);
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(__dirname, "download-child.js"), input], { uid: user.uid, gid: user.gid, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`the download child exited ${String(code)}: ${err.slice(-500)}`))));
    });
    return JSON.parse(output) as Attempt;
  } catch (error) {
    return { ok: false, code: "internal", message: describeError(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes zeros until the volume is full. */
function fill(path: string): void {
  const chunk = Buffer.alloc(16 * 1024);
  const fd = openSync(path, "w");
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // full
  } finally {
    closeSync(fd);
  }
}

function run(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
