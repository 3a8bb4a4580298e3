/**
 * Catalogue: course authoring (drafts, review, publication of immutable versions), the public
 * catalogue and learning paths. Owns the `catalogue` schema. Other modules read published courses
 * only through this file.
 */
export { courses, lessons, courseModules, catalogueEntries } from './catalogue.tables.ts'
export type { PublishedCourse, PublishedModule, PublishedLesson } from './published-course.ts'
export { readPublishedCourse, courseStaffRole, publishCourse } from './publication.ts'
