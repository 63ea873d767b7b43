/**
 * pulumi-learnupon: manage a LearnUpon portal's roster (users, enrollments, group memberships) as code.
 * @module
 */
export {};
