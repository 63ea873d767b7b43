/**
 * Learn Amp as a backend: users with Learn Amp's own roles and the employee id as
 * `integrationExternalId`, teams as groups, and no Enrollment: Learn Amp assigns content through
 * team tasks its API cannot create (docs/learnamp-api-notes.md §5.4). Settings: `settings.ts`.
 * @module
 */
import { SETTABLE_ROLES } from "../../client/learnamp/conventions.js";
import type { LmsBackend } from "../backend.js";
import { LEARNAMP_ENROLLMENTS_UNSUPPORTED, learnAmpLms } from "./client.js";
import { learnAmpClientFor, learnAmpConfigProblem, readLearnAmpSettings, type LearnAmpSettings } from "./settings.js";

export const learnAmp: LmsBackend<LearnAmpSettings> = {
  name: "learnamp",
  title: "Learn Amp",
  capabilities: {
    resources: { User: true, GroupMembership: true, Enrollment: { unsupported: LEARNAMP_ENROLLMENTS_UNSUPPORTED } },
    unsupportedFields: {
      User: {
        username: "people sign in with their email",
        password: "people set their own password when they accept Learn Amp's invitation",
        customData: "Learn Amp's API writes custom fields but never shows them in a response, so their drift could not be seen",
      },
    },
    // Lowest rights first; owner and super_admin are shown but cannot be set through the API.
    userTypes: SETTABLE_ROLES,
    defaultUserType: "viewer",
    protectedUserTypes: ["owner", "super_admin", "admin"],
    holdsEmployeeId: true,
    externalId: true,
    numericIds: false,
    // Deactivating someone takes them out of every team (docs/learnamp-api-notes.md): memberships are suspended, then restored.
    deactivationEmptiesGroups: true,
  },
  readSettings: readLearnAmpSettings,
  connect(settings, { quick = false } = {}) {
    // A refused connection is a wrong URL far more often than a blip: a preview gives up within a second.
    const overrides = quick ? { retry: { limit: 2, backoffBaseMs: 250 } } : {};
    return learnAmpLms(learnAmpClientFor(settings, overrides), { sendInvitations: settings.sendInvitations });
  },
  configProblem: learnAmpConfigProblem,
  loadFakePortal: () => import("../../fake-portal/learnamp/factory.js").then((module) => module.learnAmpFakePortal),
};
