/**
 * LearnUpon as a backend: every resource and field of the roster, its four roles, and the
 * employee id in a custom user field. Its settings are the `learnupon:*` keys (provider/settings.ts).
 * @module
 */
import { clientFor, readSafetySettings, readSettings } from "../../settings.js";
import type { LmsBackend } from "../backend.js";
import { learnUponLms } from "./client.js";

/** LearnUpon's user types, lowest rights first. */
export const LEARNUPON_USER_TYPES = ["learner", "instructor", "manager", "admin"] as const;

export const learnUpon: LmsBackend = {
  name: "learnupon",
  title: "LearnUpon",
  capabilities: {
    resources: { User: true, Enrollment: true, GroupMembership: true },
    unsupportedFields: {},
    userTypes: LEARNUPON_USER_TYPES,
    holdsEmployeeId: true,
  },
  checkSettings(config, env = process.env) {
    readSettings(config, env);
    readSafetySettings(config, env);
  },
  connect(config, { quick = false, env = process.env } = {}) {
    // A refused connection is a wrong URL far more often than a blip: a preview gives up within a second.
    const overrides = quick ? { retry: { limit: 2, backoffBaseMs: 250 } } : {};
    return learnUponLms(clientFor(readSettings(config, env), overrides));
  },
};
