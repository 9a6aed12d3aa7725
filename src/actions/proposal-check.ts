import type { ApplyPlan } from "../chat/apply-plan";
import type { ActionSyntax } from "./action-services";

/** A warning when the proposal breaks a file that parsed before (or was cut by the token limit). */
export async function syntaxWarning(
  syntax: ActionSyntax,
  before: string,
  plan: ApplyPlan,
  proposal: string,
  languageId: string,
  cut: boolean,
): Promise<string | undefined> {
  if (cut) return "the model's answer was cut at its length limit, so the proposal may be incomplete.";
  const after = before.slice(0, plan.start) + proposal + before.slice(plan.end);
  const [was, is] = await Promise.all([syntax.hasSyntaxErrors(languageId, before), syntax.hasSyntaxErrors(languageId, after)]).catch(() => [null, null]);
  return was === false && is === true ? `the proposal does not parse as ${languageId}, although the file did.` : undefined;
}
