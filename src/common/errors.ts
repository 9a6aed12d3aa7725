/** What an error says, for a log line or a message: its message if it is an Error, else whatever was thrown, as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
