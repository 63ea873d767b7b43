// Our LearnUpon portal's roster: `pulumi up` converges the portal to the roster file (stack config
// `roster:file`, default roster.yaml). Before anything is registered, the removal guard compares
// the roster with the people the last update managed and refuses a change that would remove many
// people, an admin or the API user (stack config `roster:maxRemovals`, `roster:allowAdminRemoval`).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadRoster, removalGuardFromStack, Roster, rosterOptionsFromStack } from "pulumi-learnupon";

// Read before the async program starts: a mistake in the roster is then reported in about 2 s,
// where an error thrown inside the program takes Pulumi's SDK about 30 s to report.
const people = loadRoster(path.resolve(new pulumi.Config("roster").get("file") ?? "roster.yaml"), rosterOptionsFromStack());

export = async () => {
  const roster = new Roster("roster", { people, removalGuard: await removalGuardFromStack() });

  return {
    people: { active: roster.counts.activePeople, deactivated: roster.counts.deactivatedPeople },
    enrollments: roster.counts.enrollments,
    memberships: roster.counts.memberships,
    managedPeople: roster.managedPeople, // read back by the next run's removal guard
  };
};
