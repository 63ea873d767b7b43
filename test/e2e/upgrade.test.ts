/**
 * Upgrading a stack that version 0.1 wrote, end to end: the real `pulumi` CLI and engine, a file
 * backend, the root roster program and the fake portal over HTTP.
 *
 * The fixture (test/e2e/fixtures/upgrade-from-0.1/, recorded by test/support/record-upgrade-fixture.ts
 * from the code at commit d7bd8c1) is that version's checkpoint, the portal it left, and its roster.
 * With the same roster, today's code must plan nothing, write nothing, and keep the type tokens and
 * the provider module that state already holds: a change of either would replace every resource.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePortal, type FakePortal, type SeedData } from "../../provider/fake-portal/index.js";
import { createWorkspace, type PulumiWorkspace } from "../support/pulumi-cli.js";
import {
  FIXTURE_CREDENTIALS,
  FIXTURE_STACK,
  PORTAL_URL_PLACEHOLDER,
  ROSTER_FILE_PLACEHOLDER,
} from "../support/record-upgrade-fixture.js";

const projectRoot = resolve(__dirname, "..", "..");
const fixture = join(__dirname, "fixtures", "upgrade-from-0.1");

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

const KINDS = ["User", "Enrollment", "GroupMembership"] as const;
const providerModule = (kind: string) => `exports.handler = () => require("pulumi-learnupon/runtime").provider("${kind}");`;

/** The dynamic resources of a `pulumi stack export`, by URN, with what identifies them. */
function dynamicResources(exported: string) {
  const resources: StateResource[] = JSON.parse(exported).deployment.resources;
  return Object.fromEntries(
    resources
      .filter((resource) => resource.type.startsWith("pulumi-nodejs:dynamic/"))
      .map((resource) => [resource.urn, { type: resource.type, id: resource.id, provider: resource.inputs?.["__provider"] }]),
  );
}

/** Users, memberships and enrollments as the portal holds them, without timestamps. */
function portalRecords(portal: FakePortal) {
  const { users, memberships, enrollments } = portal.store.snapshot();
  const withoutTimes = (records: unknown[]) =>
    records.map((record) => Object.fromEntries(Object.entries(record as object).filter(([key]) => !/_at$|^date_/.test(key))));
  return { users: withoutTimes(users), memberships: withoutTimes(memberships), enrollments: withoutTimes(enrollments) };
}

describe("a stack written by version 0.1", () => {
  let portal: FakePortal;
  let workspace: PulumiWorkspace;
  let scratch: string;
  let recorded: ReturnType<typeof dynamicResources>;
  let recordedRecords: ReturnType<typeof portalRecords>;
  let recordedPeople: Record<string, object>;

  const pulumi = (args: string[], options: { check?: boolean } = {}) => workspace.run([...args, "--stack", FIXTURE_STACK], options);
  const managedPeople = async (): Promise<Record<string, object>> =>
    JSON.parse((await pulumi(["stack", "output", "managedPeople", "--json", "--show-secrets"])).stdout);

  beforeAll(async () => {
    const seed: SeedData = JSON.parse(await readFile(join(fixture, "portal.json"), "utf8"));
    portal = await startFakePortal({ ...FIXTURE_CREDENTIALS, seed, options: { rateLimit: false } });
    recordedRecords = portalRecords(portal);
    scratch = await mkdtemp(join(tmpdir(), "pulumi-learnupon-upgrade-"));
    const rosterFile = join(scratch, "roster.yaml");
    await copyFile(join(fixture, "roster.yaml"), rosterFile);

    // The recorded state copies the stack config into the default provider's inputs; the recorder
    // put placeholders where that run's portal URL and roster path were, and this run's go there,
    // so state and config agree as they did for the stack that wrote it, on a port picked now.
    const jsonText = (value: string) => JSON.stringify(value).slice(1, -1);
    const state = (await readFile(join(fixture, "state.json"), "utf8"))
      .replaceAll(PORTAL_URL_PLACEHOLDER, jsonText(portal.url))
      .replaceAll(ROSTER_FILE_PLACEHOLDER, jsonText(rosterFile));
    recorded = dynamicResources(state);
    await writeFile(join(scratch, "state.json"), state);

    // The stack keeps the recorded name: its URNs, and the removal guard's reference to itself, hold it.
    workspace = await createWorkspace({ programDir: projectRoot, stack: FIXTURE_STACK });
    await pulumi(["stack", "import", "--file", join(scratch, "state.json")]);
    await workspace.setConfig("learnupon:portalUrl", portal.url);
    await workspace.setConfig("learnupon:username", portal.username);
    await workspace.setConfig("learnupon:password", portal.password, { secret: true });
    await workspace.setConfig("learnupon:requestsPerMinute", "100000");
    await workspace.setConfig("roster:file", rosterFile);
    recordedPeople = await managedPeople();
  });

  afterAll(async () => {
    await workspace?.dispose();
    await portal?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("holds what the test needs: 5 users, 5 memberships and 6 enrollments of the three kinds", () => {
    const types = Object.values(recorded).map((resource) => resource.type);
    expect(KINDS.map((kind) => types.filter((type) => type === `pulumi-nodejs:dynamic/learnupon:${kind}`).length)).toEqual([5, 6, 5]);
    expect(recordedRecords.users).toHaveLength(5);
    expect(Object.keys(recordedPeople)).toEqual(["E1", "E2", "E3", "E4", "E5"]);
  });

  it("previews no changes with today's code, and writes nothing", async () => {
    portal.log.clear();
    const preview = await pulumi(["preview", "--expect-no-changes", "--diff"], { check: false });
    expect(preview.exitCode, preview.stdout + preview.stderr).toBe(0);
    expect(portal.log.writes()).toEqual([]);
  });

  it("updates with no writes to the portal, keeping type tokens, provider modules and ids", async () => {
    portal.log.clear();
    await pulumi(["up", "--yes"]);
    expect(portal.log.writes()).toEqual([]);

    const now = dynamicResources((await pulumi(["stack", "export"])).stdout);
    expect(now).toEqual(recorded);
    for (const resource of Object.values(now)) {
      const kind = resource.type.replace("pulumi-nodejs:dynamic/learnupon:", "");
      expect(KINDS).toContain(kind);
      expect(resource.provider).toBe(providerModule(kind));
    }
    expect(portalRecords(portal)).toEqual(recordedRecords);
    // The removal guard's record is rewritten in today's shape: the same people, each with a digest of
    // their entry and the portal the update was applied to.
    const portalRecord = `${portal.url}/api/v1`;
    const expected = Object.fromEntries(
      Object.entries(recordedPeople).map(([id, person]) => [id, { ...person, digest: expect.any(String), portal: portalRecord }]),
    );
    expect(await managedPeople()).toEqual(expected);
  });

  it("then previews no changes with a refresh either", async () => {
    portal.log.clear();
    const preview = await pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"], { check: false });
    expect(preview.exitCode, preview.stdout + preview.stderr).toBe(0);
    expect(portal.log.writes()).toEqual([]);
  });

  it("takes in a refresh: each resource records its portal, and the next preview still plans nothing", async () => {
    portal.log.clear();
    await pulumi(["refresh", "--yes"]);
    const resources: StateResource[] = JSON.parse((await pulumi(["stack", "export"])).stdout).deployment.resources;
    const dynamic = resources.filter((resource) => resource.type.startsWith("pulumi-nodejs:dynamic/"));
    expect(dynamic).toHaveLength(16);
    for (const resource of dynamic) expect(resource.outputs?.["portal"]).toBe(`${portal.url}/api/v1`);

    const preview = await pulumi(["preview", "--expect-no-changes", "--diff"], { check: false });
    expect(preview.exitCode, preview.stdout + preview.stderr).toBe(0);
    expect(portal.log.writes()).toEqual([]);
  });
});
