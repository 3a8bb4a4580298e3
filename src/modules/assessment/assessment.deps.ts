/** What assessment uses of other modules, through their public APIs only. */
export { completedLessons, markLessonCompleted } from '../progress/index.ts'
export { checkLessonAccess, dripAnchor, findEnrolment } from '../enrolment/index.ts'
export {
  assertCourseEditable,
  courseExists,
  draftLessonOf,
  isAssessedLesson,
  lessonsInReviewFor,
  readPublishedCourse,
  registerPublicationParticipant,
  type PublicationParticipant,
  type PublishedCourse,
  type PublishedCourseOutline,
  type PublishedLesson,
  type PublishedLessonOutline,
} from '../catalogue/index.ts'
