/**
 * LearnUpon as a backend: every resource and field of the roster, its four roles, and the
 * employee id in a custom user field. Its settings are the `learnupon:*` keys (`settings.ts`).
 * @module
 */
import type { LmsBackend } from "../backend.js";
import { learnUponLms } from "./client.js";
import { clientFor, configProblem, readSettings, type LearnUponSettings } from "./settings.js";

/** LearnUpon's user types, lowest rights first. */
export const LEARNUPON_USER_TYPES = ["learner", "instructor", "manager", "admin"] as const;

export const learnUpon: LmsBackend<LearnUponSettings> = {
  name: "learnupon",
  title: "LearnUpon",
  capabilities: {
    resources: { User: true, Enrollment: true, GroupMembership: true },
    unsupportedFields: {},
    userTypes: LEARNUPON_USER_TYPES,
    defaultUserType: "learner",
    protectedUserTypes: ["admin"],
    holdsEmployeeId: true,
    externalId: false,
    numericIds: true,
  },
  readSettings,
  connect(settings, { quick = false } = {}) {
    // A refused connection is a wrong URL far more often than a blip: a preview gives up within a second.
    const overrides = quick ? { retry: { limit: 2, backoffBaseMs: 250 } } : {};
    return learnUponLms(clientFor(settings, overrides));
  },
  configProblem,
  loadFakePortal: () => import("../../fake-portal/learnupon-sandbox.js").then((module) => module.learnUponFakePortal),
};
