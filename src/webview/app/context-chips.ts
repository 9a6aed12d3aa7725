// The composer's context row: a chip per piece of context that goes with the next question, the budget line under it
// and the list of what was cut to fit.
import type { ViewContext, WebviewToHost } from "../protocol";
import { clear, h } from "./dom";

export class ContextChips {
  /** The chips; the composer puts it beside the attach button. */
  readonly chips: HTMLElement;
  readonly budget: HTMLElement;
  readonly trimmed: HTMLElement;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.chips = h("div", { class: "chips", role: "list", "aria-label": "Context sent with the next question" });
    this.budget = h("div", { class: "budget", "aria-live": "polite" });
    this.trimmed = h("ul", { class: "trimmed", hidden: true });
  }

  show({ chips, budget }: ViewContext): void {
    clear(this.chips);
    // Counts the chat model has not made itself are estimates, and say so.
    const about = budget.estimated ? "≈ " : "";
    const note = budget.estimated ? " (estimate)" : "";
    for (const chip of chips) {
      const cut = chip.sentTokens < chip.tokens;
      const state = chip.sentTokens === 0 ? " — left out, it does not fit" : cut ? ` — cut to ${chip.sentTokens} of ${chip.tokens} tokens` : "";
      const remove = h("button", { class: "chip-remove", type: "button", "aria-label": `Remove ${chip.label} from the context`, title: "Remove" }, "×");
      remove.addEventListener("click", () => this.post({ type: "removeChip", chipId: chip.id }));
      this.chips.append(
        h(
          "span",
          { class: `chip ${chip.kind}${cut ? " cut" : ""}`, role: "listitem", title: `${chip.detail} · ${about}${chip.tokens} tokens${note}${state}`, "data-chip-id": chip.id },
          h("span", { class: "chip-kind" }, chip.kind === "selection" ? "Selection" : chip.kind === "file" ? "File" : chip.kind === "codebase" ? "Codebase" : "Attached"),
          chip.opens ? this.opener(chip.id, chip.label, chip.detail) : h("span", { class: "chip-label" }, chip.label),
          cut ? h("span", { class: "chip-cut" }, chip.sentTokens === 0 ? "left out" : "cut") : null,
          remove,
        ),
      );
    }
    const over = budget.used > budget.limit * 0.9;
    // The rules are sent without a chip (they are the project's, not the user's choice): the line says they are there.
    const rules = budget.rules && budget.rules.tokens > 0 ? ` · rules ${budget.rules.tokens.toLocaleString("en")} tok` : "";
    this.budget.textContent = `${about}${budget.used.toLocaleString("en")} / ${budget.limit.toLocaleString("en")} tokens of context${note}${rules}`;
    this.budget.title = budget.rules && budget.rules.tokens > 0 ? `Project rules sent with every question: ${budget.rules.files.join(", ")}` : "";
    this.budget.classList.toggle("over", over);
    clear(this.trimmed);
    for (const line of budget.trimmed) this.trimmed.append(h("li", {}, line));
    this.trimmed.hidden = budget.trimmed.length === 0;
  }

  /** A chip that stands for a place in the workspace: its label opens it, by a click or by Enter once focused. */
  private opener(chipId: string, label: string, detail: string): HTMLElement {
    const button = h("button", { class: "chip-label chip-open", type: "button", "aria-label": `Open ${detail} in the editor` }, label);
    const open = () => this.post({ type: "openChip", chipId });
    button.addEventListener("click", open);
    button.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      // A browser turns Enter on a button into a click as well: one open, not two.
      e.preventDefault();
      open();
    });
    return button;
  }
}
