// A real git repository in a temporary folder, for tests that need git's own output (diffs, logs).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export class TempGitRepo {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(path.join(tmpdir(), "hearth-git-"));
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.email", "test@example.com");
    this.git("config", "user.name", "Test");
    this.git("config", "commit.gpgsign", "false");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.root, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" } });
  }

  write(relative: string, content: string | Buffer): void {
    const file = path.join(this.root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  /** Stages everything and commits it with `message`. */
  commit(message: string): void {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
