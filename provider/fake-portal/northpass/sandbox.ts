/**
 * The fake Northpass school as the package's sandboxes take it (demo, bench, `fake-portal --lms
 * northpass`): started from the shared seed, it answers the stack config that points a roster at it.
 * It loads the server (and msw) only when a school starts.
 * @module
 */
import { checkedSwitches, type FakePortalFactory } from "../sandbox.js";
import { NORTHPASS_SWITCHES, type NorthpassSwitches } from "./options.js";

export const northpassFakePortal: FakePortalFactory = {
  switches: NORTHPASS_SWITCHES,
  async start({ seed, host, port, latencyMs, rateLimit, pageSize, switches }) {
    const { NorthpassFakeSchool } = await import("./server.js");
    const school = await NorthpassFakeSchool.start({
      ...(host !== undefined && { host }),
      ...(port !== undefined && { port }),
      ...(latencyMs !== undefined && { latencyMs }),
      seed: {
        groups: seed.groups,
        courses: seed.courses,
        // Northpass has no external id or role the API shows: only the person and their state.
        people: seed.people.map((person) => ({ email: person.email, firstName: person.firstName, lastName: person.lastName, enabled: person.enabled ?? true })),
      },
      options: {
        ...(checkedSwitches(northpassFakePortal, switches) as NorthpassSwitches),
        ...(pageSize !== undefined && { pageSize }),
        ...(rateLimit !== undefined && { perSecond: rateLimit === false ? false : rateLimit.perMinute / 60 }),
      },
    });
    return {
      url: school.url,
      config: { "northpass:baseUrl": school.apiUrl },
      secrets: { "northpass:apiKey": school.apiKey },
      log: school.log,
      close: () => school.close(),
    };
  },
};
