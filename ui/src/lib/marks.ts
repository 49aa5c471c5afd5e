/**
 * Named moments of the first screen (`performance.mark`), which the app
 * benchmark (`e2e/app.bench-e2e.ts`) reads to tell where the time between
 * the unlock click and the week view goes: the command, the shell's first
 * render, the week's query. A mark costs microseconds and stays in the
 * page only (never sent or stored).
 */
export function mark(name: "unlock-sent" | "unlock-answered" | "shell-mounted" | "week-asked" | "week-answered") {
  try {
    // The newest of each name only: the week is asked for at every
    // navigation, and a session can last all day.
    performance.clearMarks(`taccuino:${name}`);
    performance.mark(`taccuino:${name}`);
  } catch {
    // No performance timeline (a test environment): nothing to mark.
  }
}
