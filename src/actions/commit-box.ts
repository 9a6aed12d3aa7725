// The commit message streamed into a text box the user also types in (the Source Control commit box): what the box held
// before must not be lost to a cancelled, empty or failed answer, and the user's own typing always wins.
import type { CommitOutcome } from "./commit-message";

/** A text box: the Git extension's `repository.inputBox`. */
export interface CommitBox {
  value: string;
}

/**
 * Runs `write` (writeCommitMessage) with its text streamed into `box`. When the user types in the box meanwhile, the
 * model is stopped and their text kept. Otherwise the box ends with the message, or with what it held before when the
 * answer was cancelled, empty or failed (a failure is rethrown).
 */
export async function streamIntoBox(
  box: CommitBox,
  controller: AbortController,
  write: (onText: (text: string) => void) => Promise<CommitOutcome>,
): Promise<CommitOutcome> {
  const before = box.value;
  // Every text this run put in the box: VS Code echoes each one back from the window a moment later, so the box may
  // read as an earlier one of ours; only a text that is none of them is the user's.
  const ours = new Set([before]);
  const userTyped = () => !ours.has(box.value);
  let outcome: CommitOutcome;
  try {
    outcome = await write((text) => {
      // The user typed in the box meanwhile: their text wins and the model stops.
      if (userTyped()) return controller.abort();
      ours.add(text);
      box.value = text;
    });
  } catch (error) {
    // A failure mid-stream leaves half a message: the box gets back what it held.
    if (!userTyped()) box.value = before;
    throw error;
  }
  if (!userTyped()) box.value = outcome.status === "written" ? outcome.message : before;
  return outcome;
}
