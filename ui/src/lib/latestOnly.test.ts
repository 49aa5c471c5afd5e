import { describe, expect, it, vi } from "vitest";
import { latestOnly } from "./latestOnly";

/** A query the test answers by hand. */
interface Pending {
  query: string;
  answer: (hits: string[]) => void;
  fail: (error: unknown) => void;
}

function harness() {
  const asked: Pending[] = [];
  const run = vi.fn(
    (query: string) =>
      new Promise<string[]>((answer, fail) => {
        asked.push({ query, answer, fail });
      }),
  );
  const shown: [string, string[]][] = [];
  const errors: [string, unknown][] = [];
  const searches = latestOnly(run, {
    onAnswer: (query, hits) => shown.push([query, hits]),
    onError: (query, error) => errors.push([query, error]),
  });
  return { asked, run, shown, errors, searches };
}

/** Lets settled promises run their callbacks. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("latestOnly", () => {
  it("asks at once when nothing is in flight, and shows the answer", async () => {
    const h = harness();
    h.searches.submit("ro");
    expect(h.run).toHaveBeenCalledTimes(1);
    h.asked[0]?.answer(["Rossi"]);
    await settle();
    expect(h.shown).toEqual([["ro", ["Rossi"]]]);
  });

  it("a burst of keystrokes while one query runs sends two queries and shows only the newest answer", async () => {
    const h = harness();
    for (const q of ["r", "ro", "ros", "ross", "rossi"]) h.searches.submit(q);
    // "r" went; "ro" … "rossi" replaced one another while it ran.
    expect(h.run.mock.calls.map((c) => c[0])).toEqual(["r"]);
    h.asked[0]?.answer(["Rossi", "Ricci"]);
    await settle();
    // The answer to "r" is dropped: a newer query waited.
    expect(h.shown).toEqual([]);
    expect(h.run.mock.calls.map((c) => c[0])).toEqual(["r", "rossi"]);
    h.asked[1]?.answer(["Rossi"]);
    await settle();
    expect(h.shown).toEqual([["rossi", ["Rossi"]]]);
    expect(h.run).toHaveBeenCalledTimes(2);
  });

  it("never has more than one query in flight, however the answers interleave with typing", async () => {
    const h = harness();
    let inFlight = 0;
    let most = 0;
    const searches = latestOnly(
      (q: string) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        return h.run(q).finally(() => {
          inFlight -= 1;
        });
      },
      { onAnswer: (q, hits) => h.shown.push([q, hits]), onError: () => {} },
    );
    const word = "ferrari";
    for (let i = 1; i <= word.length; i++) {
      searches.submit(word.slice(0, i));
      // Every other keystroke, the query in flight answers.
      if (i % 2 === 0) {
        h.asked.at(-1)?.answer([word.slice(0, i)]);
        await settle();
      }
    }
    // "ferrari" waited for "ferrar"'s answer (dropped), then went.
    h.asked.at(-1)?.answer(["dropped"]);
    await settle();
    h.asked.at(-1)?.answer(["Ferrari"]);
    await settle();
    expect(most).toBe(1);
    // 7 keystrokes, 5 queries: one per answer that came back while typing, plus the last.
    expect(h.run.mock.calls.map((c) => c[0])).toEqual(["f", "fe", "ferr", "ferrar", "ferrari"]);
    // Only the newest query's answer was ever shown.
    expect(h.shown).toEqual([["ferrari", ["Ferrari"]]]);
  });

  it("a stale answer never replaces a newer one", async () => {
    const h = harness();
    h.searches.submit("bia");
    h.searches.submit("ross");
    // "bia" answers late: "ross" goes, and "bia" is not shown.
    h.asked[0]?.answer(["Bianchi"]);
    await settle();
    h.asked[1]?.answer(["Rossi"]);
    await settle();
    expect(h.shown).toEqual([["ross", ["Rossi"]]]);
  });

  it("cancel ignores the answer in flight and forgets the waiting query", async () => {
    const h = harness();
    h.searches.submit("bia");
    h.searches.submit("bian");
    h.searches.cancel();
    h.asked[0]?.answer(["Bianchi"]);
    await settle();
    expect(h.shown).toEqual([]);
    expect(h.run).toHaveBeenCalledTimes(1);
    // The next query goes at once, and its answer is shown.
    h.searches.submit("col");
    expect(h.run).toHaveBeenCalledTimes(2);
    h.asked[1]?.answer(["Colombo"]);
    await settle();
    expect(h.shown).toEqual([["col", ["Colombo"]]]);
  });

  it("reports the newest query's failure, not an older one's", async () => {
    const h = harness();
    h.searches.submit("a");
    h.searches.submit("ab");
    h.asked[0]?.fail(new Error("old"));
    await settle();
    expect(h.errors).toEqual([]);
    h.asked[1]?.fail(new Error("new"));
    await settle();
    expect(h.errors.map(([q]) => q)).toEqual(["ab"]);
  });
});
