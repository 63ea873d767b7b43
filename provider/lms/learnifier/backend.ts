/**
 * Learnifier as a backend: users realm-wide with the employee id as their external id, groups and
 * projects (courses) of one organization unit, participants as enrollments. Its settings are the
 * `learnifier:*` keys (`settings.ts`); what it leaves out, and why, is in `capabilities`.
 * @module
 */
import type { LmsBackend } from "../backend.js";
import { learnifierLms } from "./client.js";
import { LEARNIFIER_USER_TYPES } from "./fields.js";
import { clientFor, configProblem, readSettings, type LearnifierSettings } from "./settings.js";

export const learnifier: LmsBackend<LearnifierSettings> = {
  name: "learnifier",
  title: "Learnifier",
  capabilities: {
    resources: { User: true, Enrollment: true, GroupMembership: true },
    unsupportedFields: {
      User: {
        username: "its API has no username field",
        customData: "its API has no custom user fields",
        password: "people sign in through their invitation or single sign-on; the API sets no password",
      },
      Enrollment: {
        dueDate: "a participation has no due date the API can set",
        expiresAt: "a participation's expiry cannot be set through the API",
      },
    },
    userTypes: LEARNIFIER_USER_TYPES,
    defaultUserType: "learner",
    protectedUserTypes: ["admin"],
    holdsEmployeeId: true,
    externalId: true,
    numericIds: false,
  },
  readSettings,
  connect(settings, { quick = false } = {}) {
    // A refused connection is a wrong URL far more often than a blip: a preview gives up within a second.
    const overrides = quick ? { retry: { limit: 2, backoffBaseMs: 250 } } : {};
    return learnifierLms(clientFor(settings, overrides), { orgUnit: settings.orgUnit, autoClearEmail: settings.autoClearEmail });
  },
  configProblem,
  loadFakePortal: () => import("../../fake-portal/learnifier/sandbox.js").then((module) => module.learnifierFakePortal),
};
