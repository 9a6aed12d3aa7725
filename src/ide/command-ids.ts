/** Command ids, in one place; package.json's contributes.commands declares the same ones. */
export const COMMANDS = {
  showStatusMenu: "hearth.showStatusMenu",
  chooseModelFile: "hearth.chooseModelFile",
  loadModel: "hearth.loadModel",
  unloadModel: "hearth.unloadModel",
  showLog: "hearth.showLog",
} as const;
