/**
 * Killing a `pulumi` run the way a CI runner or the OOM killer does, for the interrupted-run test.
 *
 * `pulumi` starts its language host and provider plugins in process groups of their own, so
 * killing the CLI's group would leave them running, still calling the portal. They all stay in the
 * session of the CLI, though: spawn it `detached` (a new session) and kill the session.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Live (not zombie) processes of session `sessionId`, from /proc. */
export function liveProcessesInSession(sessionId: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses, so split after the last ")".
    const [state, , , session] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(session) === sessionId && state !== "Z") pids.push(Number(name));
  }
  return pids;
}

/** SIGKILLs every process of the session and waits (at most 5 s) until none is left alive. */
export async function killSession(sessionId: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = liveProcessesInSession(sessionId);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await sleep(100);
  }
  throw new Error(`processes of session ${sessionId} survived SIGKILL: ${liveProcessesInSession(sessionId).join(", ")}`);
}
