import { strict as assert } from "node:assert";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";
import { findPrompt, isPromptName, listPromptFiles, MAX_PROMPT_FILE_BYTES, splitFrontMatter } from "../../../src/chat/prompt-files";

describe("prompt files", () => {
  const workspace = tempWorkspaceEachTest("hearth-prompts-");
  const { put } = workspace;

  it("lists .hearth/prompts/NAME.md and .github/prompts/NAME.prompt.md with their descriptions and bodies", async () => {
    const review = await put(".hearth/prompts/review.md", "---\ndescription: Review the selection for bugs\n---\nReview this code for bugs.\n");
    const release = await put(".github/prompts/release-notes.prompt.md", "---\nmode: ask\ndescription: 'Write release notes'\n---\n\nSummarise the changes.\n");
    await put(".github/prompts/README.md", "not a prompt file: no .prompt.md ending");
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts, [
      { name: "release-notes", description: "Write release notes", body: "Summarise the changes.", path: release },
      { name: "review", description: "Review the selection for bugs", body: "Review this code for bugs.", path: review },
    ]);
    assert.deepEqual(listing.skipped, []);
  });

  it("reads nothing of an untrusted workspace (Restricted Mode)", async () => {
    await put(".hearth/prompts/review.md", "Review this code.");
    await put(".github/prompts/x.prompt.md", "Do x.");
    const listing = await listPromptFiles(workspace.root, { trusted: false });
    assert.deepEqual(listing, { prompts: [], skipped: [] });
  });

  it("lists nothing, without an error, for a workspace without prompt folders", async () => {
    assert.deepEqual(await listPromptFiles(workspace.root, { trusted: true }), { prompts: [], skipped: [] });
    assert.deepEqual(await listPromptFiles(path.join(workspace.base, "no-such-folder"), { trusted: true }), { prompts: [], skipped: [] });
  });

  it("refuses names with spaces, control characters or dots that could read as a path, and says why", async () => {
    await put(".hearth/prompts/ok_name.v2.md", "Fine.");
    for (const bad of ["has space.md", "semi;colon.md", "new\nline.md", "...md", "..md", ".md", "-dash-first.md"]) await put(`.hearth/prompts/${bad}`, "Bad.");
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts.map((p) => p.name), ["ok_name.v2"]);
    assert.equal(listing.skipped.length, 7);
    for (const s of listing.skipped) assert.match(s.reason, /is not a command name/);
  });

  it("refuses a name like ../../x however it is asked for", () => {
    for (const name of ["../../x", "..", "a/b", "a\\b", "x..y", "", "a".repeat(65), "trailing."]) assert.equal(isPromptName(name), false, name);
    for (const name of ["review", "Fix-It", "v1.2", "a_b"]) assert.equal(isPromptName(name), true, name);
  });

  it("refuses a prompt file that is a link to a file outside the workspace", async () => {
    const secret = path.join(workspace.base, "secret.md");
    await writeFile(secret, "outside text");
    await mkdir(path.join(workspace.root, ".hearth/prompts"), { recursive: true });
    await symlink(secret, path.join(workspace.root, ".hearth/prompts/leak.md"));
    await put(".hearth/prompts/inside.md", "Inside.");
    await symlink(path.join(workspace.root, ".hearth/prompts/inside.md"), path.join(workspace.root, ".hearth/prompts/alias.md"));
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts.map((p) => p.name), ["alias", "inside"], "a link inside the workspace is fine");
    assert.deepEqual(listing.skipped.map((s) => [path.basename(s.path), s.reason]), [["leak.md", "it is a link to a file outside the workspace"]]);
  });

  it("refuses a prompt folder that is a link to a folder outside the workspace", async () => {
    const outside = path.join(workspace.base, "elsewhere");
    await mkdir(outside);
    await writeFile(path.join(outside, "x.md"), "outside prompt");
    await mkdir(path.join(workspace.root, ".hearth"));
    await symlink(outside, path.join(workspace.root, ".hearth/prompts"));
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts, []);
    assert.match(listing.skipped[0]!.reason, /link to a folder outside the workspace/);
  });

  it("refuses binary, non-UTF-8, empty and too-large files, and keeps the others", async () => {
    await put(".hearth/prompts/binary.md", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    await put(".hearth/prompts/latin1.md", Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await put(".hearth/prompts/empty.md", "---\ndescription: nothing\n---\n   \n");
    await put(".hearth/prompts/huge.md", "x".repeat(MAX_PROMPT_FILE_BYTES + 10));
    await put(".hearth/prompts/good.md", "Good.");
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts.map((p) => p.name), ["good"]);
    assert.deepEqual(
      listing.skipped.map((s) => [path.basename(s.path), s.reason]),
      [
        ["binary.md", "it is a binary file"],
        ["empty.md", "it holds no prompt"],
        ["huge.md", "it is larger than 64 KB"],
        ["latin1.md", "it is not UTF-8 text"],
      ],
    );
  });

  it("gives a name to .hearth/prompts first and reports the .github duplicate", async () => {
    const mine = await put(".hearth/prompts/review.md", "Hearth's review.");
    await put(".github/prompts/Review.prompt.md", "GitHub's review.");
    const listing = await listPromptFiles(workspace.root, { trusted: true });
    assert.deepEqual(listing.prompts.map((p) => p.body), ["Hearth's review."]);
    assert.equal(listing.skipped[0]!.reason, `/Review is already ${mine}`);
    assert.equal(findPrompt(listing, "REVIEW")?.body, "Hearth's review.");
    assert.equal(findPrompt(listing, "missing"), undefined);
  });

  it("keeps a description to one line of plain text and reads the body after the front matter", () => {
    assert.deepEqual(splitFrontMatter('---\r\ndescription: "Two\u0007words"\nother: 1\n---\nBody\n'.replace(/\r\n/g, "\n")), { description: "Two words", body: "Body" });
    assert.deepEqual(splitFrontMatter("No front matter\n---\nstill body"), { description: "", body: "No front matter\n---\nstill body" });
    assert.deepEqual(splitFrontMatter("---\ndescription: only front matter\n---"), { description: "only front matter", body: "" });
  });
});
