/**
 * What the member API returns: explicit shapes built field by field, so a private field (an
 * email, a password hash, a key) never leaks because a schema grew.
 */
export interface MemberRef {
  id: number;
  documentId: string;
  username: string;
}

export interface SocialLinkDto {
  platform: string;
  url: string;
}

export interface ProfileDto extends MemberRef {
  bio: string | null;
  socialLinks: SocialLinkDto[];
  timezone: string | null;
  avatar: { id: number; url: string } | null;
}

export interface LessonCompletionDto {
  documentId: string;
  lesson: string;
  completedAt: string;
}

export interface PostDto {
  documentId: string;
  title: string;
  body: string;
  publishedAt: string | null;
  author: MemberRef | null;
}

export interface CommentDto {
  documentId: string;
  body: string;
  helpful: boolean;
  post: string | null;
  author: MemberRef | null;
}

export interface ReactionDto {
  documentId: string;
  kind: string;
  post: string | null;
  comment: string | null;
  author: MemberRef | null;
}

type Row = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null;

export const toMemberRef = (user: unknown): MemberRef | null => {
  if (!user || typeof user !== 'object') return null;
  const u = user as Row;
  return { id: u.id as number, documentId: u.documentId as string, username: u.username as string };
};

export const toProfile = (user: Row): ProfileDto => {
  const avatar = user.avatar as Row | null | undefined;
  const links = (user.socialLinks as Row[] | null | undefined) ?? [];
  return {
    ...toMemberRef(user)!,
    bio: str(user.bio),
    socialLinks: links.map((l) => ({ platform: l.platform as string, url: l.url as string })),
    timezone: str(user.timezone),
    avatar: avatar ? { id: avatar.id as number, url: avatar.url as string } : null,
  };
};

export const toPost = (post: Row, author?: unknown): PostDto => ({
  documentId: post.documentId as string,
  title: post.title as string,
  body: post.body as string,
  publishedAt: iso(post.publishedAt),
  author: toMemberRef(author ?? post.author),
});

export const toComment = (comment: Row, post?: string | null, author?: unknown): CommentDto => ({
  documentId: comment.documentId as string,
  body: comment.body as string,
  helpful: comment.helpful === true,
  post: post !== undefined ? post : str((comment.post as Row | null | undefined)?.documentId),
  author: toMemberRef(author ?? comment.author),
});

export const toReaction = (
  reaction: Row,
  target: { post: string | null; comment: string | null },
  author?: unknown
): ReactionDto => ({
  documentId: reaction.documentId as string,
  kind: reaction.kind as string,
  post: target.post,
  comment: target.comment,
  author: toMemberRef(author ?? reaction.author),
});

export const toLessonCompletion = (row: Row, lessonDocumentId: string): LessonCompletionDto => ({
  documentId: row.documentId as string,
  lesson: lessonDocumentId,
  completedAt: iso(row.completedAt) ?? new Date(0).toISOString(),
});
