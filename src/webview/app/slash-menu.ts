// The `/` menu of the question box: as the user types `/` and a name at the start of the box, the commands whose names
// start with it are listed under the box. ↑/↓ move, Enter or Tab puts the picked `/NAME ` in the box, Escape closes;
// a click picks too. The box is an ARIA combobox and the menu its listbox, so a screen reader reads the active option.
import type { ViewSlashCommand } from "../protocol";
import { clear, h } from "./dom";

/** `/NAME` and what follows it, when the question starts with a command's name. */
export interface SlashInvocation {
  command: ViewSlashCommand;
  /** The text after the name, trimmed ("" when none). */
  text: string;
}

/** The name being typed: `/` at the start of the box and name characters up to the cursor, nothing else yet. */
const TYPING = /^\/([A-Za-z0-9_.-]*)$/;
/** A question that starts with `/NAME`, then whitespace or its end. */
const INVOKED = /^\/([A-Za-z0-9_.-]+)(?:\s+([\s\S]*))?$/;

let menus = 0;

export class SlashMenu {
  readonly el: HTMLElement;
  private commands: ViewSlashCommand[] = [];
  private shown: ViewSlashCommand[] = [];
  private active = 0;
  private readonly id = `slash-menu-${++menus}`;

  constructor(
    private readonly input: HTMLTextAreaElement,
    /** After a pick (the box then holds `/NAME `). */
    private readonly onPick: (command: ViewSlashCommand) => void = () => undefined,
  ) {
    this.el = h("ul", { class: "slash-menu", id: this.id, role: "listbox", "aria-label": "Commands", hidden: true });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.id);
    input.setAttribute("aria-expanded", "false");
    // A click picks; mousedown must not take the focus from the box first.
    this.el.addEventListener("mousedown", (e) => e.preventDefault());
    this.el.addEventListener("click", (e) => {
      const option = (e.target as Element | null)?.closest?.<HTMLElement>("[role=option]");
      const index = Number(option?.dataset.index);
      if (option && Number.isInteger(index) && this.shown[index]) this.pick(this.shown[index]);
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** The commands the host offers now (built-in ones and the workspace's prompt files). */
  setCommands(commands: ViewSlashCommand[]): void {
    this.commands = commands;
    if (this.isOpen) this.update();
  }

  /** The question as a command: `/NAME text` where NAME is one of the commands (any case), else undefined. */
  match(question: string): SlashInvocation | undefined {
    const m = INVOKED.exec(question.trim());
    if (!m) return undefined;
    const command = this.find(m[1]!);
    return command ? { command, text: (m[2] ?? "").trim() } : undefined;
  }

  /** Opens, filters or closes the menu for what the box holds now (after each input). */
  update(): void {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const typing = this.input.selectionStart === this.input.selectionEnd ? TYPING.exec(before) : null;
    const rest = this.input.value.slice(this.input.selectionStart);
    if (!typing || /^\S/.test(rest)) return this.close();
    const prefix = typing[1]!.toLowerCase();
    const shown = this.commands.filter((c) => c.name.toLowerCase().startsWith(prefix));
    if (shown.length === 0) return this.close();
    const activeName = this.shown[this.active]?.name;
    this.shown = shown;
    this.active = Math.max(0, shown.findIndex((c) => c.name === activeName));
    this.render();
  }

  /** Handles a key of the box while the menu is open; true when the key was the menu's. */
  onKey(e: KeyboardEvent): boolean {
    if (!this.isOpen || e.isComposing) return false;
    switch (e.key) {
      case "ArrowDown":
      case "ArrowUp": {
        const step = e.key === "ArrowDown" ? 1 : -1;
        this.active = (this.active + step + this.shown.length) % this.shown.length;
        this.renderActive();
        break;
      }
      case "Enter":
      case "Tab":
        if (e.shiftKey) return false;
        this.pick(this.shown[this.active]!);
        break;
      case "Escape":
        this.close();
        break;
      default:
        return false;
    }
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  close(): void {
    if (!this.isOpen) return;
    this.el.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  private find(name: string): ViewSlashCommand | undefined {
    const key = name.toLowerCase();
    return this.commands.find((c) => c.name.toLowerCase() === key);
  }

  private pick(command: ViewSlashCommand): void {
    const rest = this.input.value.slice(this.input.selectionStart).replace(/^\s+/, "");
    const head = `/${command.name} `;
    this.input.value = head + rest;
    this.input.setSelectionRange(head.length, head.length);
    this.close();
    this.onPick(command);
  }

  private render(): void {
    clear(this.el);
    this.shown.forEach((command, index) => {
      this.el.append(
        h(
          "li",
          { class: "slash-option", role: "option", id: `${this.id}-${index}`, "data-index": String(index), "aria-selected": "false" },
          h("span", { class: "slash-name" }, `/${command.name}`),
          command.argument ? h("span", { class: "slash-argument" }, ` ${command.argument}`) : null,
          command.description ? h("span", { class: "slash-description" }, command.description) : null,
        ),
      );
    });
    this.el.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.renderActive();
  }

  private renderActive(): void {
    for (const option of this.el.children) {
      const selected = (option as HTMLElement).dataset.index === String(this.active);
      option.setAttribute("aria-selected", String(selected));
      option.classList.toggle("active", selected);
      if (selected) (option as HTMLElement).scrollIntoView?.({ block: "nearest" });
    }
    this.input.setAttribute("aria-activedescendant", `${this.id}-${this.active}`);
  }
}
