// One download in a process of its own (download-faults.ts runs it as an unprivileged user): reads the request from the
// JSON file named on the command line and prints how it ended, as JSON.
import { readFileSync } from "node:fs";
import { downloadModel, type DownloadRequest } from "../../src/models/download";
import { DownloadError } from "../../src/models/download-errors";

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as DownloadRequest;
  try {
    const result = await downloadModel(request);
    process.stdout.write(JSON.stringify({ ok: true, result }));
  } catch (error) {
    const code = error instanceof DownloadError ? error.code : "internal";
    process.stdout.write(JSON.stringify({ ok: false, code, message: error instanceof Error ? error.message : String(error) }));
  }
}

void main();
