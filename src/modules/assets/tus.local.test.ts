/** Resumable uploads on tus's file store (STORAGE_DRIVER=local): tus.testing.ts. */
import { describeResumableUploads } from './tus.testing.ts'

describeResumableUploads('local file store', () => ({}))
