// A download's progress: bytes, total, a speed over the last few seconds and the time left, reported at most every
// few hundred milliseconds, and the one-line text the notification shows.
import { formatBytes } from "./memory-fit";

export interface DownloadProgress {
  receivedBytes: number;
  /** Null until the server has said how long the file is. */
  totalBytes: number | null;
  /** Over the last few seconds; 0 at the start. */
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Bytes that were already on disk when this attempt began (a resume). */
  resumedFromBytes: number;
  phase: "downloading" | "verifying";
}

/** Progress with a speed over a sliding window of recent samples. */
export class Meter {
  private received = 0;
  private total: number | null = null;
  private base = 0;
  private samples: { at: number; bytes: number }[] = [];
  private lastReport = 0;

  constructor(
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
    resumedFrom: number,
  ) {
    this.received = resumedFrom;
    this.base = resumedFrom;
  }

  begin(offset: number, total: number | null): void {
    this.received = offset;
    this.total = total;
    this.samples = [{ at: Date.now(), bytes: offset }];
    this.report(true);
  }

  add(bytes: number): void {
    this.received += bytes;
    this.report(false);
  }

  flush(): void {
    this.report(true);
  }

  verifying(): void {
    this.onProgress?.({ ...this.snapshot(), phase: "verifying" });
  }

  private report(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.samples.push({ at: now, bytes: this.received });
    while (this.samples.length > 2 && now - (this.samples[0]?.at ?? now) > 5000) this.samples.shift();
    this.onProgress?.(this.snapshot());
  }

  private snapshot(): DownloadProgress {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    const speed = first && last && seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
    const left = this.total !== null ? Math.max(0, this.total - this.received) : null;
    return {
      receivedBytes: this.received,
      totalBytes: this.total,
      bytesPerSecond: speed,
      etaSeconds: left !== null && speed > 0 ? left / speed : null,
      resumedFromBytes: this.base,
      phase: "downloading",
    };
  }
}

/** "120 MB of 1.6 GB · 12 MB/s · 2 min left" */
export function describeProgress(p: DownloadProgress): string {
  if (p.phase === "verifying") return "verifying…";
  const parts = [p.totalBytes ? `${formatBytes(p.receivedBytes)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.receivedBytes)];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== null) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(" · ");
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
