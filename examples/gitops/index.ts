// Our LearnUpon portal's roster: `pulumi up` converges the portal to the roster file (stack config
// `roster:file`, default roster.yaml). Before anything is registered, the removal guard compares
// the roster with the people the last update managed and refuses a change that would remove many
// people, an admin or the API user (stack config `roster:maxRemovals`, `roster:allowAdminRemoval`).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadRoster, removalGuardFromStack, Roster, rosterOptionsFromStack } from "pulumi-learnupon";

export = async () => {
  const rosterFile = path.resolve(new pulumi.Config("roster").get("file") ?? "roster.yaml");

  const roster = new Roster("roster", { people: loadRoster(rosterFile, rosterOptionsFromStack()), removalGuard: await removalGuardFromStack() });

  return {
    people: { active: roster.counts.activePeople, deactivated: roster.counts.deactivatedPeople },
    enrollments: roster.counts.enrollments,
    memberships: roster.counts.memberships,
    managedPeople: roster.managedPeople, // read back by the next run's removal guard
  };
};
