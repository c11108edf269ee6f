import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';

/** The stored contents of attachments by SHA-2, for GET /statements?attachments=true. */
export async function getAttachmentContents(db: Db, sha2: string[]) {
  return store.getAttachments(db, sha2);
}
