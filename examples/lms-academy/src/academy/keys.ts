import { UID, type ReactionKind } from './uids';

/**
 * Natural keys. Relations live in link tables, so "one row per member and lesson" cannot be a
 * unique index over relation columns: each keyed content type carries the key in a plain string
 * column that the app's bootstrap indexes as UNIQUE (see unique-indexes.ts).
 */
export const enrollmentKey = (userId: number, courseDocumentId: string) =>
  `${userId}:${courseDocumentId}`;

export const lessonCompletionKey = (userId: number, lessonDocumentId: string) =>
  `${userId}:${lessonDocumentId}`;

export const moduleCompletionKey = (userId: number, moduleDocumentId: string) =>
  `${userId}:${moduleDocumentId}`;

export type ReactionTarget = { type: 'post' | 'comment'; documentId: string };

export const reactionKey = (userId: number, target: ReactionTarget, kind: ReactionKind) =>
  `${userId}:${target.type}:${target.documentId}:${kind}`;

/** Every keyed content type and the attribute that holds its key. */
export const KEYED_ATTRIBUTES = [
  { uid: UID.enrollment, attribute: 'enrollmentKey' },
  { uid: UID.lessonCompletion, attribute: 'completionKey' },
  { uid: UID.moduleCompletion, attribute: 'completionKey' },
  { uid: UID.reaction, attribute: 'reactionKey' },
] as const;
