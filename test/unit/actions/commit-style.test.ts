import { strict as assert } from "node:assert";
import { detectCommitStyle, detectLanguage, styleInstructions } from "../../../src/actions/commit-style";
import { TempGitRepo } from "../helpers/git-repo";

describe("commit style", () => {
  it("reads Conventional Commits, their types and scopes from a real repository's log", () => {
    const repo = new TempGitRepo();
    try {
      for (const subject of [
        "feat(parser): support trailing commas",
        "fix(lexer): handle CRLF line endings",
        "docs: explain the cache settings",
        "Merge branch 'main' into feature",
        "fix(cli): exit with 2 on bad flags",
        "chore(deps): bump mocha to 10.4",
        "feat(parser)!: drop the legacy syntax",
      ]) repo.commit(subject);
      const subjects = repo.git("log", "--format=%s", "-n", "40").trim().split("\n");
      const style = detectCommitStyle(subjects);
      assert.equal(style.conventional, true);
      assert.deepEqual(style.types, ["feat", "fix", "chore", "docs"]);
      assert.equal(style.scoped, true);
      assert.equal(style.capitalised, false);
      assert.equal(style.period, false);
      assert.equal(style.language, "English");
      assert.equal(style.examples[0], "feat(parser)!: drop the legacy syntax", "newest first");
      assert.ok(!style.examples.some((e) => e.startsWith("Merge")), "merges are not examples");
      const rules = styleInstructions(style);
      assert.match(rules, /Conventional Commit: "type\(scope\): description"\. Types this repository uses: feat, fix, chore, docs\./);
      assert.match(rules, /lowercase letter/);
    } finally {
      repo.dispose();
    }
  });

  it("reads plain capitalised subjects with periods and their usual length", () => {
    const style = detectCommitStyle([
      "Add the cache for parsed files.",
      "Fix the crash when the folder is empty.",
      "Remove the old settings page.",
      "Update the README with the new flags.",
      "Use one thread for the tests.",
    ]);
    assert.equal(style.conventional, false);
    assert.deepEqual(style.types, []);
    assert.equal(style.capitalised, true);
    assert.equal(style.period, true);
    assert.equal(style.maxSubjectLength, 39);
    const rules = styleInstructions(style);
    assert.match(rules, /Do not use a Conventional Commits prefix/);
    assert.match(rules, /at most 39 characters/);
    assert.match(rules, /End the subject with a period\./);
  });

  it("tells the language of the subjects", () => {
    assert.equal(detectLanguage(["Fehler bei der Anmeldung behoben", "Neue Seite für die Einstellungen hinzugefügt", "Test für den Parser"]), "German");
    assert.equal(detectLanguage(["Correction du calcul de la TVA", "Ajout de la page des paramètres", "Mise à jour des dépendances pour le build"]), "French");
    assert.equal(detectLanguage(["修复登录页面的错误", "添加设置页面"]), "Chinese");
    assert.equal(detectLanguage(["ログイン画面のバグを修正", "設定ページを追加"]), "Japanese");
    assert.equal(detectLanguage(["Исправлена ошибка входа", "Добавлена страница настроек"]), "Russian");
    assert.equal(detectLanguage(["wip", "v1.2.3", "x"]), null);
    assert.match(styleInstructions(detectCommitStyle(["Fehler bei der Anmeldung behoben", "Neue Seite für die Einstellungen hinzugefügt"])), /Write in German\./);
  });

  it("has a neutral style for a repository without history", () => {
    const style = detectCommitStyle(["Initial commit"]);
    assert.equal(style.conventional, false);
    assert.equal(style.maxSubjectLength, 72);
    assert.deepEqual(style.examples, []);
    assert.match(styleInstructions(style), /Write in English\./);
  });
});
