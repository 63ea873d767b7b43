/**
 * Northpass as a backend: people and their group memberships. Course access comes from groups, so
 * there is no Enrollment; the API sets no role, custom field or external id, so the employee id
 * lives in the stack's state only. Its settings are the `northpass:*` keys (`settings.ts`).
 * @module
 */
import type { LmsBackend } from "../backend.js";
import { northpassLms } from "./client.js";
import { NORTHPASS_ROLE } from "./fields.js";
import { clientFor, configProblem, readSettings, type NorthpassSettings } from "./settings.js";

const NO_API_FOR_IT = "Northpass's API has no documented way to set it";

export const northpass: LmsBackend<NorthpassSettings> = {
  name: "northpass",
  title: "Northpass",
  capabilities: {
    resources: {
      User: true,
      GroupMembership: true,
      Enrollment: {
        unsupported:
          "course access comes from groups and no API call enrols one person in one course; " +
          "assign the course to a group in Northpass and declare the person's membership of that group instead",
      },
    },
    unsupportedFields: {
      User: {
        username: "Northpass people sign in by email",
        language: NO_API_FOR_IT,
        customData: "Northpass people have no custom fields the API documents",
        password: "Northpass people set their own password from the invitation email, or sign in by SSO",
      },
    },
    // The API shows and sets no role: a roster may say "learner", the role people are created with; other roles are set in Northpass.
    userTypes: [NORTHPASS_ROLE],
    defaultUserType: NORTHPASS_ROLE,
    protectedUserTypes: [],
    holdsEmployeeId: false,
    externalId: false,
    numericIds: false,
  },
  readSettings,
  connect(settings, { quick = false } = {}) {
    // A refused connection is a wrong URL far more often than a blip: a preview gives up within a second.
    const overrides = quick ? { retry: { limit: 2, backoffBaseMs: 250 } } : {};
    return northpassLms(clientFor(settings, overrides), { unconfirmedDeactivation: settings.unconfirmedDeactivation });
  },
  configProblem,
  loadFakePortal: () => import("../../fake-portal/northpass/sandbox.js").then((module) => module.northpassFakePortal),
};
