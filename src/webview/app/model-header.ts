// Above the conversation: the header naming the model that answers (with the one button its state calls for), the
// model's warning, and a dismissible notice from the extension or the view.
import type { NoticeLevel, ViewModel, WebviewToHost } from "../protocol";
import { clear, h } from "./dom";

export class ModelHeader {
  readonly header: HTMLElement;
  readonly warning: HTMLElement;
  readonly notice: HTMLElement;
  private readonly label: HTMLElement;
  private readonly buttons: HTMLElement;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.label = h("span", { class: "model-label" }, "Starting…");
    this.buttons = h("span", { class: "model-buttons" });
    this.header = h("header", { class: "model-bar" }, this.label, this.buttons);
    this.warning = h("div", { class: "banner warning", role: "note", hidden: true });
    this.notice = h("div", { class: "banner notice", hidden: true });
  }

  showModel(model: ViewModel): void {
    this.label.textContent = model.label;
    this.label.className = `model-label ${model.state}`;
    clear(this.buttons);
    const button = (label: string, command: "chooseModel" | "loadModel" | "showLog") => {
      const b = h("button", { class: "link-button", type: "button" }, label);
      b.addEventListener("click", () => this.post({ type: "command", command }));
      return b;
    };
    if (model.state === "none") this.buttons.append(button("Choose model file…", "chooseModel"));
    if (model.state === "error") this.buttons.append(button("Show log", "showLog"));
    clear(this.warning);
    if (model.warning) this.warning.append(model.warning);
    this.warning.hidden = !model.warning;
  }

  showNotice(level: NoticeLevel, text: string): void {
    clear(this.notice);
    const close = h("button", { class: "chip-remove", type: "button", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", () => (this.notice.hidden = true));
    this.notice.append(h("span", {}, text), close);
    this.notice.className = `banner notice ${level}`;
    this.notice.setAttribute("role", level === "error" ? "alert" : "status");
    this.notice.hidden = false;
  }
}
