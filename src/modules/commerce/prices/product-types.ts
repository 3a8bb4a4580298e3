/**
 * The product-type registry: for each kind of thing sold, what it is, who may price it and what a
 * purchase of it grants. Checkout only ever asks this registry (through `productAccess`), so a new
 * kind (a community tier, a live-class seat, a tutoring session, an e-book) is a new entry here and
 * a new `AccessTarget` kind granted by the module that owns that access, not a change to checkout.
 * Subjects belong to other modules and are read only through their `index.ts` (ADR 0016).
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { Principal } from '../../../platform/http/principal.ts'
import {
  courseSaleFacts,
  courseStaffRole,
  learningPathSaleFacts,
  listedCourseIdBySlug,
  publishedPathIdBySlug,
  setCourseFree,
} from '../../catalogue/index.ts'
import type { ProductType } from './prices.tables.ts'

// The product types as other modules name them (the module's index exports no table file, ADR 0016).
export { PRODUCT_TYPES, type ProductType } from './prices.tables.ts'
import { pricesErrors } from './prices.errors.ts'

/**
 * What a purchase gives the buyer, resolved when the order is fulfilled (a path's courses as they
 * are then). The enrolment module grants `course` targets (a purchase grant, ADR 0008).
 */
export type AccessTarget = { kind: 'course'; courseId: string }

export interface ProductSubject {
  /** What receipts and order lines call it. */
  title: string
  slug: string
  /** Whether it can be bought now: in the catalogue (a bundle also needs at least one listed course). */
  forSale: boolean
}

export interface ProductTypeDefinition {
  type: ProductType
  /** The subject in the transaction's tenant, or undefined (unknown, or another tenant's: RLS hides it). */
  subject(tx: Tx, subjectId: string): Promise<ProductSubject | undefined>
  /** The subject the public catalogue shows under `slug`, or undefined. */
  listedBySlug(tx: Tx, slug: string): Promise<string | undefined>
  /**
   * The relationship rule behind pricing, on top of the route's declared permission (ADR 0015):
   * false makes the subject 404 to the caller, so a made-up or foreign id never answers 403.
   */
  mayPrice(tx: Tx, principal: Principal, subjectId: string): Promise<boolean>
  /** What buying it grants. */
  accessOf(tx: Tx, subjectId: string): Promise<AccessTarget[]>
  /** Runs in the transaction of every price change, with whether the product still has an active price. */
  pricesChanged(tx: Tx, subjectId: string, priced: boolean): Promise<void>
  notFound(subjectId: string): Error
  notInCatalogue(slug: string): Error
}

const course: ProductTypeDefinition = {
  type: 'course',
  async subject(tx, courseId) {
    const facts = await courseSaleFacts(tx, courseId)
    return facts && { title: facts.title, slug: facts.slug, forSale: facts.listed }
  },
  listedBySlug: listedCourseIdBySlug,
  // Tenant administrators (courses:manage) price every course; instructors the ones they own or co-teach.
  async mayPrice(tx, principal, courseId) {
    if (principal.kind !== 'user') return false
    if (principal.permissions.has('courses:manage')) return true
    return (await courseStaffRole(tx, courseId, principal.userId)) !== null
  },
  accessOf: (_tx, courseId) => Promise.resolve([{ kind: 'course', courseId }]),
  // Free follows the prices: a course with an active price is not free (and self-enrolment refuses it).
  async pricesChanged(tx, courseId, priced) {
    await setCourseFree(tx, courseId, !priced)
  },
  notFound: pricesErrors.courseNotFound,
  notInCatalogue: pricesErrors.courseNotInCatalogue,
}

const learningPath: ProductTypeDefinition = {
  type: 'learning_path',
  async subject(tx, pathId) {
    const facts = await learningPathSaleFacts(tx, pathId)
    return (
      facts && {
        title: facts.title,
        slug: facts.slug,
        forSale: facts.status === 'published' && facts.courseIds.length > 0,
      }
    )
  },
  listedBySlug: publishedPathIdBySlug,
  // Paths are managed by holders of paths:manage (the route's permission), with no per-path staff.
  mayPrice: (_tx, principal) => Promise.resolve(principal.kind === 'user' && principal.permissions.has('paths:manage')),
  async accessOf(tx, pathId) {
    const facts = await learningPathSaleFacts(tx, pathId)
    return (facts?.courseIds ?? []).map((courseId) => ({ kind: 'course' as const, courseId }))
  },
  // A bundle's price changes no course's own price or free flag.
  pricesChanged: () => Promise.resolve(),
  notFound: pricesErrors.pathNotFound,
  notInCatalogue: pricesErrors.pathNotInCatalogue,
}

export const PRODUCT_TYPE_REGISTRY: Readonly<Record<ProductType, ProductTypeDefinition>> = Object.freeze({
  course,
  learning_path: learningPath,
})

export const productType = (type: ProductType): ProductTypeDefinition => PRODUCT_TYPE_REGISTRY[type]
