/**
 * Calling the Rust side. The generated bindings (`../bindings`, written by
 * `taccuino --export-bindings`) return `{ status: "ok", data }` or
 * `{ status: "error", error: AppError }`; `call` turns that into a value or
 * a thrown `CommandError` that `useToast().error(err)` shows in the user's
 * language.
 */
import type { AppError } from "../bindings";

export type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** A command's own error, typed. */
export class CommandError extends Error {
  constructor(public readonly error: AppError) {
    super(`command failed: ${error.kind}`);
    this.name = "CommandError";
  }
}

/** The command's value, or throws its typed error. */
export async function call<T>(pending: Promise<CommandResult<T>>): Promise<T> {
  const result = await pending;
  if (result.status === "ok") return result.data;
  throw new CommandError(result.error);
}

/** The tagged error inside whatever a command threw, if it is one. */
export function appErrorOf(err: unknown): AppError | null {
  return err instanceof CommandError ? err.error : null;
}
