/**
 * A stack of the root roster program (index.ts) on a fake portal, for end-to-end tests: the real
 * `pulumi` CLI and engine, a file backend, and a roster file in a scratch folder.
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { FakePortal } from "../../provider/fake-portal/index.js";
import type { RosterPerson } from "../../provider/roster/roster-file.js";
import { createWorkspace, type PulumiWorkspace } from "./pulumi-cli.js";

const projectRoot = resolve(__dirname, "..", "..");

export type Person = Partial<RosterPerson> & Pick<RosterPerson, "employeeId" | "email" | "firstName" | "lastName">;

/** A stack of the root roster program on `portal`, reading its roster from a scratch file. */
export class RosterStack {
  private constructor(
    readonly portal: FakePortal,
    readonly workspace: PulumiWorkspace,
    readonly scratch: string,
  ) {}

  static async start(portal: FakePortal, stack: string): Promise<RosterStack> {
    const scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-roster-"));
    const workspace = await createWorkspace({ programDir: projectRoot, stack });
    await workspace.setConfig("learnupon:portalUrl", portal.url);
    await workspace.setConfig("learnupon:username", portal.username);
    await workspace.setConfig("learnupon:password", portal.password, { secret: true });
    await workspace.setConfig("learnupon:requestsPerMinute", "100000");
    await workspace.setConfig("roster:file", join(scratch, "roster.yaml"));
    return new RosterStack(portal, workspace, scratch);
  }

  get rosterFile(): string {
    return join(this.scratch, "roster.yaml");
  }

  async writeRoster(people: Person[]): Promise<void> {
    await writeFile(this.rosterFile, stringify({ people }));
  }

  pulumi(args: string[], options: { check?: boolean; env?: Record<string, string> } = {}) {
    return this.workspace.run([...args, "--stack", this.workspace.stack], options);
  }

  userByEmail(email: string) {
    return [...this.portal.store.users.values()].find((user) => user.email?.toLowerCase() === email.toLowerCase());
  }

  async dispose(): Promise<void> {
    await this.workspace.dispose();
    await rm(this.scratch, { recursive: true, force: true });
  }
}

