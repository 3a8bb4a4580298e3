import { Type, type Static } from 'typebox'

const StaffSelfEnrolment = Type.Boolean({
  description:
    "Whether the staff of a course (its owner and co-instructors) may be enrolled in it as learners by themselves or by its other staff (self-enrolment, staff enrolment with their own or a colleague's id, CSV imports). Default false: only a tenant administrator other than the learner can enrol them. Staff who learn in their own course see its answer keys and grade its work.",
})
const SelfPublication = Type.Boolean({
  description:
    'Whether tenant administrators may publish a course they teach directly (POST /v1/courses/{courseId}/publish), without an independent review. Default true (a small school whose only administrator writes the courses); false: a course is published by someone who does not teach it, or through submit and approve by a reviewer who does not teach it.',
})

export const LearningPolicy = Type.Object(
  {
    allowStaffSelfEnrolment: StaffSelfEnrolment,
    allowSelfPublication: SelfPublication,
    version: Type.Integer({ minimum: 0, description: '0 while the tenant runs on the defaults' }),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    updatedBy: Type.Union([
      Type.String({ description: 'Who last changed it, e.g. user:<id> or api_key:<id>' }),
      Type.Null(),
    ]),
  },
  { $id: 'LearningPolicy', additionalProperties: false },
)
export type LearningPolicy = Static<typeof LearningPolicy>

export const LearningPolicyBody = Type.Object(
  { allowStaffSelfEnrolment: StaffSelfEnrolment, allowSelfPublication: SelfPublication },
  { additionalProperties: false },
)
export type LearningPolicyBody = Static<typeof LearningPolicyBody>
