/** Command ids, in one place; package.json's contributes.commands declares the same ones. */
export const COMMANDS = {
  showStatusMenu: "hearth.showStatusMenu",
  chooseModelFile: "hearth.chooseModelFile",
  selectModel: "hearth.selectModel",
  loadModel: "hearth.loadModel",
  unloadModel: "hearth.unloadModel",
  /** Compiles llama.cpp for this CPU into Hearth's storage; the engine then runs on it (engine-build-command.ts). */
  buildEngineForThisCpu: "hearth.buildEngineForThisCpu",
  /** Kills the engine whatever it is doing, forgets its crash counts, and loads the model again. */
  restartEngine: "hearth.restartEngine",
  /** Stores the inference server's API key in SecretStorage (hearth.engine.kind "server"). */
  setServerApiKey: "hearth.setServerApiKey",
  /** Stores the embedding server's own API key (hearth.server.embeddingUrl) in SecretStorage. */
  setEmbeddingServerApiKey: "hearth.setEmbeddingServerApiKey",
  /** The inference server's models (/v1/models) in a quick pick. */
  selectServerModel: "hearth.selectServerModel",
  showLog: "hearth.showLog",
  chatFocus: "hearth.chat.focus",
  chatAskAboutSelection: "hearth.chat.askAboutSelection",
  chatNewConversation: "hearth.chat.newConversation",
  chatShowHistory: "hearth.chat.showHistory",
  chatExport: "hearth.chat.exportConversation",
  chatAcceptProposal: "hearth.chat.acceptProposal",
  chatDiscardProposal: "hearth.chat.discardProposal",
  explain: "hearth.explain",
  fix: "hearth.fix",
  document: "hearth.document",
  generateTests: "hearth.generateTests",
  editWithInstruction: "hearth.editWithInstruction",
  /** Writes a message for the staged changes into the Source Control commit box (never commits). */
  writeCommitMessage: "hearth.writeCommitMessage",
  /** A prompt file in the chat: a quick pick, or the one named by the argument. */
  runPrompt: "hearth.runPrompt",
  /** Escape while the model writes a proposal. */
  cancelAction: "hearth.cancelAction",
  triggerCompletion: "hearth.triggerCompletion",
  toggleCompletionForLanguage: "hearth.toggleCompletionForLanguage",
  snoozeCompletion: "hearth.snoozeCompletion",
  /** Tab on a next-edit suggestion: go to it when it is away from the cursor, else apply it (one undo step). */
  nextEditAccept: "hearth.nextEdit.accept",
  /** Escape on a next-edit suggestion. */
  nextEditDismiss: "hearth.nextEdit.dismiss",
  /** Run by VS Code when a suggestion is accepted (the item's command); not in the palette. */
  completionAccepted: "hearth.completionAccepted",
} as const;
