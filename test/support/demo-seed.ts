/**
 * The portal the demo and the end-to-end tests start from: the example roster's courses and groups,
 * two groups that auto-enroll their members in a course, and three people who already exist.
 * @module
 */
import type { SeedData } from "../../provider/fake-portal/index.js";

export const COURSES = ["Security Awareness", "Code of Conduct", "Git Fundamentals", "Customer Care"] as const;
export const GROUPS = ["Engineering", "Sales", "Support"] as const;

export function demoSeed(): SeedData {
  return {
    customFields: [{ label: "Department" }],
    courses: COURSES.map((name, index) => ({ id: 201 + index, name })),
    groups: GROUPS.map((title, index) => ({ id: 301 + index, title })),
    groupCourses: [
      { group_id: 301, course_id: 203 }, // Engineering → Git Fundamentals
      { group_id: 303, course_id: 204 }, // Support → Customer Care
    ],
    users: [
      // In the roster with another letter case: adopted, not duplicated.
      { email: "Alan.Turing@Example.com", first_name: "Alan", last_name: "Turing" },
      // Left last year and was deactivated; the roster brings them back: re-enabled with their history.
      { email: "shep.hyken@example.com", first_name: "Shep", last_name: "Hyken", enabled: false },
      // The portal's API user: not in the roster, never touched.
      { email: "api@example.com", first_name: "API", last_name: "User", user_type: "admin" },
    ],
  };
}
