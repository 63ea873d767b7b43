/**
 * On an LMS that keeps external ids, a person is found by the employee id first; found by email
 * under another employee's id, they are someone else's record, and the User adopts nobody.
 */
import { afterEach, describe, expect, it } from "vitest";
import { backendNamed } from "../../provider/lms/backends.js";
import { readSafetySettings } from "../../provider/lms/config.js";
import { userLifecycle } from "../../provider/resources/user.js";
import { RemovalBreaker } from "../../provider/resources/safety.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { PortalSnapshot } from "../../provider/snapshot.js";
import { BACKENDS, type PortalUnderTest } from "../support/backends.js";

const withExternalIds = BACKENDS.filter((backend) => backendNamed(backend.name).capabilities.externalId);

describe.each(withExternalIds)("the $title User", (underTest) => {
  let portal: PortalUnderTest | undefined;
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  async function contextFor(started: PortalUnderTest): Promise<ProviderContext> {
    const backend = backendNamed(underTest.name);
    const stackConfig: Record<string, string> = { ...started.config, ...started.secrets };
    const source = { get: (key: string) => stackConfig[key] };
    const settings = backend.readSettings(source, {});
    const safety = readSafetySettings(backend.name, backend.title, source, {});
    const lms = backend.connect(settings);
    return { backend, settings, safety, lms, snapshot: new PortalSnapshot(lms), breaker: new RemovalBreaker(safety) };
  }

  it("refuses to adopt, by email, someone the LMS holds under another employee id, and writes nothing", async () => {
    portal = await underTest.start({
      seed: { groups: [], courses: [], people: [{ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", employeeId: "E9" }] },
    });
    const context = await contextFor(portal);
    const inputs = await userLifecycle.check({}, { employeeId: "E1", email: "ADA@example.com", firstName: "Ada", lastName: "Lovelace" }, context.backend);
    portal.clearLog();
    await expect(userLifecycle.create(context, inputs.inputs!)).rejects.toThrow(
      `as employee E1: ${underTest.title} has them as employee E9`,
    );
    expect(portal.writes()).toBe(0);
    expect(portal.person("ada@example.com")).toMatchObject({ employeeId: "E9", enabled: true });
    await context.lms.close();
  });

  it("adopts the person holding the employee id even under another email, and gives it them", async () => {
    portal = await underTest.start({
      seed: { groups: [], courses: [], people: [{ email: "ada.old@example.com", firstName: "Ada", lastName: "Lovelace", employeeId: "E1" }] },
    });
    const context = await contextFor(portal);
    const before = portal.person("ada.old@example.com")!;
    const inputs = await userLifecycle.check({}, { employeeId: "E1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" }, context.backend);
    const created = await userLifecycle.create(context, inputs.inputs!);
    expect(created.id).toBe(before.id);
    expect(portal.person("ada@example.com")).toMatchObject({ id: before.id, employeeId: "E1" });
    await context.lms.close();
  });
});
